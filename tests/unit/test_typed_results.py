"""Every `--json` result and every socket reply is a typed result (app.results), never a
dict made on the spot: a dict literal, comprehension or dict() call handed to `emit`, to
the socket's reply builders or to the reflect stream's events fails here, and so does a
name that was bound to one in the same function. (emit itself refuses anything that is
not a dataclass at run time; this finds it before any test runs the line.)"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The functions that send a result out, and which argument is the result.
SENDERS = {"emit": 1, "ok": 1, "reply": 0, "_send": 1, "_event": 0}
SCANNED = [*sorted((ROOT / "app" / "cli").glob("*.py")),
           *sorted((ROOT / "app" / "ipc").glob("*.py")),
           ROOT / "ui" / "ipc_server.py", ROOT / "ui" / "app.py", ROOT / "ui" / "focus.py"]


def _dict_made_here(node: ast.AST | None) -> bool:
    if isinstance(node, ast.Dict | ast.DictComp):
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return True
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return any(_dict_made_here(item) for item in node.elts)
    if isinstance(node, ast.ListComp | ast.GeneratorExp | ast.SetComp):
        return _dict_made_here(node.elt)
    if isinstance(node, ast.IfExp):
        return _dict_made_here(node.body) or _dict_made_here(node.orelse)
    return False


def _sent(call: ast.Call) -> ast.AST | None:
    func = call.func
    name = func.id if isinstance(func, ast.Name) else (
        func.attr if isinstance(func, ast.Attribute) else None)
    if name not in SENDERS:
        return None
    for keyword in call.keywords:
        if keyword.arg in ("result", "message", "event", "data"):
            return keyword.value
    index = SENDERS[name]
    return call.args[index] if len(call.args) > index else None


def hand_made_results(source: str, filename: str = "<source>") -> list[str]:
    """Where `source` sends a dict made on the spot as a result: 'file:line'."""
    tree = ast.parse(source, filename)
    found = []
    scopes = [node for node in ast.walk(tree)
              if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)]
    for scope in [tree, *scopes]:
        dict_names = {target.id for node in ast.walk(scope) if isinstance(node, ast.Assign)
                      and _dict_made_here(node.value)
                      for target in node.targets if isinstance(target, ast.Name)}
        dict_names |= {node.target.id for node in ast.walk(scope)
                       if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                       and _dict_made_here(node.value)}
        for node in ast.walk(scope):
            if not isinstance(node, ast.Call):
                continue
            sent = _sent(node)
            if _dict_made_here(sent) or (isinstance(sent, ast.Name) and sent.id in dict_names):
                found.append(f"{filename}:{node.lineno}")
    return sorted(set(found))


def test_no_result_is_a_hand_made_dict() -> None:
    found = []
    for path in SCANNED:
        found += hand_made_results(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert found == [], ("results made as dicts on the spot (make a frozen dataclass in the "
                         f"module that owns the result; app.results turns it into JSON): {found}")


def test_the_check_finds_each_way_of_making_one() -> None:
    source = '''
def run(args):
    emit(args, {"a": 1}, "")
    emit(args, dict(a=1), "")
    emit(args, [{"a": n} for n in range(3)], "")
    data = {"a": 1}
    emit(args, data, "")
    reply(ok(1, {"shown": True}))
    _event({"event": "start"})
    emit(args, Typed(1), "")
    typed = Typed(2)
    emit(args, typed, "")
'''
    assert [where.split(":")[1] for where in hand_made_results(source)] == [
        "3", "4", "5", "7", "8", "9"]
