"""``GET /sandboxes/{id}/exec/ws``: a command over a WebSocket, on a terminal when asked.

The conversation: the exec request as the first message, then output chunks
``{"stream","data"}`` and a last ``{"type":"done","exit_code",...}`` from the server (or
``{"type":"error","error","code"}``); stdin, resize, signal and eof from the client.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections import deque
from typing import Any, Deque, Dict, Iterator, List, Mapping, Optional, Pattern, Sequence, Union

from . import _websocket
from .errors import ERRORS, ProviderError, StacyVMConnectionError, StacyVMError, UnavailableError
from .models import ExecChunk, ExecResult

Command = Union[str, Sequence[str]]


def socket_request(command: Command, *, env: Optional[Mapping[str, str]] = None, workdir: Optional[str] = None,
                   timeout: Optional[str] = None, pty: bool = False, cols: Optional[int] = None,
                   rows: Optional[int] = None, binary: bool = False) -> Dict[str, Any]:
    """The first message: a string runs through ``/bin/sh -c``, a list as it is, as ``exec`` does."""
    if isinstance(command, str):
        request: Dict[str, Any] = {"command": command, "mode": "shell"}
    else:
        parts = list(command)
        if not parts:
            raise ValueError("command is empty")
        request = {"command": parts[0], "args": parts[1:], "mode": "argv"}
    for key, value in (("env", dict(env) if env else None), ("workdir", workdir), ("timeout", timeout),
                       ("cols", cols), ("rows", rows)):
        if value is not None:
            request[key] = value
    if pty:
        request["pty"] = True
    if binary:
        request["encoding"] = "base64"
    return request


def error_from_frame(frame: Mapping[str, Any]) -> StacyVMError:
    """The typed error of an error frame, by its ``code``."""
    code = str(frame.get("code") or "provider_error")
    cls = ERRORS.get(code, ProviderError)
    return cls(str(frame.get("error") or frame.get("message") or code), code=code)


class ExecSession:
    """A command running in a sandbox over a WebSocket: ``send`` to its stdin, iterate over its output
    (``ExecChunk``s; their ``data`` is ``bytes`` on a ``binary`` session), ``wait`` for its end.

    Reads happen in the thread that iterates, ``read_until`` or ``wait``; ``send``, ``resize``,
    ``signal``, ``end_input`` and ``close`` may come from any thread. Closing it (``close()``, or
    leaving ``with``) kills the command and everything it started, if it still runs.
    """

    def __init__(self, socket: _websocket.WebSocket, request: Mapping[str, Any]):
        self._socket = socket
        self.terminal = bool(request.get("pty"))
        self.binary = request.get("encoding") == "base64"
        self.result: Optional[ExecResult] = None
        """How the command ended (``exit_code``, ``duration``, ``timed_out``), once the session has read it."""
        self._pending: Deque[ExecChunk] = deque()
        self._reading = threading.Lock()
        self._error: Optional[StacyVMError] = None
        self._ended = False
        self._socket.send_text(json.dumps(request))

    # stdin and control
    def send(self, data: Union[str, bytes]) -> None:
        """Writes to the command's stdin: text as UTF-8, bytes as they are (on a terminal, as typed:
        ``"\\x03"`` is ^C, ``"\\x04"`` ^D at a line's start)."""
        if isinstance(data, (bytes, bytearray, memoryview)):
            self._control(lambda: self._socket.send_binary(bytes(data)))
        elif self.binary:
            self._message({"type": "stdin", "data": base64.b64encode(data.encode("utf-8")).decode("ascii")})
        else:
            self._message({"type": "stdin", "data": data})

    def resize(self, cols: int, rows: int) -> None:
        """Gives the terminal a new size (1 to 1000 each); its program gets SIGWINCH."""
        self._message({"type": "resize", "cols": int(cols), "rows": int(rows)})

    def signal(self, signal: str = "SIGINT") -> None:
        """Sends a signal (INT, TERM, KILL, HUP, QUIT, USR1, USR2, CONT, STOP, with or without SIG) to
        the terminal's foreground job, or to the command when there is no terminal."""
        self._message({"type": "signal", "signal": signal})

    def end_input(self) -> None:
        """Closes the command's stdin, as ^D would: ``cat`` then ends."""
        self._message({"type": "eof"})

    def _message(self, message: Mapping[str, Any]) -> None:
        self._control(lambda: self._socket.send_text(json.dumps(message)))

    def _control(self, write) -> None:
        try:
            write()
        except _websocket.ConnectionClosed:
            raise self._error or StacyVMConnectionError("the session is closed") from None

    # output
    def __iter__(self) -> Iterator[ExecChunk]:
        """The output chunks as they come, until the command ends; then ``result`` is set. Raises the
        typed error of an error frame (its ``code``), or ``StacyVMConnectionError`` when the
        connection drops."""
        while True:
            chunk = self._next(None)
            if chunk is None:
                return
            yield chunk

    def read_until(self, expected: Union[str, Pattern[str]], timeout: float = 30.0) -> str:
        """Reads output until it holds ``expected`` (text, or a compiled regular expression) and answers
        the output read, which no iteration sees again; a terminal's output is as a terminal writes it
        (``\\r\\n``, echo, prompts, escape sequences). Raises ``TimeoutError`` after ``timeout`` seconds
        (the output read stays in its ``args[1]``), ``EOFError`` when the command ends first."""
        deadline = time.monotonic() + timeout
        seen: List[str] = []
        while True:
            text = "".join(seen)
            if (expected.search(text) if isinstance(expected, re.Pattern) else expected in text):
                return text
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {getattr(expected, 'pattern', expected)!r} within {timeout} s", text)
            chunk = self._next(left)
            if chunk is None:
                if self._ended:
                    raise EOFError(f"the command ended before {getattr(expected, 'pattern', expected)!r}; "
                                   f"its output: {text!r}")
                continue
            seen.append(chunk.data.decode("utf-8", "replace") if isinstance(chunk.data, bytes) else chunk.data)

    def wait(self, timeout: Optional[float] = None) -> ExecResult:
        """Reads to the end and answers how the command ended; its ``stdout`` and ``stderr`` hold the
        output nothing had read yet (``bytes`` on a binary session). Raises ``TimeoutError`` after
        ``timeout`` seconds (the session stays open: wait again, or close it)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        out: List[Any] = []
        err: List[Any] = []
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                self._pending.extendleft(reversed([ExecChunk("stdout", d) for d in out] +
                                                  [ExecChunk("stderr", d) for d in err]))
                raise TimeoutError(f"the command did not end within {timeout} s")
            chunk = self._next(left)
            if chunk is None:
                if self._ended:
                    break
                continue
            (err if chunk.stream == "stderr" else out).append(chunk.data)
        assert self.result is not None
        empty: Any = b"" if self.binary else ""
        return ExecResult(self.result.exit_code, empty.join(out), empty.join(err), self.result.duration,
                          self.result.timed_out)

    def _next(self, timeout: Optional[float]) -> Optional[ExecChunk]:
        """The next chunk; None at the end (``_ended``) or when ``timeout`` passed first."""
        if self._pending:
            return self._pending.popleft()
        if self._ended:
            if self._error:
                raise self._error
            return None
        with self._reading:
            try:
                message = self._socket.receive(timeout)
            except TimeoutError:
                return None
            except _websocket.ConnectionClosed as closed:
                self._ended = True
                self._error = self._error_for_close(closed)
                raise self._error from None
            except _websocket.ProtocolError as broken:
                self._ended = True
                self._error = StacyVMConnectionError(f"the exec socket broke: {broken}")
                raise self._error from None
        if isinstance(message, bytes):
            return ExecChunk("stdout", message if self.binary else message.decode("utf-8", "replace"))
        frame = json.loads(message)
        kind = frame.get("type")
        if kind == "done":
            self._ended = True
            self.result = ExecResult(int(frame.get("exit_code", -1)), "", "", str(frame.get("duration", "")),
                                     bool(frame.get("timed_out", False)))
            self._socket.close()
            return None
        if kind == "error":
            self._ended = True
            self._error = error_from_frame(frame)
            self._socket.close()
            raise self._error
        data = frame.get("data") or ""
        return ExecChunk("stderr" if frame.get("stream") == "stderr" else "stdout",
                         base64.b64decode(data) if self.binary else data)

    def _error_for_close(self, closed: _websocket.ConnectionClosed) -> StacyVMError:
        """The connection ended without a last frame: typed by the close's reason (the server puts
        the error's code there), else by its code."""
        if closed.reason in ERRORS:
            return ERRORS[closed.reason](f"the exec socket closed: {closed.code} {closed.reason}", code=closed.reason)
        if closed.code == _websocket.CLOSE_ABNORMAL:
            return StacyVMConnectionError(f"the exec socket was dropped: {closed.reason}")
        if closed.code in (_websocket.CLOSE_NORMAL, 1001):
            return UnavailableError(f"the exec socket closed ({closed.code}) without an exit status")
        return ProviderError(f"the exec socket closed: {closed.code} {closed.reason}".strip())

    # the end
    def close(self) -> None:
        """Hangs up; a command still running is killed, with everything it started. Again is no error."""
        if self._reading.acquire(blocking=False):
            try:
                self._socket.close()
            finally:
                self._reading.release()
        else:  # another thread is reading: end its read
            self._socket.abort()
        if not self._ended:
            self._ended = True
            self._error = self._error or StacyVMConnectionError("the session is closed")

    def __enter__(self) -> "ExecSession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def websocket_url(base_url: str, path: str) -> str:
    """``path`` (from ``/api/v1``) on the gateway at ``base_url``, as ``ws://`` or ``wss://``."""
    base = base_url.rstrip("/")
    if base.startswith("https://"):
        base = "wss://" + base[len("https://"):]
    elif base.startswith("http://"):
        base = "ws://" + base[len("http://"):]
    return base + path


def connect_exec_socket(url: str, command: Command, *, env: Optional[Mapping[str, str]] = None,
                        workdir: Optional[str] = None, timeout: Optional[str] = None, pty: bool = False,
                        cols: Optional[int] = None, rows: Optional[int] = None, binary: bool = False,
                        headers: Optional[Mapping[str, str]] = None, connect_timeout: float = 30.0) -> ExecSession:
    """Opens an exec socket at ``url`` as it is, for instance an ``ExecSocketToken``'s ``url`` (the token
    is its credential), and starts ``command`` there; the arguments are ``Sandbox.exec_socket``'s."""
    socket = _websocket.connect(url, headers, connect_timeout)
    try:
        return ExecSession(socket, socket_request(command, env=env, workdir=workdir, timeout=timeout, pty=pty,
                                                  cols=cols, rows=rows, binary=binary))
    except BaseException:
        socket.abort()
        raise
