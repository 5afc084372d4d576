"""What an import brought: counts by kind, the days it spans, its tags, what was left out
and why, and how times were read. Frozen, with `as_dict()` for --json and a welcome
window's child, and `in_words()` for people."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.daytime import long_day
from app.importers.items import NOTE, TODO, WIN, Item
from app.importers.zones import Zone

_SHOWN_TAGS = 8  # the most used tags named in words (--json has them all)


@dataclass(frozen=True)
class ImportSummary:
    format: str  # "jrnl", "dayone", "todotxt", "markdown"
    source: str  # the file or folder, as given
    notes: int  # read from the source (each new, already there or repeated)
    todos: int
    wins: int
    new: int  # rows added to the journal (on a dry run: what would be)
    new_entries: int  # of which notes
    new_actions: int  # of which to-dos and wins
    already_there: int  # imported before: left as they were
    repeated: int  # the source held them twice, word for word: imported once
    linked_to_goals: int  # joined to a goal because a tag of theirs is the goal's #tag
    first_day: date | None  # the local days the records span
    last_day: date | None
    tags: tuple[tuple[str, int], ...]  # (tag, how many records carry it), most used first
    left_out: tuple[tuple[str, int], ...]  # (what, how many): not imported, and why
    changed: tuple[tuple[str, int], ...]  # (what, how many): imported, but not as written
    times: str  # how times were read: "Europe/Paris (this computer's zone; …)"
    dry_run: bool

    @property
    def records(self) -> int:
        return self.notes + self.todos + self.wins

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format, "source": self.source, "dry_run": self.dry_run,
            "notes": self.notes, "todos": self.todos, "wins": self.wins,
            "new": self.new, "already_there": self.already_there,
            # the counts `wise import` of a Wise export gives, under the same names
            "goals": 0, "actions": self.new_actions, "entries": self.new_entries,
            "repeated": self.repeated, "linked_to_goals": self.linked_to_goals,
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
            "tags": dict(self.tags), "left_out": dict(self.left_out),
            "changed": dict(self.changed), "times": self.times,
            "words": self.in_words(),
        }

    def in_words(self) -> str:
        """A few lines for the terminal (and the welcome window's step)."""
        kinds = _counted(((self.notes, "note", "notes"), (self.todos, "to-do", "to-dos"),
                          (self.wins, "win", "wins"))) or "nothing"
        verb = "Would import" if self.dry_run else "Imported"
        lines = [f"{verb} {kinds} from {self.source}."]
        if self.dry_run:
            lines.append(f"Nothing was written (--dry-run); {self.new:,} would be new.")
        elif self.new != self.records:
            lines.append(f"{self.new:,} new in your journal.")
        if self.already_there:
            lines.append(f"{self.already_there:,} were already in your journal (imported "
                         "before) and were left as they are.")
        if self.repeated:
            lines.append(f"{self.repeated:,} appeared twice in the file, word for word, and "
                         "came in once.")
        if self.first_day:
            span = long_day(self.first_day, weekday=False)
            if self.last_day is not None and self.last_day != self.first_day:
                span = f"from {span} to {long_day(self.last_day, weekday=False)}"
            else:
                span = f"on {span}"
            lines.append(f"Dated {span}.")
        if self.tags:
            shown = ", ".join(f"#{tag} ({count:,})" for tag, count in self.tags[:_SHOWN_TAGS])
            more = len(self.tags) - _SHOWN_TAGS
            lines.append(f"Tags: {shown}" + (f" and {more:,} more." if more > 0 else "."))
        if self.linked_to_goals:
            lines.append(f"{self.linked_to_goals:,} joined to your goals by their #tag.")
        lines.extend(f"Changed: {what}: {count:,}." for what, count in self.changed)
        lines.extend(f"Left out: {what}: {count:,}." for what, count in self.left_out)
        lines.append(f"Times were read as {self.times}.")
        return "\n".join(lines)


def _counted(parts: tuple[tuple[int, str, str], ...]) -> str:
    words = [f"{number:,} {one if number == 1 else many}" for number, one, many in parts
             if number]
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


class Tally:
    """Collects the summary while records stream past (nothing per record is kept)."""

    def __init__(self, format_name: str, source: str, zone: Zone) -> None:
        self.format_name = format_name
        self.source = source
        self.zone = zone
        self.times = zone.describe()  # an importer whose times are exact says so instead
        self.kinds: Counter[str] = Counter()
        self.tags: Counter[str] = Counter()
        self.left_out: Counter[str] = Counter()
        self.changed: Counter[str] = Counter()
        self.first_day: date | None = None
        self.last_day: date | None = None

    def count(self, item: Item) -> Item:
        self.kinds[item.kind] += 1
        self.tags.update(dict.fromkeys(item.tags, 1))
        day = self.zone.local(item.created).date()
        if self.first_day is None or day < self.first_day:
            self.first_day = day
        if self.last_day is None or day > self.last_day:
            self.last_day = day
        return item

    def leave_out(self, what: str, count: int = 1) -> None:
        """Something of the source not imported: "entries with no text", "photos"."""
        if count:
            self.left_out[what] += count

    def change(self, what: str, count: int = 1) -> None:
        """Something imported other than as written: "characters that are not Unicode"."""
        if count:
            self.changed[what] += count

    def summary(self, *, new_entries: int, new_actions: int, already_there: int,
                repeated: int, linked_to_goals: int, dry_run: bool) -> ImportSummary:
        return ImportSummary(
            format=self.format_name, source=self.source, notes=self.kinds[NOTE],
            todos=self.kinds[TODO], wins=self.kinds[WIN], new=new_entries + new_actions,
            new_entries=new_entries, new_actions=new_actions,
            already_there=already_there, repeated=repeated, linked_to_goals=linked_to_goals,
            first_day=self.first_day, last_day=self.last_day,
            tags=tuple(sorted(self.tags.items(), key=lambda pair: (-pair[1], pair[0]))),
            left_out=tuple(self.left_out.items()), changed=tuple(self.changed.items()),
            times=self.times, dry_run=dry_run)
