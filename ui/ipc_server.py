"""The tray's end of the local socket: one instance per user and WISE_HOME, JSON lines in,
JSON lines out. Bad input gets an error reply and never reaches the rest of the app."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app.ipc.protocol import MAX_LINE_BYTES, ProtocolError, decode_request, encode, error

log = logging.getLogger(__name__)

Reply = Callable[[dict[str, Any]], None]
Handler = Callable[[dict[str, Any], Reply], None]


class AnotherInstance(Exception):
    """A live tray already answers on this socket."""


class IpcServer(QObject):
    def __init__(self, path: Path, handler: Handler, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self._handler = handler
        self._server = QLocalServer(self)
        # Only this user may connect: the socket carries the journal's text.
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytearray] = {}

    def listen(self) -> None:
        """Listen, recovering a stale socket left by a crash; AnotherInstance if one is live."""
        if self._server.listen(str(self.path)):
            return
        if _someone_answers(self.path):
            raise AnotherInstance(str(self.path))
        # Nobody answered: the file is what a crashed tray left behind. Only now remove it.
        log.info("removing stale socket %s", self.path)
        QLocalServer.removeServer(str(self.path))
        if not self._server.listen(str(self.path)):
            raise OSError(f"cannot listen on {self.path}: {self._server.errorString()}")

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = bytearray()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))

    def _drop(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _read(self, socket: QLocalSocket) -> None:
        buffer = self._buffers.get(socket)
        if buffer is None:
            return
        buffer += bytes(socket.readAll().data())
        while True:
            newline = buffer.find(b"\n")
            if newline < 0:
                if len(buffer) > MAX_LINE_BYTES:
                    # A line this long is a mistake or an attack: answer once and hang up.
                    self._send(socket, error(None, "too-large",
                                             f"a request may be at most {MAX_LINE_BYTES} bytes"))
                    buffer.clear()
                    socket.disconnectFromServer()
                return
            line = bytes(buffer[:newline])
            del buffer[: newline + 1]
            self._dispatch(socket, line)

    def _dispatch(self, socket: QLocalSocket, line: bytes) -> None:
        if not line.strip():
            return
        try:
            request = decode_request(line)
        except ProtocolError as exc:
            self._send(socket, error(None, exc.code, str(exc)))
            return
        request_id = request.get("id")

        def reply(message: dict[str, Any]) -> None:
            message.setdefault("id", request_id)
            self._send(socket, message)

        try:
            self._handler(request, reply)
        except Exception:  # a handler bug must cost one reply, never the tray
            log.exception("request %r failed", request.get("cmd"))
            reply(error(request_id, "failed", "the tray could not handle this request"))

    def _send(self, socket: QLocalSocket, message: dict[str, Any]) -> None:
        connected = QLocalSocket.LocalSocketState.ConnectedState
        if socket in self._buffers and socket.state() == connected:
            socket.write(encode(message))
            socket.flush()


def _someone_answers(path: Path) -> bool:
    probe = QLocalSocket()
    probe.connectToServer(str(path))
    alive = probe.waitForConnected(500)
    probe.abort()
    return alive
