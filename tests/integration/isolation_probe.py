"""Probes run only by test_suite_isolation.py, in a pytest it starts inside a made-up
developer desktop (a session bus, provider keys in the environment, a keyring holding a
key). Not collected by the suite itself (not named test_*.py). Each probe looks, from
inside a test, for a trace of that desktop."""

from __future__ import annotations

import os

import keyring
import keyring.errors
import pytest

from tests.isolation import provider_variables
from ui.notifications import Notifier


def test_no_provider_variable_is_seen_by_a_test_or_its_children(wise) -> None:
    assert provider_variables(os.environ) == []
    status = wise("key", "status", "--json")
    assert status.code == 0, status.err
    data = status.json()
    assert [row for row in data["providers"] if row["source"] is not None] == []
    assert data["keyring"]["available"] is False  # the failing keyring, not the developer's


def test_the_keyring_fails_unless_a_test_asks_for_one() -> None:
    with pytest.raises(keyring.errors.NoKeyringError):
        keyring.get_password("wise", "openai")


def test_a_test_that_asks_gets_a_working_keyring(memory_keyring) -> None:
    assert keyring.get_password("wise", "openai") is None
    memory_keyring.set_password("wise", "openai", "test-only")
    assert keyring.get_password("wise", "openai") == "test-only"


def test_notifications_find_no_session_bus(qtbot) -> None:
    notifier = Notifier(None)
    try:
        with qtbot.waitSignal(notifier.settled, timeout=30_000) as settled:
            notifier.start()
        assert settled.args[0] == "menu"
        notifier.show_nudge(1, "call mum", "Two minutes?")  # into the tray menu, nowhere else
        assert [n.nudge_id for n in notifier.pending()] == [1]
    finally:
        notifier.stop()
