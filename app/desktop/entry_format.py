"""Writing values into a desktop entry (the freedesktop.org Desktop Entry spec): the Exec
key's quoting and the string escapes."""

from __future__ import annotations

from collections.abc import Sequence

from app.paths import HOME_ENV

# "The Exec key": an argument holding any of these must be quoted...
_EXEC_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
# ...and inside double quotes these four must be backslash-escaped.
_EXEC_ESCAPED_IN_QUOTES = set('"`$\\')


def launch_argv(command: Sequence[str], wise_home: str = "") -> list[str]:
    """The argv an entry runs: `command`, started on the Wise home `wise_home` when one
    is given (else the default home)."""
    if not wise_home:
        return list(command)
    # `env` as the program: the spec forbids "=" in the program name itself.
    return ["env", f"{HOME_ENV}={wise_home}", *command]


def exec_value(argv: Sequence[str]) -> str:
    """argv -> the Exec key's value: each argument quoted by the Exec rules, "%" doubled
    (it starts a field code), then the whole escaped as a desktop-file string."""
    return escape_string(" ".join(_quote_exec_argument(arg) for arg in argv))


def _quote_exec_argument(arg: str) -> str:
    arg = arg.replace("%", "%%")
    if arg and not _EXEC_RESERVED.intersection(arg):
        return arg
    inner = "".join(f"\\{ch}" if ch in _EXEC_ESCAPED_IN_QUOTES else ch for ch in arg)
    return f'"{inner}"'


def escape_string(value: str) -> str:
    """A desktop-file string value: backslash, newline, tab and carriage return escaped."""
    # The string escapes apply to the file's text, before the Exec quoting is undone.
    return (value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
            .replace("\r", "\\r"))
