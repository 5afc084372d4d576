"""The self-contained bundle (PyInstaller, dist/wise: `make bundle`) beside the venv
install: size on disk, and cold starts of `wise --version`, `wise capture TEXT` and the
tray to its icon, each run side by side, interleaved.

size        the bundle's folder and the .deb (`make package`) against the runtime
            packages of requirements.lock as installed in this venv (the files their
            metadata lists), which is what pipx or `make run` put on disk besides Python.
--version   a new process per run, to its exit: the floor of any command.
capture     `wise capture TEXT` with no tray running, on a journal that exists: the CLI's
            hot path (stdlib sqlite3) from a cold process.
tray        from Popen to the tray icon shown (Xvfb + trayer, as the tray group measures
            it) and to the first capture acknowledged over the socket; offscreen when there
            is no X server or trayer (then no icon: the rows say so).

Without dist/wise/wise every row says "not built" (run `make bundle` first).
"""

from __future__ import annotations

import os
import re
from importlib import metadata
from pathlib import Path

from tests.benchmarks import seed
from tests.benchmarks.bench_tray import (
    TrayWatcher,
    XWatch,
    _cold_start,
    _settle,
    _socket_of,
    _stats,
    _stop_wise,
    _values,
    screen_session,
)
from tests.benchmarks.harness import (
    BIN,
    ROOT,
    Cmd,
    Row,
    Workspace,
    interleaved,
    med_p90,
    ratio,
)

GROUP = "bundle: PyInstaller one-folder vs the venv install"
BUNDLE = Path(os.environ.get("WISE_BUNDLE", ROOT / "dist" / "wise" / "wise"))


def run_bundle(ws: Workspace) -> list[Row]:
    if not BUNDLE.is_file():
        return [Row(GROUP, "bundle", "not built", note=f"no {BUNDLE}: run `make bundle`")]
    rows = _size_rows()
    runs = 5 if ws.quick else 20
    home = seed.fresh_wise_home(ws, 0, "bundle-cli")
    env = ws.env(WISE_HOME=str(home))
    venv, bundle = [str(BIN / "wise")], [str(BUNDLE)]
    Cmd([*venv, "capture", "seed"], env).once()  # the journal exists: no first-run migration
    floor = Cmd([str(BIN / "python"), "-c", "pass"], ws.env())
    ws.log(f"bundle vs venv: --version and capture, {runs} interleaved rounds ...")
    version = interleaved({"bundle": Cmd([*bundle, "--version"], env),
                           "venv": Cmd([*venv, "--version"], env), "floor": floor}, runs)
    capture = interleaved({"bundle": Cmd([*bundle, "capture", "a line to keep"], env),
                           "venv": Cmd([*venv, "capture", "a line to keep"], env)}, runs)
    for name, stats in (("wise --version", version), ("wise capture TEXT (no tray)", capture)):
        rows.append(Row(GROUP, f"{name}: bundle vs venv", med_p90(stats["bundle"]),
                        med_p90(stats["venv"]), ratio(stats["bundle"].median,
                                                      stats["venv"].median),
                        note=f"{runs} interleaved runs, a new process each"
                             + (f"; python -c pass: {med_p90(version['floor'])}"
                                if name == "wise --version" else "")))
    rows.extend(_tray_rows(ws, bundle, venv, 3 if ws.quick else 10))
    return rows


def _tray_rows(ws: Workspace, bundle: list[str], venv: list[str], runs: int) -> list[Row]:
    starts: dict[str, list] = {"bundle": [], "venv": []}
    with screen_session(ws) as screen:
        home = seed.fresh_wise_home(ws, 0, "bundle-tray")
        Cmd([*venv, "capture", "seed"], screen.env(ws, WISE_HOME=str(home))).once()
        sock_path = _socket_of(home, screen)
        env = screen.env(ws, WISE_HOME=str(home))
        watch = XWatch(screen.display) if screen.x else None
        watcher = TrayWatcher(watch) if watch else None
        ws.log(f"bundle vs venv: tray cold start ({screen.mode}), 1 + {runs} rounds ...")
        try:
            for round_no in range(-1, runs):  # round -1 warms the page cache
                for name, argv in (("bundle", bundle), ("venv", venv)):
                    start, proc = _cold_start(argv, env, watcher=watcher, sock_path=sock_path)
                    _stop_wise(proc, sock_path)
                    _settle(watcher)
                    if round_no >= 0:
                        starts[name].append(start)
        finally:
            if watch is not None:
                watch.close()
        mode, x = screen.mode, screen.x
    rows = []
    moments = (("shown", "tray icon shown"),) if x else ()
    for field, words in (*moments, ("ready", "tray ready to save (capture acked)")):
        a, b = (_stats(_values(starts[n], field),
                       sum(1 for s in starts[n] if s.error),
                       next((s.error for s in starts[n] if s.error), None))
                for n in ("bundle", "venv"))
        rows.append(Row(GROUP, f"{words}: bundle vs venv", med_p90(a), med_p90(b),
                        ratio(a.median, b.median),
                        note=f"{runs} interleaved runs each, {mode}"))
    return rows


def _size_rows() -> list[Row]:
    folder = BUNDLE.parent
    bundle_bytes = sum(p.lstat().st_size for p in folder.rglob("*") if not p.is_dir())
    debs = sorted(ROOT.glob("dist/wise_*.deb"))
    venv_bytes, count = _runtime_packages_bytes()
    rows = [Row(GROUP, "size on disk: bundle folder vs the venv's runtime packages",
                _mb(bundle_bytes), _mb(venv_bytes), ratio(bundle_bytes, venv_bytes),
                note=f"the bundle holds its own Python and system libraries; the venv "
                     f"figure is the files of the {count} packages in requirements.lock, "
                     f"without Python itself")]
    if debs:
        rows.append(Row(GROUP, "size: the .deb (zstd -9)", _mb(debs[-1].stat().st_size),
                        note=debs[-1].name))
    return rows


def _runtime_packages_bytes() -> tuple[int, int]:
    names = set(re.findall(r"^([A-Za-z0-9_.-]+)==", (ROOT / "requirements.lock").read_text(),
                           re.M))
    wanted = {_normalise(n) for n in names}
    total = count = 0
    for dist in metadata.distributions():
        if _normalise(dist.metadata["Name"]) not in wanted:
            continue
        count += 1
        for file in dist.files or ():
            path = Path(dist.locate_file(file))
            if path.is_file():
                total += path.stat().st_size
    return total, count


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _mb(size: int) -> str:
    return f"{size / 1_000_000:.0f} MB"


STEPS = (run_bundle,)
