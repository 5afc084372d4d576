"""The `wise` command: argument parsing and dispatch, exit codes, and error wording.

Each command's module is imported only when that command runs, so `wise capture` pays
for the standard library and sqlite3 and nothing else.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from app import __version__
from app.errors import BadInput, WiseError
from app.vocabulary import CADENCE_PER_WEEK

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
_CADENCE_HELP = "times a week you want to touch it ({}-{})".format(*CADENCE_PER_WEEK)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one clear line on stderr and exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise BadInput(f"{message} (see `{self.prog} --help`)")


def _command(module: str, function: str = "run") -> Callable[[argparse.Namespace], int]:
    def invoke(args: argparse.Namespace) -> int:
        import importlib

        return getattr(importlib.import_module(f"app.cli.{module}"), function)(args)

    return invoke


def _json_flag() -> argparse.ArgumentParser:
    # --json is accepted before or after any command; SUPPRESS keeps a sub-parser's
    # default from overwriting a --json given earlier on the line.
    flag = argparse.ArgumentParser(add_help=False)
    flag.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                      help="print machine-readable JSON instead of text")
    return flag


def _subcommands(parser: argparse.ArgumentParser, dest: str) -> Callable:
    """add_subparsers, where every sub-command also accepts --json."""
    group = parser.add_subparsers(dest=dest, metavar="ACTION", parser_class=_Parser)
    flag = _json_flag()

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return group.add_parser(name, help=help_text, description=help_text[:1].upper()
                                + help_text[1:] + ".", parents=[flag])

    return add


def build_parser() -> argparse.ArgumentParser:
    json_flag = _json_flag()
    parser = _Parser(prog="wise", parents=[json_flag],
                     description="Wise: capture thoughts, keep your goals and their whys alive.")
    parser.add_argument("--version", action="version", version=f"wise {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def add(name: str, help_text: str, handler: Callable, **kwargs) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text,
                                  parents=[json_flag], **kwargs)
        sub.set_defaults(handler=handler)
        return sub

    tray = add("tray", "Start the tray app (what `wise` alone does).",
               _command("tray_cmd", "run_tray"))
    tray.add_argument("tray_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    add("status", "Say whether the tray app is running, with its pid and socket.",
        _command("tray_cmd", "run_status"))

    opener = add("open", "Open one of the tray's windows (starting Wise if it is not running).",
                 _command("open_cmd"))
    opener.add_argument("window", choices=("reflection", "review", "capture", "welcome"),
                        help="today's reflection, the goal review, quick capture, or the "
                             "first-run welcome")
    add("reflection", "Open today's reflection window (starting Wise if needed).",
        _command("open_cmd", "run_reflection"))
    add("review", "Open the goal review window (starting Wise if needed).",
        _command("open_cmd", "run_review"))

    capture = add("capture", "Capture a thought, a to-do or a win (see the capture syntax).",
                  _command("capture_cmd"))
    capture.add_argument("text", nargs="*",
                         help="the text; quote it (a shell treats # as a comment). '-' reads "
                              "standard input; no text opens the quick-capture window")

    today = add("today", "Show today's journal: wins, to-dos due, notes.", _command("today_cmd"))
    today.add_argument("--date", help="another journal day: YYYY-MM-DD, yesterday, tomorrow")

    _add_goal_commands(add)
    _add_action_commands(add)

    search = add("search", "Search notes and actions by their words, tags and goals.",
                 _command("search_cmd"))
    search.add_argument("query", nargs="+", help="words to find (each matches as a prefix, "
                                                  "in the text, the tags or the goal's "
                                                  "title); #tag keeps only what carries it")
    search.add_argument("--limit", type=int, default=20, help="at most this many results")

    export = add("export", "Export the journal as JSON (complete) or Markdown (to read).",
                 _command("transfer_cmd", "run_export"))
    export.add_argument("--format", choices=("json", "markdown"), default="json")
    export.add_argument("-o", "--output", help="file to write, or - for standard output (the "
                        "default); a FIFO or a device is written through, never replaced")

    importer = add("import", "Import a Wise JSON export, or your past from another app "
                   "(jrnl, Day One, todo.txt, Markdown): all or nothing; safe to repeat.",
                   _command("transfer_cmd", "run_import"))
    importer.add_argument("file", help="a file made by `wise export --format json`, or with "
                          "--from: the other app's export (Day One: its zip or folder)")
    importer.add_argument("--from", dest="source_format", default="wise",
                          choices=("wise", "jrnl", "dayone", "todotxt", "markdown", "auto"),
                          help="what the file is (default: a Wise export; auto: guess)")
    importer.add_argument("--tz", help="the time zone of times the file writes without one "
                          "(jrnl, todo.txt, Markdown): a name like Europe/Paris, UTC or "
                          "+02:00; default: this computer's")
    importer.add_argument("--dry-run", action="store_true",
                          help="with --from: check everything and say what would come in, "
                               "writing nothing")

    add("backup", "Take a backup of the journal now.", _command("maintenance_cmd", "run_backup"))
    doctor = add("doctor", "Check the journal, search, schema, paths and keyring.",
                 _command("maintenance_cmd", "run_doctor"))
    doctor.add_argument("--repair", action="store_true",
                        help="first rewrite stored times that are not in the form Wise reads "
                             "(after a backup)")
    add("maintenance", "Run the nightly maintenance now (summaries, backup, search index).",
        _command("maintenance_cmd", "run_nightly_now"))
    add("migrate", "Create the journal or bring it to the current schema (backup first).",
        _command("maintenance_cmd", "run_migrate"))

    _add_config_commands(add)
    _add_model_commands(add)
    desktop = add("install-desktop", "Put Wise in your applications menu (the menu entry, "
                  "icons and app metadata, for you alone).", _command("desktop_cmd"))
    desktop.add_argument("--uninstall", action="store_true",
                         help="take them away again, with the start-at-login entry (your "
                              "journal and settings stay)")
    _add_sync_commands(add)
    _add_eval_commands(add)
    return parser


def _add_eval_commands(add: Callable) -> None:
    evals = add("eval", "Measure whether the companion is wise: run the open suite of "
                "scenarios against a model, or your own rated reflections (--mine).",
                _command("eval_cmd", "run_help"))
    evals.add_argument("--mine", action="store_true",
                       help="re-run your own rated reflections against the model and show "
                            "old and new side by side with your rating (stays on this "
                            "machine)")
    evals.add_argument("--model", help="with --mine: the model to ask (default: yours)")
    evals.add_argument("--limit", type=int, default=10, help="with --mine: at most this many")
    sub = _subcommands(evals, "eval_command")
    run = sub("run", "run the suite against a model and print its scorecard")
    run.add_argument("--model", help="the model, as for llm.model (default: the one set); "
                     "nothing is sent to any other")
    run.add_argument("--api-base", help="its server (default: llm.api_base)")
    run.add_argument("--prompt", help="NAME@VARIANT, e.g. daily_reflection@brief (default: "
                     "each purpose's default variant)")
    run.add_argument("--scenario", help="only scenarios (or purposes) matching this glob")
    run.add_argument("--repeat", type=int, default=1, help="run each scenario N times")
    run.add_argument("--judge", help="also score replies with this model (a rubric, "
                     "repeated; never part of the deterministic score)")
    run.add_argument("--judge-repeat", type=int, default=3, help="judgments per reply")
    run.add_argument("--context-tokens", type=int, help="the server's context window, as "
                     "llm.context_tokens (default: learned, or 2,048 for a local server, "
                     "which gets the compact prompts first)")
    run.add_argument("--resume", metavar="RUN", help="carry on a run cut short ('last' or "
                     "its name)")
    run.add_argument("--no-report", action="store_true", help="do not write the HTML report")
    run.set_defaults(handler=_command("eval_cmd", "run_suite"))
    show = sub("show", "print a past run's scorecard (and write its HTML report)")
    show.add_argument("run", nargs="?", default="last", help="its name, or 'last'")
    show.set_defaults(handler=_command("eval_cmd", "run_show"))
    compare = sub("compare", "show two runs side by side: what got better and worse")
    compare.add_argument("a", help="the first run (name or 'last')")
    compare.add_argument("b", help="the second run")
    compare.set_defaults(handler=_command("eval_cmd", "run_compare"))
    report = sub("report", "write the HTML report of every run (pass rates per check for "
                 "each model and prompt variant)")
    report.add_argument("-o", "--output", help="where to write it (default: in the data "
                        "folder)")
    report.set_defaults(handler=_command("eval_cmd", "run_report"))
    listing = sub("list", "list the scenarios in the suite")
    listing.set_defaults(handler=_command("eval_cmd", "run_list"))


def _add_sync_commands(add: Callable) -> None:
    sync = add("sync", "Sync this journal with your other devices, end-to-end encrypted.",
               _command("sync_cmd", "run_status"))
    sub = _subcommands(sync, "sync_command")
    setup = sub("setup", "join a sync folder (or make a new one) with its passphrase")
    target = setup.add_mutually_exclusive_group(required=True)
    target.add_argument("--folder", help="a folder your devices share (Syncthing, Nextcloud, "
                                         "Dropbox, a USB stick...)")
    target.add_argument("--webdav", metavar="URL", help="a WebDAV folder, https://...")
    setup.add_argument("--user", help="the WebDAV user (its password is asked for)")
    setup.add_argument("--recovery-key", action="store_true",
                       help="join with the recovery key instead of the passphrase")
    setup.set_defaults(handler=_command("sync_cmd", "run_setup"))
    sub("now", "sync now: send this device's changes, apply the others', capture the inbox"
        ).set_defaults(handler=_command("sync_cmd", "run_now"))
    sub("status", "where this device syncs, when it last did, other devices, conflicts"
        ).set_defaults(handler=_command("sync_cmd", "run_status"))
    log = sub("log", "the last syncs and what went wrong in them")
    log.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    log.set_defaults(handler=_command("sync_cmd", "run_log"))
    resolve = sub("resolve", "answer a conflict: keep the text as it is, or the other version")
    resolve.add_argument("id", type=int, help="the conflict's number (wise sync status)")
    resolve.add_argument("--keep", choices=("current", "other"), required=True)
    resolve.set_defaults(handler=_command("sync_cmd", "run_resolve"))
    sub("off", "stop syncing this device (nothing is deleted anywhere)").set_defaults(
        handler=_command("sync_cmd", "run_off"))


def _add_model_commands(add: Callable) -> None:
    reflect = add("reflect", "Reflect on a day with your model (or a plain summary without one).",
                  _command("reflect_cmd"))
    reflect.add_argument("--date", help="the journal day: YYYY-MM-DD, today, yesterday or "
                                        "tomorrow (default: today)")
    reflect.add_argument("--dry-run", action="store_true",
                         help="print exactly what would be sent, with tokens and cost; send "
                              "nothing")
    reflect.add_argument("--words", default=None,
                         help="how the day went, in your words; '-' reads them from "
                              "standard input (default: the words saved for that day in "
                              "the reflection window)")
    reflect.add_argument("--stream", action="store_true",
                         help="print JSON lines as the reflection arrives (start, delta, "
                              "done | error | cancelled); SIGTERM cancels cleanly")

    breakdown = add("breakdown", "Break a goal, an action or a line of text into micro-steps "
                    "with your model (nothing is saved).", _command("breakdown_cmd"))
    what = breakdown.add_mutually_exclusive_group(required=True)
    what.add_argument("--goal", help="a goal's #tag (slug) or number")
    what.add_argument("--action", type=int, help="an action's number")
    what.add_argument("--text", help="what to break down, in a few words ('-' reads "
                                     "standard input)")
    breakdown.add_argument("--size", type=int, default=3,
                           help="1 = a few bigger steps ... 5 = the tiniest steps (default 3)")

    feedback = add("feedback", "Your feedback on reflections: export it as JSON lines.",
                   _command("feedback_cmd", "run_export"))
    feedback.set_defaults(output=None)
    feedback_sub = _subcommands(feedback, "feedback_command")
    export = feedback_sub("export", "write every feedback record as JSON lines")
    export.add_argument("-o", "--output", help="file to write, or - for standard output (the "
                        "default); a FIFO or a device is written through, never replaced")
    export.set_defaults(handler=_command("feedback_cmd", "run_export"))

    llm = add("llm", "Check the language model and what it costs.", _command("llm_cmd",
                                                                          "run_usage"))
    sub = _subcommands(llm, "llm_command")
    sub("test", "make one tiny structured call, held to the quality gate, and report "
        "shape, context, latency and cost").set_defaults(
        handler=_command("llm_cmd", "run_test"))
    sub("refused", "show the last model replies the quality gate refused").set_defaults(
        handler=_command("llm_cmd", "run_refused"))
    sub("usage", "this month's model calls and their cost").set_defaults(
        handler=_command("llm_cmd", "run_usage"))

    add("schedule", "List the scheduled check-ins, reflections, nudges and maintenance.",
        _command("schedule_cmd"))
    nudge = add("nudge", "What the nudge policy would do right now, and why.",
                _command("nudge_cmd"))
    nudge.add_argument("--dry-run", action="store_true",
                       help="decide and explain, but send and record nothing")
    nudge.add_argument("--tick", action="store_true",
                       help="decide and, when a step is chosen, record the nudge (what the "
                            "tray runs every 15 minutes)")
    nudge.add_argument("--busy", action="store_true",
                       help="with --tick: the user is busy (e.g. in full screen)")
    nudge.add_argument("--respond", nargs=2, metavar=("ID", "RESPONSE"),
                       help="record the answer to nudge ID (done, snooze, not_today, ...)")
    nudge.add_argument("--learned", action="store_true",
                       help="say in plain words what Wise has learned about when and how "
                            "to nudge you")
    nudge.add_argument("--reset-learning", action="store_true",
                       help="forget what Wise has learned (your answers are kept, but only "
                            "new ones count from now on)")

    _add_focus_commands(add)

    key = add("key", "Keep a model provider's API key in your system's keyring.",
              _command("key_cmd", "run_status"))
    keys = _subcommands(key, "key_command")
    setter = keys("set", "store a key (read from a hidden prompt or standard input)")
    setter.add_argument("provider", help="e.g. openai, anthropic, gemini")
    setter.set_defaults(handler=_command("key_cmd", "run_set"))
    deleter = keys("delete", "remove a stored key")
    deleter.add_argument("provider")
    deleter.set_defaults(handler=_command("key_cmd", "run_delete"))
    keys("status", "which providers have a key, and where it comes from").set_defaults(
        handler=_command("key_cmd", "run_status"))


def _add_focus_commands(add: Callable) -> None:
    focus = add("focus", "Start a step now, with a visible timer; see or change the session.",
                _command("focus_cmd", "run_status"))
    sub = _subcommands(focus, "focus_command")
    start = sub("start", "start a step by its number or its words")
    start.add_argument("step", nargs="+", help="the step's number, or its words (an open step "
                                               "with those words, else a new step)")
    start.add_argument("--minutes", type=int, help="how long (default: the step's estimate, "
                                                   "or two minutes)")
    start.set_defaults(handler=_command("focus_cmd", "run_start"))
    for name, help_text in (("status", "the running session and the time left"),
                            ("pause", "pause the running session"),
                            ("resume", "resume a paused session"),
                            ("done", "the step is done: end the session and tick it off"),
                            ("stop", "stop here (the time given is kept)"),
                            ("calibration", "how long your steps really take, per size of "
                                            "estimate")):
        sub(name, help_text).set_defaults(handler=_command("focus_cmd", f"run_{name}"))
    extend = sub("extend", "give the running session more minutes")
    extend.add_argument("minutes", type=int)
    extend.set_defaults(handler=_command("focus_cmd", "run_extend"))


def _add_goal_commands(add: Callable) -> None:
    goals = add("goals", "Add and list goals; pause, resume, finish or archive them.",
                _command("goals_cmd", "run_list"))
    sub = _subcommands(goals, "goals_command")
    new = sub("add", "add a goal and its why")
    new.add_argument("title")
    new.add_argument("--why", default="", help="why this goal matters to you")
    new.add_argument("--cadence", type=int, help=_CADENCE_HELP)
    new.add_argument("--slug", help="the #tag that links captures to it (default: from title)")
    new.add_argument("--link", action="store_true",
                     help="also link the items tagged with its #tag before it existed")
    new.set_defaults(handler=_command("goals_cmd", "run_add"))
    link = sub("link", "link the items tagged with a goal's #tag before the goal existed")
    link.add_argument("goal", help="the goal's #tag (slug) or number")
    link.set_defaults(handler=_command("goals_cmd", "run_link"))
    listing = sub("list", "list goals")
    listing.add_argument("--all", action="store_true", help="include done and archived goals")
    listing.set_defaults(handler=_command("goals_cmd", "run_list"))
    goals.set_defaults(all=False)
    for verb, text in (("pause", "pause a goal (no guilt: it waits for you)"),
                       ("resume", "make a paused goal active again"),
                       ("done", "mark a goal as achieved"),
                       ("archive", "retire a goal you no longer want")):
        change = sub(verb, text)
        change.add_argument("goal", help="the goal's #tag (slug) or number")
        change.set_defaults(handler=_command("goals_cmd", "run_status"), verb=verb)
    edit = sub("edit", "change a goal's title, why or weekly rhythm (its #tag stays)")
    edit.add_argument("goal", help="the goal's #tag (slug) or number")
    edit.add_argument("--title", help="the new title")
    edit.add_argument("--why", help="the new why ('' clears it)")
    rhythm = edit.add_mutually_exclusive_group()
    rhythm.add_argument("--cadence", type=int, help=_CADENCE_HELP)
    rhythm.add_argument("--no-cadence", action="store_true", help="no weekly rhythm")
    edit.set_defaults(handler=_command("goals_cmd", "run_edit"))
    review = sub("review", "is each goal alive, still wanted, and what is the smallest step "
                           "(with your model, or from your data alone)")
    review.add_argument("goal", nargs="?", help="review only this goal (#tag or number)")
    review.set_defaults(handler=_command("goals_cmd", "run_review"))


def _add_action_commands(add: Callable) -> None:
    actions = add("actions", "List open actions; mark them done or drop them.",
                  _command("actions_cmd", "run_list"))
    actions.set_defaults(status="open", goal=None)
    sub = _subcommands(actions, "actions_command")
    listing = sub("list", "list actions")
    listing.add_argument("--status", choices=("open", "done", "dropped", "all"), default="open")
    listing.add_argument("--goal", help="only this goal's actions (#tag or number)")
    listing.set_defaults(handler=_command("actions_cmd", "run_list"))
    for verb, text in (("done", "mark an action as done"), ("drop", "let an action go")):
        change = sub(verb, text)
        change.add_argument("id", type=int, help="the action's number")
        change.set_defaults(handler=_command("actions_cmd", "run_status"), verb=verb)


def _add_config_commands(add: Callable) -> None:
    config = add("config", "Show and change settings.", _command("config_cmd", "run_list"))
    sub = _subcommands(config, "config_command")
    sub("list", "every setting with its value").set_defaults(
        handler=_command("config_cmd", "run_list"))
    get = sub("get", "one setting's value")
    get.add_argument("key")
    get.set_defaults(handler=_command("config_cmd", "run_get"))
    setter = sub("set", "change a setting")
    setter.add_argument("key")
    setter.add_argument("value")
    setter.set_defaults(handler=_command("config_cmd", "run_set"))
    reset = sub("reset", "put a setting back to its default")
    reset.add_argument("key")
    reset.set_defaults(handler=_command("config_cmd", "run_reset"))
    sub("path", "where the settings file is").set_defaults(
        handler=_command("config_cmd", "run_path"))


def main(argv: Sequence[str] | None = None) -> int:
    # Everything Wise writes (journal, backups, exports, logs) is for the user's eyes only.
    os.umask(0o077)
    try:
        args = build_parser().parse_args(argv)
        _refuse_undecodable(args)
        if not getattr(args, "json", False):
            args.json = False
        handler = getattr(args, "handler", None)
        if handler is None:
            # Reached only as `python -m app.cli.main`: `wise` alone starts the tray.
            build_parser().print_help()
            return EXIT_OK
        return handler(args)
    except BadInput as exc:
        print(f"wise: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except WiseError as exc:
        print(f"wise: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("wise: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `wise export | head`: the reader left; that is not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        known = _known_failure(exc)
        if known is None:
            raise  # a bug: the traceback is the most useful report
        code, message = known
        print(f"wise: {message}", file=sys.stderr)
        return code


# File names may hold bytes that are not UTF-8 (they are still the file's name), and a
# capture's text has them replaced (app.cli.capture_cmd.argv_text); anything else would
# fail deep inside SQLite or a file write with "surrogates not allowed".
_BYTES_ALLOWED = {"output", "file", "tray_args"}


def _refuse_undecodable(args: argparse.Namespace) -> None:
    from app.capture.validate import broken_characters

    for name, value in vars(args).items():
        if name in _BYTES_ALLOWED or (name == "text" and args.command == "capture"):
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and broken_characters(item):
                shown = name.replace("_", "-").upper()
                raise BadInput(f"{shown} is not valid UTF-8 text (was it typed or pasted in "
                               "another encoding?); nothing was done")


def _known_failure(exc: Exception) -> tuple[int, str] | None:
    """Storage and OS errors from any layer, worded for a person; None for real bugs."""
    from storage.clock import ClockShiftInvalid
    from storage.errors import ImportRejected, StorageError

    if isinstance(exc, ClockShiftInvalid | ImportRejected):
        return EXIT_BAD_INPUT, str(exc)
    if isinstance(exc, StorageError):
        return EXIT_FAILURE, str(exc)
    message = _storage_message(exc)
    return None if message is None else (EXIT_FAILURE, message)


def _storage_message(exc: Exception) -> str | None:
    from storage.errors import explain_sqlite_error, sqlite_error_of

    failure = sqlite_error_of(exc)
    if failure is not None:
        from app.paths import resolve_paths

        return str(explain_sqlite_error(failure, resolve_paths().db))
    if isinstance(exc, OSError):
        return f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)
    return None


if __name__ == "__main__":
    sys.exit(main())
