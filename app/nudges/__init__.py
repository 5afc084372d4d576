"""Nudges: rare, kind, actionable, and learning.

- ``policy``   the pure decision: (open steps, history, now, rules) -> at most one nudge,
               with the rule that decided, in plain words (no Qt, no database, no clock);
- ``learner``  Beta-Bernoulli per hour of the day and per wording style, from the
               ``nudges`` rows, with Thompson sampling; what it learned in plain words;
- ``wording``  the nudge's words: plain templates, or the model's through the nudge prompt;
- ``service``  the journal glue: ``NudgeService.tick / respond / expire_unanswered /
               dry_run`` (the tray's scheduler calls ``tick`` off the GUI thread).

Importing this package imports none of them (the capture path stays light).
"""
