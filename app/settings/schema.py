"""Every setting Wise has, declared once with its type, default and help.

Later features add their options here; `wise config`, the Settings window and the README
all read this list (a test checks the README documents each one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.errors import BadInput
from storage.limits import MODEL_CHARS

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
# Qt's portable text form: modifiers, then one key ("Ctrl+Alt+Space", "Meta+J").
_HOTKEY = re.compile(r"^((Ctrl|Alt|Shift|Meta)\+)+([A-Z0-9]|F([1-9]|1[0-2])|Space)$")
_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Option:
    key: str  # dotted: "section.name"
    kind: str  # "int" | "float" | "bool" | "str" | "time" | "choice" | "hotkey"
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    def parse_text(self, text: str) -> Any:
        """A value typed by a person (`wise config set`) -> a valid value, or BadInput."""
        text = text.strip()
        if self.kind == "int":
            try:
                value: Any = int(text)
            except ValueError:
                raise BadInput(f"{self.key} must be a whole number, not {text!r}") from None
            return self.validate(value)
        if self.kind == "float":
            try:
                number = float(text)
            except ValueError:
                raise BadInput(f"{self.key} must be a number, not {text!r}") from None
            return self.validate(number)
        if self.kind == "bool":
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise BadInput(f"{self.key} must be true or false, not {text!r}")
        return self.validate(text)

    def validate(self, value: Any) -> Any:
        """A value from the settings file or from parse_text -> itself, or BadInput."""
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise BadInput(f"{self.key} must be a whole number, not {value!r}")
            low, high = self.minimum, self.maximum
            if (low is not None and value < low) or (high is not None and value > high):
                raise BadInput(f"{self.key} must be between {low} and {high}, not {value}")
        elif self.kind == "float":
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise BadInput(f"{self.key} must be a number, not {value!r}")
            value = float(value)
            low, high = self.minimum, self.maximum
            if not (low <= value <= high):  # also refuses nan
                raise BadInput(f"{self.key} must be between {low} and {high}, not {value}")
        elif self.kind == "bool":
            if not isinstance(value, bool):
                raise BadInput(f"{self.key} must be true or false, not {value!r}")
        elif not isinstance(value, str):
            raise BadInput(f"{self.key} must be text, not {value!r}")
        elif self.kind == "time":
            match = _TIME.match(value)
            if not match:
                raise BadInput(f"{self.key} must be a time like 21:30, not {value!r}")
            value = f"{int(match[1]):02d}:{match[2]}"
        elif self.kind == "hotkey":
            normal = "+".join(part.strip().capitalize() if len(part.strip()) > 1
                              else part.strip().upper() for part in value.split("+"))
            if value and not _HOTKEY.match(normal):
                raise BadInput(f"{self.key} must be modifiers and a key like Ctrl+Alt+Space "
                               f"(or empty for none), not {value!r}")
            value = normal if value else ""
        elif self.kind == "choice":
            if value.lower() not in self.choices:
                raise BadInput(f"{self.key} must be one of {', '.join(self.choices)}, "
                               f"not {value!r}")
            value = value.lower()
        elif "\n" in value or len(value) > (most := int(self.maximum or 500)):
            # For text, `maximum` is its length: 500 unless the journal keeps less of it.
            raise BadInput(f"{self.key} must be one line of at most {most} characters")
        return value

    @property
    def type_label(self) -> str:
        if self.kind == "int":
            return f"integer {self.minimum}–{self.maximum}"
        if self.kind == "float":
            return f"number {self.minimum}–{self.maximum}"
        if self.kind == "choice":
            return " / ".join(self.choices)
        return {"bool": "true / false", "time": "HH:MM", "str": "text",
                "hotkey": "key combination"}[self.kind]


OPTIONS: tuple[Option, ...] = (
    Option("day.start_hour", "int", 4,
           "Hour at which a new journal day begins; a 1 am capture still belongs to "
           "the evening before.", minimum=0, maximum=23),
    Option("backup.keep", "int", 10,
           "How many automatic and manual backups to keep (oldest are removed).",
           minimum=1, maximum=365),
    Option("schedule.checkin_time", "time", "09:00",
           "When the morning check-in is offered."),
    Option("schedule.reflection_time", "time", "21:00",
           "When the daily reflection is offered."),
    Option("schedule.weekly_review_day", "choice", "sun",
           "Day of the week for the goal review.", choices=WEEKDAYS),
    Option("schedule.weekly_review_time", "time", "18:00",
           "When the weekly goal review is offered."),
    Option("nudges.enabled", "bool", True,
           "Whether Wise may nudge you toward a next step at all."),
    Option("nudges.quiet_start", "time", "22:00",
           "Start of quiet hours: no nudges or notifications from this time (the window may "
           "wrap past midnight; the same start and end means no quiet hours)."),
    Option("nudges.quiet_end", "time", "08:00",
           "End of quiet hours."),
    Option("nudges.daily_cap", "int", 4,
           "At most this many nudges a day.", minimum=0, maximum=12),
    Option("nudges.min_gap_minutes", "int", 90,
           "At least this many minutes between two nudges.", minimum=15, maximum=1440),
    Option("focus.sounds", "bool", False,
           "Play the desktop's soft sound at half time, five minutes left and the end of "
           "a focus session (off: the timer only pulses)."),
    Option("capture.hotkey", "hotkey", "Ctrl+Alt+Space",
           "Global key combination that opens quick capture (empty: none); where the "
           "desktop forbids global keys, bind `wise capture` to a shortcut instead."),
    Option("startup.autostart", "bool", False,
           "Start Wise when you log in."),
    Option("llm.model", "str", "",
           "The language model Wise talks to, written as provider/model (e.g. "
           "ollama_chat/llama3.2 or openai/gpt-4o-mini); empty means none: Wise works "
           "without one.",
           maximum=MODEL_CHARS[1]),  # each reflection records it
    Option("llm.api_base", "str", "",
           "Where a model server on this computer or your network listens (e.g. "
           "http://127.0.0.1:11434); empty for a cloud provider."),
    Option("llm.fallbacks", "str", "",
           "Other models to try, in order, when the main one fails (separated by commas; "
           "each may be followed by its server's address)."),
    Option("llm.timeout", "int", 60,
           "Seconds a whole model reply may take before Wise gives up on it.",
           minimum=5, maximum=600),
    Option("llm.stall_timeout", "int", 20,
           "Seconds without a word from the model, mid-reply, before Wise stops waiting.",
           minimum=2, maximum=300),
    Option("llm.max_retries", "int", 2,
           "How many times Wise tries again when the model is busy, slow or failing "
           "(waiting a little longer each time).",
           minimum=0, maximum=5),
    Option("llm.temperature", "float", 0.7,
           "How freely the model words things (0 = most predictable).", minimum=0, maximum=2),
    Option("llm.max_output_tokens", "int", 700,
           "The longest reply Wise asks for, in tokens (a token is about three quarters of "
           "a word).", minimum=16, maximum=8000),
    Option("llm.monthly_budget_usd", "float", 5.0,
           "The most Wise may spend on paid model calls in a calendar month, in US dollars "
           "(local models cost nothing; 0 allows no paid calls).", minimum=0, maximum=1000),
    Option("llm.context_tokens", "int", 0,
           "The model's context window in tokens: what it can read and write at once. 0: "
           "as learned from the server, else 2048 for a local model (the usual default of "
           "llama.cpp and Ollama); Wise fits its requests inside it.",
           minimum=0, maximum=2_000_000),
    Option("llm.worker_idle_minutes", "int", 10,
           "Minutes without a model request before Wise frees the memory it uses to talk "
           "to models (it starts again when needed).", minimum=1, maximum=240),
    Option("sync.folder", "str", "",
           "The folder your devices share (kept in step by Syncthing, Nextcloud, Dropbox, "
           "iCloud Drive or a USB stick); set by wise sync setup --folder. Empty: no "
           "folder sync."),
    Option("sync.webdav_url", "str", "",
           "The WebDAV folder your devices share (https://…); set by wise sync setup "
           "--webdav. Empty: no WebDAV sync."),
    Option("sync.webdav_user", "str", "",
           "The WebDAV user name (its password is kept in the system keyring)."),
    Option("sync.interval_minutes", "int", 5,
           "How often the running tray syncs, in minutes (it also syncs a minute after a "
           "change and soon after the computer wakes).", minimum=1, maximum=1440),
    Option("reflection.input_tokens", "int", 3000,
           "How much of your journal a daily reflection may send to the model, in tokens "
           "(about three quarters of a word each); older days are summed up to fit.",
           minimum=500, maximum=32000),
)

BY_KEY: dict[str, Option] = {option.key: option for option in OPTIONS}


def option(key: str) -> Option:
    try:
        return BY_KEY[key]
    except KeyError:
        raise BadInput(f"unknown setting {key!r}; `wise config list` shows them all") from None
