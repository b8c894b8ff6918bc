"""A small WebSocket client (RFC 6455) on the standard library, for the exec socket.

Only what a client of one endpoint needs: the opening handshake over HTTP/1.1 (a refusal answers
the API's typed error, as every other request does), masked frames out, fragmented messages in,
ping answered with pong, and the closing handshake. No extensions (no compression), no
subprotocols, no proxies. Why not the ``websockets`` package: the SDK installs nothing, and the
machines its tests run on get Python from Debian or pyenv, not always with PyPI at hand.

One thread may read while others write: writes hold a lock, reads keep their partial frame in a
buffer, so a read that times out can simply be tried again.
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import ssl
import struct
import threading
import time
import urllib.parse
from typing import Dict, Mapping, Optional, Tuple, Union

from .errors import StacyVMConnectionError, from_response

_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA

CLOSE_NORMAL = 1000
CLOSE_PROTOCOL_ERROR = 1002
CLOSE_NO_STATUS = 1005
CLOSE_ABNORMAL = 1006
CLOSE_INVALID_DATA = 1007
CLOSE_TOO_BIG = 1009

# one message larger than this is refused: the server sends output in chunks far smaller
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
_MAX_HEADER_BYTES = 64 * 1024
_MAX_REFUSAL_BODY_BYTES = 1024 * 1024


class ConnectionClosed(Exception):
    """The connection is closed: ``code`` and ``reason`` of the peer's close frame, or 1006 when it just went away."""

    def __init__(self, code: int, reason: str = ""):
        super().__init__(f"WebSocket closed: {code} {reason}".strip())
        self.code = code
        self.reason = reason


class ProtocolError(Exception):
    """The peer broke RFC 6455; the connection is closed."""


def _deadline_left(deadline: Optional[float]) -> Optional[float]:
    if deadline is None:
        return None
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out")
    return left


