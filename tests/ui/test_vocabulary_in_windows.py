"""The review windows know every goal status the vocabulary declares (and the database
enforces): a status added there and forgotten in a window fails here."""

from __future__ import annotations

from storage.vocabulary import GoalStatus


def test_the_review_windows_know_every_goal_status() -> None:
    from storage.repo.ritual_reads import GOAL_STATUS_ORDER
    from ui.review.goal_page import CHOICES, STATUS_BUTTONS
    from ui.review.goals_page import FILTERS
    from ui.review.look import STATUS_COLOURS, STATUS_WORDS

    statuses = {s.value for s in GoalStatus}
    assert set(GOAL_STATUS_ORDER) == statuses
    assert set(STATUS_WORDS) == set(STATUS_COLOURS) == set(STATUS_BUTTONS) == statuses
    assert {new for _text, new, _said in CHOICES.values()} == statuses
    assert {s for _label, shown in FILTERS if shown for s in shown} == statuses
