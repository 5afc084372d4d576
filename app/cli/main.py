"""The `wise` command: argument parsing and dispatch, exit codes, and error wording.

Each command's module is imported only when that command runs, so `wise capture` pays
for the standard library and sqlite3 and nothing else.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from app import __version__
from app.errors import BadInput, WiseError
from app.vocabulary import CADENCE_PER_WEEK

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
_CADENCE_HELP = "times a week you want to touch it ({}-{})".format(*CADENCE_PER_WEEK)
Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one clear line on stderr and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise BadInput(f"{message} (see `{self.prog} --help`)")


def _json_flag() -> _Parser:
    # --json is accepted before or after any command; SUPPRESS keeps a sub-parser's
    # default from overwriting a --json given earlier on the line.
    flag = _Parser(add_help=False)
    flag.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                      help="print machine-readable JSON instead of text")
    return flag


def _subcommands(parser: argparse.ArgumentParser,
                 dest: str) -> Callable[[str, str], argparse.ArgumentParser]:
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

    def add(name: str, help_text: str, handler: Handler, **kwargs) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text,
                                  parents=[json_flag], **kwargs)
        sub.set_defaults(handler=handler)
        return sub

    tray = add("tray", "Start the tray app (what `wise` alone does).",
               _tray)
    tray.add_argument("tray_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    add("status", "Say whether the tray app is running, with its pid and socket.",
        _tray_status)

    opener = add("open", "Open one of the tray's windows (starting Wise if it is not running).",
                 _open)
    opener.add_argument("window", choices=("reflection", "review", "capture", "welcome"),
                        help="today's reflection, the goal review, quick capture, or the "
                             "first-run welcome")
    add("reflection", "Open today's reflection window (starting Wise if needed).",
        _open_reflection)
    add("review", "Open the goal review window (starting Wise if needed).",
        _open_review)

    capture = add("capture", "Capture a thought, a to-do or a win (see the capture syntax).",
                  _capture)
    capture.add_argument("text", nargs="*",
                         help="the text; quote it (a shell treats # as a comment). '-' reads "
                              "standard input; no text opens the quick-capture window")

    today = add("today", "Show today's journal: wins, to-dos due, notes.", _today)
    today.add_argument("--date", help="another journal day: YYYY-MM-DD, yesterday, tomorrow")

    _add_goal_commands(add)
    _add_action_commands(add)

    search = add("search", "Search notes and actions by their words, tags and goals.",
                 _search)
    search.add_argument("query", nargs="+", help="words to find (each matches as a prefix, "
                                                  "in the text, the tags or the goal's "
                                                  "title); #tag keeps only what carries it")
    search.add_argument("--limit", type=int, default=20, help="at most this many results")

    export = add("export", "Export the journal as JSON (complete) or Markdown (to read).",
                 _transfer_export)
    export.add_argument("--format", choices=("json", "markdown"), default="json")
    export.add_argument("-o", "--output", help="file to write, or - for standard output (the "
                        "default); a FIFO or a device is written through, never replaced")

    importer = add("import", "Import a Wise JSON export, or your past from another app "
                   "(jrnl, Day One, todo.txt, Markdown): all or nothing; safe to repeat.",
                   _transfer_import)
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

    add("backup", "Take a backup of the journal now.", _maintenance_backup)
    doctor = add("doctor", "Check the journal, search, schema, paths and keyring.",
                 _maintenance_doctor)
    doctor.add_argument("--repair", action="store_true",
                        help="first rewrite stored times that are not in the form Wise reads "
                             "(after a backup)")
    add("maintenance", "Run the nightly maintenance now (summaries, backup, search index).",
        _maintenance_nightly_now)
    add("migrate", "Create the journal or bring it to the current schema (backup first).",
        _maintenance_migrate)

    _add_config_commands(add)
    _add_model_commands(add)
    desktop = add("install-desktop", "Put Wise in your applications menu (the menu entry, "
                  "icons and app metadata, for you alone).", _desktop)
    desktop.add_argument("--uninstall", action="store_true",
                         help="take them away again, with the start-at-login entry (your "
                              "journal and settings stay)")
    _add_sync_commands(add)
    _add_eval_commands(add)
    return parser


def _add_eval_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    evals = add("eval", "Measure whether the companion is wise: run the open suite of "
                "scenarios against a model, or your own rated reflections (--mine).",
                _eval_help)
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
    run.set_defaults(handler=_eval_suite)
    show = sub("show", "print a past run's scorecard (and write its HTML report)")
    show.add_argument("run", nargs="?", default="last", help="its name, or 'last'")
    show.set_defaults(handler=_eval_show)
    compare = sub("compare", "show two runs side by side: what got better and worse")
    compare.add_argument("a", help="the first run (name or 'last')")
    compare.add_argument("b", help="the second run")
    compare.set_defaults(handler=_eval_compare)
    report = sub("report", "write the HTML report of every run (pass rates per check for "
                 "each model and prompt variant)")
    report.add_argument("-o", "--output", help="where to write it (default: in the data "
                        "folder)")
    report.set_defaults(handler=_eval_report)
    listing = sub("list", "list the scenarios in the suite")
    listing.set_defaults(handler=_eval_list)


def _add_sync_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    sync = add("sync", "Sync this journal with your other devices, end-to-end encrypted.",
               _sync_status)
    sub = _subcommands(sync, "sync_command")
    setup = sub("setup", "join a sync folder (or make a new one) with its passphrase")
    target = setup.add_mutually_exclusive_group(required=True)
    target.add_argument("--folder", help="a folder your devices share (Syncthing, Nextcloud, "
                                         "Dropbox, a USB stick...)")
    target.add_argument("--webdav", metavar="URL", help="a WebDAV folder, https://...")
    setup.add_argument("--user", help="the WebDAV user (its password is asked for)")
    setup.add_argument("--recovery-key", action="store_true",
                       help="join with the recovery key instead of the passphrase")
    setup.set_defaults(handler=_sync_setup)
    sub("now", "sync now: send this device's changes, apply the others', capture the inbox"
        ).set_defaults(handler=_sync_now)
    sub("status", "where this device syncs, when it last did, other devices, conflicts"
        ).set_defaults(handler=_sync_status)
    log = sub("log", "the last syncs and what went wrong in them")
    log.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    log.set_defaults(handler=_sync_log)
    resolve = sub("resolve", "answer a conflict: keep the text as it is, or the other version")
    resolve.add_argument("id", type=int, help="the conflict's number (wise sync status)")
    resolve.add_argument("--keep", choices=("current", "other"), required=True)
    resolve.set_defaults(handler=_sync_resolve)
    sub("off", "stop syncing this device (nothing is deleted anywhere)").set_defaults(
        handler=_sync_off)


def _add_model_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    reflect = add("reflect", "Reflect on a day with your model (or a plain summary without one).",
                  _reflect)
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
                    "with your model (nothing is saved).", _breakdown)
    what = breakdown.add_mutually_exclusive_group(required=True)
    what.add_argument("--goal", help="a goal's #tag (slug) or number")
    what.add_argument("--action", type=int, help="an action's number")
    what.add_argument("--text", help="what to break down, in a few words ('-' reads "
                                     "standard input)")
    breakdown.add_argument("--size", type=int, default=3,
                           help="1 = a few bigger steps ... 5 = the tiniest steps (default 3)")

    feedback = add("feedback", "Your feedback on reflections: export it as JSON lines.",
                   _feedback_export)
    feedback.set_defaults(output=None)
    feedback_sub = _subcommands(feedback, "feedback_command")
    export = feedback_sub("export", "write every feedback record as JSON lines")
    export.add_argument("-o", "--output", help="file to write, or - for standard output (the "
                        "default); a FIFO or a device is written through, never replaced")
    export.set_defaults(handler=_feedback_export)

    llm = add("llm", "Check the language model and what it costs.", _llm_usage)
    sub = _subcommands(llm, "llm_command")
    sub("test", "make one tiny structured call, held to the quality gate, and report "
        "shape, context, latency and cost").set_defaults(
        handler=_llm_test)
    sub("refused", "show the last model replies the quality gate refused").set_defaults(
        handler=_llm_refused)
    sub("usage", "this month's model calls and their cost").set_defaults(
        handler=_llm_usage)

    add("schedule", "List the scheduled check-ins, reflections, nudges and maintenance.",
        _schedule)
    nudge = add("nudge", "What the nudge policy would do right now, and why.",
                _nudge)
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
              _key_status)
    keys = _subcommands(key, "key_command")
    setter = keys("set", "store a key (read from a hidden prompt or standard input)")
    setter.add_argument("provider", help="e.g. openai, anthropic, gemini")
    setter.set_defaults(handler=_key_set)
    deleter = keys("delete", "remove a stored key")
    deleter.add_argument("provider")
    deleter.set_defaults(handler=_key_delete)
    keys("status", "which providers have a key, and where it comes from").set_defaults(
        handler=_key_status)


def _add_focus_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    focus = add("focus", "Start a step now, with a visible timer; see or change the session.",
                _focus_status)
    sub = _subcommands(focus, "focus_command")
    start = sub("start", "start a step by its number or its words")
    start.add_argument("step", nargs="+", help="the step's number, or its words (an open step "
                                               "with those words, else a new step)")
    start.add_argument("--minutes", type=int, help="how long (default: the step's estimate, "
                                                   "or two minutes)")
    start.set_defaults(handler=_focus_start)
    for name, help_text, handler in (
            ("status", "the running session and the time left", _focus_status),
            ("pause", "pause the running session", _focus_pause),
            ("resume", "resume a paused session", _focus_resume),
            ("done", "the step is done: end the session and tick it off", _focus_done),
            ("stop", "stop here (the time given is kept)", _focus_stop),
            ("calibration", "how long your steps really take, per size of estimate",
             _focus_calibration)):
        sub(name, help_text).set_defaults(handler=handler)
    extend = sub("extend", "give the running session more minutes")
    extend.add_argument("minutes", type=int)
    extend.set_defaults(handler=_focus_extend)


def _add_goal_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    goals = add("goals", "Add and list goals; pause, resume, finish or archive them.",
                _goals_list)
    sub = _subcommands(goals, "goals_command")
    new = sub("add", "add a goal and its why")
    new.add_argument("title")
    new.add_argument("--why", default="", help="why this goal matters to you")
    new.add_argument("--cadence", type=int, help=_CADENCE_HELP)
    new.add_argument("--slug", help="the #tag that links captures to it (default: from title)")
    new.add_argument("--link", action="store_true",
                     help="also link the items tagged with its #tag before it existed")
    new.set_defaults(handler=_goals_add)
    link = sub("link", "link the items tagged with a goal's #tag before the goal existed")
    link.add_argument("goal", help="the goal's #tag (slug) or number")
    link.set_defaults(handler=_goals_link)
    listing = sub("list", "list goals")
    listing.add_argument("--all", action="store_true", help="include done and archived goals")
    listing.set_defaults(handler=_goals_list)
    goals.set_defaults(all=False)
    for verb, text in (("pause", "pause a goal (no guilt: it waits for you)"),
                       ("resume", "make a paused goal active again"),
                       ("done", "mark a goal as achieved"),
                       ("archive", "retire a goal you no longer want")):
        change = sub(verb, text)
        change.add_argument("goal", help="the goal's #tag (slug) or number")
        change.set_defaults(handler=_goals_status, verb=verb)
    edit = sub("edit", "change a goal's title, why or weekly rhythm (its #tag stays)")
    edit.add_argument("goal", help="the goal's #tag (slug) or number")
    edit.add_argument("--title", help="the new title")
    edit.add_argument("--why", help="the new why ('' clears it)")
    rhythm = edit.add_mutually_exclusive_group()
    rhythm.add_argument("--cadence", type=int, help=_CADENCE_HELP)
    rhythm.add_argument("--no-cadence", action="store_true", help="no weekly rhythm")
    edit.set_defaults(handler=_goals_edit)
    review = sub("review", "is each goal alive, still wanted, and what is the smallest step "
                           "(with your model, or from your data alone)")
    review.add_argument("goal", nargs="?", help="review only this goal (#tag or number)")
    review.set_defaults(handler=_goals_review)


def _add_action_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    actions = add("actions", "List open actions; mark them done or drop them.",
                  _actions_list)
    actions.set_defaults(status="open", goal=None)
    sub = _subcommands(actions, "actions_command")
    listing = sub("list", "list actions")
    listing.add_argument("--status", choices=("open", "done", "dropped", "all"), default="open")
    listing.add_argument("--goal", help="only this goal's actions (#tag or number)")
    listing.set_defaults(handler=_actions_list)
    for verb, text in (("done", "mark an action as done"), ("drop", "let an action go")):
        change = sub(verb, text)
        change.add_argument("id", type=int, help="the action's number")
        change.set_defaults(handler=_actions_status, verb=verb)


def _add_config_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    config = add("config", "Show and change settings.", _config_list)
    sub = _subcommands(config, "config_command")
    sub("list", "every setting with its value").set_defaults(
        handler=_config_list)
    get = sub("get", "one setting's value")
    get.add_argument("key")
    get.set_defaults(handler=_config_get)
    setter = sub("set", "change a setting")
    setter.add_argument("key")
    setter.add_argument("value")
    setter.set_defaults(handler=_config_set)
    reset = sub("reset", "put a setting back to its default")
    reset.add_argument("key")
    reset.set_defaults(handler=_config_reset)
    sub("path", "where the settings file is").set_defaults(
        handler=_config_path)


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


# Each command's handler imports the command's module only when it runs, so that parsing
# `wise capture` loads no other command (and mypy checks every name and signature here).


def _tray(args: argparse.Namespace) -> int:
    from app.cli.tray_cmd import run_tray
    return run_tray(args)


def _tray_status(args: argparse.Namespace) -> int:
    from app.cli.tray_cmd import run_status
    return run_status(args)


def _open(args: argparse.Namespace) -> int:
    from app.cli.open_cmd import run
    return run(args)


def _open_reflection(args: argparse.Namespace) -> int:
    from app.cli.open_cmd import run_reflection
    return run_reflection(args)


def _open_review(args: argparse.Namespace) -> int:
    from app.cli.open_cmd import run_review
    return run_review(args)


def _capture(args: argparse.Namespace) -> int:
    from app.cli.capture_cmd import run
    return run(args)


def _today(args: argparse.Namespace) -> int:
    from app.cli.today_cmd import run
    return run(args)


def _search(args: argparse.Namespace) -> int:
    from app.cli.search_cmd import run
    return run(args)


def _transfer_export(args: argparse.Namespace) -> int:
    from app.cli.transfer_cmd import run_export
    return run_export(args)


def _transfer_import(args: argparse.Namespace) -> int:
    from app.cli.transfer_cmd import run_import
    return run_import(args)


def _maintenance_backup(args: argparse.Namespace) -> int:
    from app.cli.maintenance_cmd import run_backup
    return run_backup(args)


def _maintenance_doctor(args: argparse.Namespace) -> int:
    from app.cli.maintenance_cmd import run_doctor
    return run_doctor(args)


def _maintenance_nightly_now(args: argparse.Namespace) -> int:
    from app.cli.maintenance_cmd import run_nightly_now
    return run_nightly_now(args)


def _maintenance_migrate(args: argparse.Namespace) -> int:
    from app.cli.maintenance_cmd import run_migrate
    return run_migrate(args)


def _desktop(args: argparse.Namespace) -> int:
    from app.cli.desktop_cmd import run
    return run(args)


def _eval_help(args: argparse.Namespace) -> int:
    from app.cli.eval_cmd import run_help
    return run_help(args)


def _eval_suite(args: argparse.Namespace) -> int:
    from app.cli.eval_cmd import run_suite
    return run_suite(args)


def _eval_show(args: argparse.Namespace) -> int:
    from app.cli.eval_cmd import run_show
    return run_show(args)


def _eval_compare(args: argparse.Namespace) -> int:
    from app.cli.eval_cmd import run_compare
    return run_compare(args)


def _eval_report(args: argparse.Namespace) -> int:
    from app.cli.eval_cmd import run_report
    return run_report(args)


def _eval_list(args: argparse.Namespace) -> int:
    from app.cli.eval_cmd import run_list
    return run_list(args)


def _sync_status(args: argparse.Namespace) -> int:
    from app.cli.sync_cmd import run_status
    return run_status(args)


def _sync_setup(args: argparse.Namespace) -> int:
    from app.cli.sync_cmd import run_setup
    return run_setup(args)


def _sync_now(args: argparse.Namespace) -> int:
    from app.cli.sync_cmd import run_now
    return run_now(args)


def _sync_log(args: argparse.Namespace) -> int:
    from app.cli.sync_cmd import run_log
    return run_log(args)


def _sync_resolve(args: argparse.Namespace) -> int:
    from app.cli.sync_cmd import run_resolve
    return run_resolve(args)


def _sync_off(args: argparse.Namespace) -> int:
    from app.cli.sync_cmd import run_off
    return run_off(args)


def _reflect(args: argparse.Namespace) -> int:
    from app.cli.reflect_cmd import run
    return run(args)


def _breakdown(args: argparse.Namespace) -> int:
    from app.cli.breakdown_cmd import run
    return run(args)


def _feedback_export(args: argparse.Namespace) -> int:
    from app.cli.feedback_cmd import run_export
    return run_export(args)


def _llm_usage(args: argparse.Namespace) -> int:
    from app.cli.llm_cmd import run_usage
    return run_usage(args)


def _llm_test(args: argparse.Namespace) -> int:
    from app.cli.llm_cmd import run_test
    return run_test(args)


def _llm_refused(args: argparse.Namespace) -> int:
    from app.cli.llm_cmd import run_refused
    return run_refused(args)


def _schedule(args: argparse.Namespace) -> int:
    from app.cli.schedule_cmd import run
    return run(args)


def _nudge(args: argparse.Namespace) -> int:
    from app.cli.nudge_cmd import run
    return run(args)


def _key_status(args: argparse.Namespace) -> int:
    from app.cli.key_cmd import run_status
    return run_status(args)


def _key_set(args: argparse.Namespace) -> int:
    from app.cli.key_cmd import run_set
    return run_set(args)


def _key_delete(args: argparse.Namespace) -> int:
    from app.cli.key_cmd import run_delete
    return run_delete(args)


def _focus_status(args: argparse.Namespace) -> int:
    from app.cli.focus_cmd import run_status
    return run_status(args)


def _focus_start(args: argparse.Namespace) -> int:
    from app.cli.focus_cmd import run_start
    return run_start(args)


def _focus_pause(args: argparse.Namespace) -> int:
    from app.cli.focus_cmd import run_pause
    return run_pause(args)


def _focus_resume(args: argparse.Namespace) -> int:
    from app.cli.focus_cmd import run_resume
    return run_resume(args)


def _focus_done(args: argparse.Namespace) -> int:
    from app.cli.focus_cmd import run_done
    return run_done(args)


def _focus_stop(args: argparse.Namespace) -> int:
    from app.cli.focus_cmd import run_stop
    return run_stop(args)


def _focus_calibration(args: argparse.Namespace) -> int:
    from app.cli.focus_cmd import run_calibration
    return run_calibration(args)


def _focus_extend(args: argparse.Namespace) -> int:
    from app.cli.focus_cmd import run_extend
    return run_extend(args)


def _goals_list(args: argparse.Namespace) -> int:
    from app.cli.goals_cmd import run_list
    return run_list(args)


def _goals_add(args: argparse.Namespace) -> int:
    from app.cli.goals_cmd import run_add
    return run_add(args)


def _goals_link(args: argparse.Namespace) -> int:
    from app.cli.goals_cmd import run_link
    return run_link(args)


def _goals_status(args: argparse.Namespace) -> int:
    from app.cli.goals_cmd import run_status
    return run_status(args)


def _goals_edit(args: argparse.Namespace) -> int:
    from app.cli.goals_cmd import run_edit
    return run_edit(args)


def _goals_review(args: argparse.Namespace) -> int:
    from app.cli.goals_cmd import run_review
    return run_review(args)


def _actions_list(args: argparse.Namespace) -> int:
    from app.cli.actions_cmd import run_list
    return run_list(args)


def _actions_status(args: argparse.Namespace) -> int:
    from app.cli.actions_cmd import run_status
    return run_status(args)


def _config_list(args: argparse.Namespace) -> int:
    from app.cli.config_cmd import run_list
    return run_list(args)


def _config_get(args: argparse.Namespace) -> int:
    from app.cli.config_cmd import run_get
    return run_get(args)


def _config_set(args: argparse.Namespace) -> int:
    from app.cli.config_cmd import run_set
    return run_set(args)


def _config_reset(args: argparse.Namespace) -> int:
    from app.cli.config_cmd import run_reset
    return run_reset(args)


def _config_path(args: argparse.Namespace) -> int:
    from app.cli.config_cmd import run_path
    return run_path(args)


if __name__ == "__main__":
    sys.exit(main())
