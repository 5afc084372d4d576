"""The suite's own helpers keep tests apart when they run beside each other (xdist)."""

from __future__ import annotations

import errno
import socket

import pytest

from tests.helpers import closed_port


@pytest.mark.parametrize("reuse", [False, True], ids=["plain", "SO_REUSEADDR"])
def test_a_closed_port_refuses_and_no_test_beside_it_can_take_it(reuse: bool) -> None:
    """A port picked, closed and used later could meanwhile be a server's of the test
    beside (a "closed" port that answers); closed_port holds it for the whole block."""
    with closed_port() as port:
        with socket.socket() as other:
            if reuse:  # as http.server and most servers bind
                other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            with pytest.raises(OSError, match="in use") as taken:
                other.bind(("127.0.0.1", port))
            assert taken.value.errno == errno.EADDRINUSE
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=10).close()