def _mask(payload: bytes, key: bytes) -> bytes:
    if not payload:
        return payload
    length = len(payload)
    repeated = (key * (length // 4 + 1))[:length]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(length, "big")


class WebSocket:
    """An open client connection; ``connect`` makes one."""

    def __init__(self, sock: socket.socket, buffered: bytes = b""):
        self._sock = sock
        self._buffer = bytearray(buffered)
        self._write_lock = threading.Lock()
        self._fragments: list = []
        self._fragment_opcode: Optional[int] = None
        self._close_sent = False
        self.close_code: Optional[int] = None
        self.close_reason = ""

    @property
    def closed(self) -> bool:
        return self.close_code is not None

    # writing
    def _write_frame(self, opcode: int, payload: bytes) -> None:
        header = bytearray([0x80 | opcode])
        length = len(payload)
        if length < 126:
            header.append(0x80 | length)
        elif length < 1 << 16:
            header.append(0x80 | 126)
            header += struct.pack("!H", length)
        else:
            header.append(0x80 | 127)
            header += struct.pack("!Q", length)
        key = os.urandom(4)
        with self._write_lock:
            if self._close_sent and opcode != OP_CLOSE:
                raise ConnectionClosed(self.close_code or CLOSE_ABNORMAL, self.close_reason)
            try:
                self._sock.sendall(bytes(header) + key + _mask(payload, key))
            except OSError as failure:
                self.close_code = self.close_code or CLOSE_ABNORMAL
                raise ConnectionClosed(CLOSE_ABNORMAL, str(failure)) from None

    def send_text(self, text: str) -> None:
        self._write_frame(OP_TEXT, text.encode("utf-8"))

    def send_binary(self, data: bytes) -> None:
        self._write_frame(OP_BINARY, bytes(data))

    def _send_close(self, code: int, reason: str = "") -> None:
        with self._write_lock:
            if self._close_sent:
                return
            self._close_sent = True
        try:
            self._write_frame(OP_CLOSE, struct.pack("!H", code) + reason.encode("utf-8")[:123])
        except ConnectionClosed:
            pass

    # reading
    def _fill(self, wanted: int, deadline: Optional[float]) -> None:
        """Reads until the buffer holds ``wanted`` bytes; raises TimeoutError at ``deadline`` with nothing lost."""
        while len(self._buffer) < wanted:
            self._sock.settimeout(_deadline_left(deadline))
            try:
                data = self._sock.recv(max(65536, wanted - len(self._buffer)))
            except socket.timeout:
                raise TimeoutError("timed out") from None
            except OSError as failure:
                self.close_code = self.close_code or CLOSE_ABNORMAL
                raise ConnectionClosed(CLOSE_ABNORMAL, str(failure)) from None
            if not data:
                self.close_code = self.close_code or CLOSE_ABNORMAL
                raise ConnectionClosed(self.close_code, self.close_reason or "the connection was dropped")
            self._buffer += data

    def _read_frame(self, deadline: Optional[float]) -> Tuple[bool, int, bytes]:
        self._fill(2, deadline)
        first, second = self._buffer[0], self._buffer[1]
        if second & 0x80:
            raise self._fail(CLOSE_PROTOCOL_ERROR, "a server frame was masked")
        if first & 0x70:
            raise self._fail(CLOSE_PROTOCOL_ERROR, "a frame used an extension bit")
        length, offset = second & 0x7F, 2
        if length == 126:
            self._fill(4, deadline)
            length, offset = struct.unpack_from("!H", self._buffer, 2)[0], 4
        elif length == 127:
            self._fill(10, deadline)
            length, offset = struct.unpack_from("!Q", self._buffer, 2)[0], 10
        if length > MAX_MESSAGE_BYTES:
            raise self._fail(CLOSE_TOO_BIG, f"a frame of {length} bytes")
        self._fill(offset + length, deadline)
        payload = bytes(self._buffer[offset:offset + length])
        del self._buffer[:offset + length]
        return bool(first & 0x80), first & 0x0F, payload

    def _fail(self, code: int, why: str) -> ProtocolError:
        self._send_close(code, why[:60])
        self.close_code = code
        self._shutdown()
        return ProtocolError(why)

    def receive(self, timeout: Optional[float] = None) -> Union[str, bytes]:
        """The next message: ``str`` for text, ``bytes`` for binary. Raises ``TimeoutError`` after
        ``timeout`` seconds (try again: nothing is lost), ``ConnectionClosed`` once the connection ends."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            if self.closed and self._close_sent:
                raise ConnectionClosed(self.close_code or CLOSE_ABNORMAL, self.close_reason)
            final, opcode, payload = self._read_frame(deadline)
            if opcode >= 0x8:
                if not final or len(payload) > 125:
                    raise self._fail(CLOSE_PROTOCOL_ERROR, "a fragmented or long control frame")
                if opcode == OP_PING:
                    self._write_frame(OP_PONG, payload)
                elif opcode == OP_CLOSE:
                    self._closed_by_peer(payload)
                elif opcode != OP_PONG:
                    raise self._fail(CLOSE_PROTOCOL_ERROR, f"unknown opcode {opcode}")
                continue
            if opcode == OP_CONTINUATION:
                if self._fragment_opcode is None:
                    raise self._fail(CLOSE_PROTOCOL_ERROR, "a continuation without a start")
            elif opcode in (OP_TEXT, OP_BINARY):
                if self._fragment_opcode is not None:
                    raise self._fail(CLOSE_PROTOCOL_ERROR, "a new message inside a fragmented one")
                self._fragment_opcode = opcode
            else:
                raise self._fail(CLOSE_PROTOCOL_ERROR, f"unknown opcode {opcode}")
            self._fragments.append(payload)
            if sum(len(part) for part in self._fragments) > MAX_MESSAGE_BYTES:
                raise self._fail(CLOSE_TOO_BIG, "a message too large")
            if not final:
                continue
            message, message_opcode = b"".join(self._fragments), self._fragment_opcode
            self._fragments, self._fragment_opcode = [], None
            if message_opcode == OP_BINARY:
                return message
            try:
                return message.decode("utf-8")
            except UnicodeDecodeError:
                raise self._fail(CLOSE_INVALID_DATA, "a text message that is not UTF-8") from None

    def _closed_by_peer(self, payload: bytes) -> None:
        code, reason = CLOSE_NO_STATUS, ""
        if len(payload) >= 2:
            code = struct.unpack("!H", payload[:2])[0]
            reason = payload[2:].decode("utf-8", "replace")
        self.close_code, self.close_reason = code, reason
        self._send_close(code if code not in (CLOSE_NO_STATUS, CLOSE_ABNORMAL) else CLOSE_NORMAL)
        self._shutdown()
        raise ConnectionClosed(code, reason)

    def close(self, code: int = CLOSE_NORMAL, reason: str = "", wait: float = 2.0) -> None:
        """Sends a close frame, waits up to ``wait`` seconds for the peer's, then hangs up."""
        if self._close_sent and self.closed:
            self._shutdown()
            return
        self._send_close(code, reason)
        deadline = time.monotonic() + wait
        try:
            while not self.closed and time.monotonic() < deadline:
                self.receive(timeout=max(0.01, deadline - time.monotonic()))
        except (ConnectionClosed, ProtocolError, TimeoutError, OSError):
            pass
        if self.close_code is None:
            self.close_code = code
        self._shutdown()

    def abort(self) -> None:
        """Hangs up at once, also from another thread: a read waiting in ``receive`` ends with ``ConnectionClosed``."""
        self.close_code = self.close_code or CLOSE_ABNORMAL
        self._shutdown()

    def _shutdown(self) -> None:
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()


def _read_http_head(sock: socket.socket, deadline: float) -> Tuple[int, Dict[str, str], bytes]:
    """The status, headers (lower-cased names) and whatever came after them."""
    data = bytearray()
    while b"\r\n\r\n" not in data:
        if len(data) > _MAX_HEADER_BYTES:
            raise StacyVMConnectionError("the WebSocket handshake's answer has too long a head")
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            raise StacyVMConnectionError("the connection closed during the WebSocket handshake")
        data += chunk
    head, rest = bytes(data).split(b"\r\n\r\n", 1)
    lines = head.decode("iso-8859-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise StacyVMConnectionError(f"not an HTTP answer to the WebSocket handshake: {lines[0][:80]!r}")
    headers: Dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(parts[1]), headers, rest


def _read_refusal_body(sock: socket.socket, headers: Mapping[str, str], rest: bytes, deadline: float) -> bytes:
    """The body of a refused handshake (by Content-Length, chunked, or to the end), bounded in size and time."""
    body = bytearray(rest)

    def more() -> bool:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        body.extend(chunk)
        return bool(chunk) and len(body) <= _MAX_REFUSAL_BODY_BYTES

    try:
        if "content-length" in headers and headers["content-length"].isdigit():
            length = int(headers["content-length"])
            while len(body) < length and more():
                pass
            return bytes(body[:length])
        if "chunked" in headers.get("transfer-encoding", "").lower():
            decoded = bytearray()
            while True:
                while b"\r\n" not in body:
                    if not more():
                        return bytes(decoded)
                size_line, _, remainder = bytes(body).partition(b"\r\n")
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    return bytes(decoded)
                body[:] = remainder
                while len(body) < size + 2:
                    if not more():
                        return bytes(decoded + body[:size])
                decoded += body[:size]
                del body[:size + 2]
        while more():
            pass
    except (OSError, ValueError):
        pass
    return bytes(body)


def connect(url: str, headers: Optional[Mapping[str, str]] = None, timeout: float = 30.0) -> WebSocket:
    """Opens ``url`` (``ws://``, ``wss://``, or ``http(s)://`` taken as the same). A refusal raises the API's
    typed error for its answer (``UnauthorizedError`` for a 401, ...); an unreachable server
    ``StacyVMConnectionError``. ``timeout`` bounds the connection and the handshake."""
    parsed = urllib.parse.urlsplit(url)
    secure = parsed.scheme in ("wss", "https")
    if parsed.scheme not in ("ws", "wss", "http", "https") or not parsed.hostname:
        raise ValueError(f"not a WebSocket URL: {url}")
    host, port = parsed.hostname, parsed.port or (443 if secure else 80)
    target = (parsed.path or "/") + (f"?{parsed.query}" if parsed.query else "")
    deadline = time.monotonic() + timeout
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as failure:
        raise StacyVMConnectionError(f"could not reach {host}:{port}: {failure}") from None
    try:
        if secure:
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=host)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode("ascii")
        host_header = host if ":" not in host else f"[{host}]"
        if parsed.port:
            host_header += f":{parsed.port}"
        lines = [f"GET {target} HTTP/1.1", f"Host: {host_header}", "Upgrade: websocket", "Connection: Upgrade",
                 f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"))
        status, answer_headers, rest = _read_http_head(sock, deadline)
        if status != 101:
            body = _read_refusal_body(sock, answer_headers, rest, deadline)
            raise from_response(status, body, answer_headers.get("retry-after"))
        expected = base64.b64encode(hashlib.sha1(key.encode("ascii") + _GUID).digest()).decode("ascii")
        if (answer_headers.get("upgrade", "").lower() != "websocket"
                or answer_headers.get("sec-websocket-accept") != expected):
            raise StacyVMConnectionError("the server did not accept the WebSocket handshake as RFC 6455 says")
        sock.settimeout(None)
        return WebSocket(sock, rest)
    except BaseException as failure:
        sock.close()
        if isinstance(failure, (socket.timeout, TimeoutError)):
            raise StacyVMConnectionError(f"the WebSocket handshake with {host}:{port} took over {timeout} s") from None
        if isinstance(failure, (ssl.SSLError, ConnectionError)):
            raise StacyVMConnectionError(f"the WebSocket handshake with {host}:{port} failed: {failure}") from None
        raise
