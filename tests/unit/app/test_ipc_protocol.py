"""The tray's JSON-lines protocol: every malformed request gets a named error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.ipc.protocol import (
    MAX_LINE_BYTES,
    ProtocolError,
    decode_request,
    encode,
    socket_path,
)


@pytest.mark.parametrize(("line", "code"), [
    (b"not json", "bad-json"),
    (b"\xff\xfe\x00\x01", "bad-json"),
    (b"[1, 2]", "bad-request"),
    (b'"capture"', "bad-request"),
    (b'{"cmd": "format-disk"}', "unknown-command"),
    (b'{"text": "no command"}', "unknown-command"),
    (b'{"cmd": "capture"}', "bad-request"),
    (b'{"cmd": "capture", "text": 42}', "bad-request"),
    (b'{"cmd": "capture", "text": "x", "uid": ["not", "a", "string"]}', "bad-request"),
    (b"x" * (MAX_LINE_BYTES + 1), "too-large"),
])
def test_bad_requests_are_named(line: bytes, code: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        decode_request(line)
    assert caught.value.code == code


def test_a_good_request_round_trips() -> None:
    message = {"id": 7, "cmd": "capture", "text": "café ☕ #family tomorrow", "uid": "u-1"}
    line = encode(message)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert decode_request(line.rstrip(b"\n")) == message


def test_newlines_inside_text_stay_inside_one_line() -> None:
    line = encode({"cmd": "capture", "text": "two\nlines"})
    assert line.count(b"\n") == 1
    assert json.loads(line)["text"] == "two\nlines"


def test_socket_path_is_per_home_and_short(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    first, second = socket_path(tmp_path / "a"), socket_path(tmp_path / "b")
    assert first != second
    assert first.parent == tmp_path
    assert len(str(socket_path(tmp_path / ("deep" * 60)))) < 108


@pytest.mark.parametrize("line", [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"cmd": "capture", "text": "x", "more": ' + b"{\"a\": " * 30_000 + b"1"
    + b"}" * 30_001,
])
def test_deeply_nested_json_is_bad_json_not_a_crash(line: bytes) -> None:
    with pytest.raises(ProtocolError) as caught:
        decode_request(line)
    assert caught.value.code == "bad-json" and "nested too deeply" in str(caught.value)


def test_replies_are_typed_and_keep_their_keys() -> None:
    """The tray's replies (app.ipc.replies) as the CLI and scripts have always read them."""
    from app.capture.ack import CaptureAck
    from app.ipc.replies import NoTrayFocus, Pong, Shown, TrayFocus, error, not_saved, ok

    def sent(reply) -> dict:
        return json.loads(encode(reply))

    assert sent(ok(3, Shown())) == {"id": 3, "ok": True, "result": {"shown": True}}
    assert sent(error(None, "busy", "later")) == {
        "id": None, "ok": False, "error": {"code": "busy", "message": "later"}}
    assert sent(not_saved(4, "failed", "disk full", None)) == {
        "id": 4, "ok": False, "error": {"code": "failed", "message": "disk full", "kept": None}}
    pong = sent(ok(1, Pong(42, "1.0", "/run/w.sock", {"capture": True}, NoTrayFocus())))
    assert pong["result"] == {"pid": 42, "version": "1.0", "socket": "/run/w.sock",
                              "windows": {"capture": True}, "focus": {"session": None}}
    focus = TrayFocus(7, 60, False, True, "2026-12-04T18:00:00+00:00", ["half"], None, False)
    assert list(sent(ok(1, focus))["result"]) == [
        "session", "left_seconds", "over", "paused", "ends_at", "cues", "last_cue",
        "slept_past_end"]
    ack = CaptureAck(True, "todo", "actions", 12, "u-1", "call mum", "family", "Family",
                     ("family",), "2026-12-05", None, 10, False, "to-do 12: call mum", None,
                     ())
    result = sent(ok(2, ack))["result"]
    assert result["tags"] == ["family"] and result["warnings"] == []
    assert CaptureAck.from_json(result) == ack  # what the CLI reads back
    with pytest.raises(ValueError, match="summary"):
        CaptureAck.from_json({k: v for k, v in result.items() if k != "summary"})
