"""The tray's end of the local socket: one per user and WISE_HOME, JSON lines in, JSON
lines out. Bad input gets an error reply and never reaches the rest of the app; a
connection from another user is closed before a byte is read."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from socket import socket as native_socket
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from app.ipc.client import TrayClient
from app.ipc.protocol import MAX_LINE_BYTES, ProtocolError, decode_request, encode
from app.ipc.replies import Reply, error
from app.ipc.trust import Untrusted, check_peer, ensure_private_folder

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any], Callable[[Reply], None]], None]


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
        self._refused: set[str] = set()

    def listen(self) -> None:
        """Listen at the path, in its private folder (created 0700, or tightened to 0700).

        The caller holds the tray's instance lock, so whatever is already at the path is
        what a crashed tray left, or something that is not ours: it is removed, never
        deferred to. Raises Untrusted when the folder is another user's (the tray then
        runs without a socket), AnotherInstance when a tray of this user's answers there
        (one that predates the lock)."""
        if ensure_private_folder(self.path.parent):
            log.warning("%s was open to other users; it is private (0700) now",
                        self.path.parent)
        if os.path.lexists(self.path):
            if TrayClient(self.path, timeout=1.0).is_running() is not None:
                raise AnotherInstance(str(self.path))
            log.info("removing the stale socket %s", self.path)
            os.unlink(self.path)
        if not self._server.listen(str(self.path)):
            raise OSError(f"cannot listen on {self.path}: {self._server.errorString()}")

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            if not self._from_this_user(socket):
                socket.abort()
                socket.deleteLater()
                continue
            self._buffers[socket] = bytearray()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))

    def _from_this_user(self, connection: QLocalSocket) -> bool:
        """Only this user's processes may talk to the tray (the folder and the socket's
        mode already say so; this holds even if they were changed, and for root)."""
        descriptor = int(connection.socketDescriptor())
        if descriptor < 0:
            return True  # no native socket to ask (not a Unix platform)
        try:
            with native_socket(fileno=os.dup(descriptor)) as peer:
                check_peer(peer)
        except Untrusted as exc:
            if str(exc) not in self._refused:  # once per stranger, not per attempt
                self._refused.add(str(exc))
                log.warning("refused a connection to the socket: %s", exc)
            return False
        except OSError as exc:
            log.warning("could not check who connected to the socket (%s); refused", exc)
            return False
        return True

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

        def reply(message: Reply) -> None:
            if message.id is None:
                message = replace(message, id=request_id)
            self._send(socket, message)

        try:
            self._handler(request, reply)
        except Exception:  # a handler bug must cost one reply, never the tray
            log.exception("request %r failed", request.get("cmd"))
            reply(error(request_id, "failed", "the tray could not handle this request"))

    def _send(self, socket: QLocalSocket, message: Reply) -> None:
        connected = QLocalSocket.LocalSocketState.ConnectedState
        if socket in self._buffers and socket.state() == connected:
            socket.write(encode(message))
            socket.flush()

