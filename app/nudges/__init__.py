"""Nudges: the policy (pure), the learner, the wording and the service that ties them to
the journal. Qt-free; the tray's scheduler calls `NudgeService.tick` off the GUI thread."""
