"""The WebDAV transport (Nextcloud, ownCloud, any WebDAV server), straight over HTTP with
the standard library: no HTTP dependency for five verbs.

Plain http:// is refused except to this machine: the server's password and the batch
names would cross the network in the clear (the batches themselves are encrypted anyway).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import ipaddress
import socket
import ssl
import urllib.parse
import xml.etree.ElementTree as ET

from app.sync.transport import TransportError

TIMEOUT_S = 30
_MAX_LISTING = 32 * 1024 * 1024
_DAV = "{DAV:}"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise TransportError(f"{url!r} is not a WebDAV address (https://host/path/)",
                             "bad_address")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise TransportError("a WebDAV address must start with https:// (plain http would "
                             "send your server password in the clear)", "bad_address")
    if parts.username or parts.password:
        raise TransportError("give the WebDAV user with --user, not inside the address",
                             "bad_address")
    return parts


class WebDavTransport:
    def __init__(self, url: str, user: str | None = None, password: str | None = None,
                 *, timeout: float = TIMEOUT_S) -> None:
        self._parts = check_url(url)
        self._base = self._parts.path.rstrip("/") + "/"
        self.label = urllib.parse.urlunsplit(
            (self._parts.scheme, self._parts.netloc, self._base, "", ""))
        self._auth = None
        if user:
            token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
            self._auth = f"Basic {token}"
        self._timeout = timeout
        self._conn: http.client.HTTPConnection | None = None
        self._made: set[str] = set()

    # ------------------------------------------------------------------ HTTP

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            host, port = self._parts.hostname or "", self._parts.port
            if self._parts.scheme == "https":
                self._conn = http.client.HTTPSConnection(
                    host, port, timeout=self._timeout, context=ssl.create_default_context())
            else:
                self._conn = http.client.HTTPConnection(host, port, timeout=self._timeout)
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def _url_path(self, relative: str) -> str:
        return self._base + urllib.parse.quote(relative)

    def _request(self, method: str, relative: str, body: bytes | None = None,
                 headers: dict[str, str] | None = None, *, limit: int = _MAX_LISTING
                 ) -> tuple[int, dict[str, str], bytes]:
        sent = dict(headers or {})
        if self._auth:
            sent["Authorization"] = self._auth
        if body is not None:
            sent["Content-Length"] = str(len(body))
        for attempt in (1, 2):  # a kept-alive connection the server closed: once more
            try:
                conn = self._connection()
                conn.request(method, self._url_path(relative), body=body, headers=sent)
                response = conn.getresponse()
                data = response.read(limit + 1)
                if len(data) > limit:
                    raise TransportError(f"the WebDAV server's answer to {method} is too large")
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return (response.status, {k.lower(): v for k, v in response.getheaders()},
                        data)
            except (http.client.RemoteDisconnected, ConnectionResetError,
                    BrokenPipeError) as exc:
                self.close()
                if attempt == 2:
                    raise TransportError(f"the WebDAV server at {self.label} closed the "
                                         f"connection ({exc})", "unreachable") from exc
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                reason = "timed out" if isinstance(exc, socket.timeout) else str(exc)
                raise TransportError(f"cannot reach the WebDAV server at {self.label}: "
                                     f"{reason}", "unreachable") from exc
        raise AssertionError("unreachable")

    def _fail(self, status: int, method: str, relative: str) -> TransportError:
        if status in (401, 403):
            return TransportError(f"the WebDAV server refused the user or password "
                                  f"(HTTP {status}); run `wise sync setup` again", "refused")
        if status == 507:
            return TransportError("the WebDAV server is out of space (HTTP 507)")
        return TransportError(f"the WebDAV server answered HTTP {status} to {method} "
                              f"{relative or '/'}")

    # ------------------------------------------------------------- verbs

    def check(self) -> None:
        self._mkcols("")
        status, _h, _b = self._request("PROPFIND", "", b"", {"Depth": "0"})
        if status not in (200, 207):
            raise self._fail(status, "PROPFIND", "")

    def _mkcols(self, folder: str) -> None:
        """Make the collection and its parents below the base address (once per run)."""
        parts = [p for p in folder.split("/") if p]
        paths = [""] + ["/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1)]
        for path in paths:
            if path in self._made:
                continue
            status, _h, _b = self._request("MKCOL", path)
            if status not in (201, 405, 301, 200):  # 405: it already exists
                raise self._fail(status, "MKCOL", path)
            self._made.add(path)

    def get(self, path: str) -> bytes | None:
        return self.get_versioned(path)[0]

    def get_versioned(self, path: str) -> tuple[bytes | None, str | None]:
        status, headers, body = self._request("GET", path, limit=256 * 1024 * 1024)
        if status == 404:
            return None, None
        if status != 200:
            raise self._fail(status, "GET", path)
        etag = headers.get("etag")
        return body, (f"etag:{etag}" if etag else f"sha:{hashlib.sha256(body).hexdigest()}")

    def put(self, path: str, data: bytes, headers: dict[str, str] | None = None) -> None:
        if not self._put(path, data, headers):
            raise TransportError(f"the WebDAV server did not take {path}")

    def _put(self, path: str, data: bytes, headers: dict[str, str] | None = None) -> bool:
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        self._mkcols(folder)
        status, _h, _b = self._request("PUT", path, data, headers)
        if status == 412:
            return False
        if status not in (200, 201, 204):
            raise self._fail(status, "PUT", path)
        return True

    def create(self, path: str, data: bytes) -> bool:
        status, _h, _b = self._request("HEAD", path)
        if status == 200:
            return False
        return self._put(path, data, {"If-None-Match": "*"})

    def list(self, folder: str) -> list[str]:
        relative = folder.rstrip("/") + "/" if folder else ""
        status, _h, body = self._request(
            "PROPFIND", relative,
            b'<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/>'
            b'</d:prop></d:propfind>', {"Depth": "1", "Content-Type": "application/xml"})
        if status == 404:
            return []
        if status not in (200, 207):
            raise self._fail(status, "PROPFIND", relative)
        own = urllib.parse.unquote(self._base + relative).rstrip("/")
        names = []
        # A listing never needs a DTD; refusing one keeps entity tricks (billion laughs)
        # away from the parser without another dependency.
        if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
            raise TransportError("the WebDAV server's listing holds a DTD; refused")
        try:
            root = ET.fromstring(body)  # noqa: S314 - no DTD (above), size bounded
        except ET.ParseError as exc:
            raise TransportError("the WebDAV server's listing is not valid XML") from exc
        for response in root.iter(f"{_DAV}response"):
            href = response.findtext(f"{_DAV}href") or ""
            path = urllib.parse.unquote(urllib.parse.urlsplit(href).path).rstrip("/")
            if path == own or not path.startswith(own + "/"):
                continue
            names.append(path[len(own) + 1:])
        return sorted(name for name in names if name and "/" not in name)

    def delete(self, path: str) -> None:
        status, _h, _b = self._request("DELETE", path)
        if status not in (200, 204, 404):
            raise self._fail(status, "DELETE", path)

    def replace_if_unchanged(self, path: str, data: bytes, token: str | None) -> bool:
        # Compare first (some servers, rclone's among them, ignore If-Match), then write
        # with If-Match where the server gave an ETag (Nextcloud honours it).
        _now, current = self.get_versioned(path)
        if current != token:
            return False
        headers = {"If-Match": token[5:]} if token and token.startswith("etag:") else None
        return self._put(path, data, headers)
