"""Background processes: commands started detached (``background: true`` on exec), which outlive the
request that started them; ``/sandboxes/{id}/exec/background``."""

from __future__ import annotations

import http.client
import json
import time
from typing import Any, Dict, Iterator, List, Mapping, Optional

from ._http import Transport
from .errors import StacyVMConnectionError
from .events import _hang_up
from .models import BackgroundChunk, BackgroundOutput, ExecChunk, ExecResult


def signal_name(signal: str) -> str:
    """``"SIGTERM"``, ``"term"`` and ``"TERM"`` alike: the API takes the name without ``SIG``."""
    name = signal.strip().upper()
    return name[3:] if name.startswith("SIG") else name


class BackgroundProcess:
    """A background process as last read (``refresh()`` reads it again). ``exit_code`` and ``ended_at``
    are None while it runs; ``exit_code`` is 128 + the signal's number when a signal ended it."""

    def __init__(self, transport: Transport, sandbox_id: str, data: Mapping[str, Any]):
        self._http = transport
        self.sandbox_id = sandbox_id
        self.data: Dict[str, Any] = dict(data)

    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def command(self) -> str:
        return self.data.get("command", "")

    @property
    def state(self) -> str:
        """``running`` or ``exited``."""
        return self.data.get("state", "")

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def exit_code(self) -> Optional[int]:
        code = self.data.get("exit_code")
        return None if code is None else int(code)

    @property
    def timed_out(self) -> bool:
        return bool(self.data.get("timed_out", False))

    @property
    def started_at(self) -> str:
        return self.data.get("started_at", "")

    @property
    def ended_at(self) -> Optional[str]:
        return self.data.get("ended_at")

    @property
    def output_bytes(self) -> int:
        """Bytes of output it has written so far, dropped ones included."""
        return int(self.data.get("output_bytes", 0))

    def __repr__(self) -> str:
        return f"BackgroundProcess(id={self.id!r}, state={self.state!r}, exit_code={self.exit_code!r})"

    @property
    def _path(self) -> str:
        return f"/sandboxes/{self.sandbox_id}/exec/background/{self.id}"

    def refresh(self) -> "BackgroundProcess":
        """Reads its state again; ``NotFoundError`` once it was killed (or its worker restarted)."""
        self.data = self._http.json("GET", self._path)
        return self

    def output(self, since: int = 0) -> BackgroundOutput:
        """What it wrote from byte ``since`` on, as far as the buffer (its last 256 KiB) holds it; pass
        the answer's ``next`` as ``since`` to read only what is new. Refreshes this handle too."""
        answer = self._http.json("GET", f"{self._path}/output", query={"since": int(since)})
        self.data = dict(answer.get("process") or self.data)
        chunks = [BackgroundChunk(chunk.get("stream", "stdout"), chunk.get("data", ""), int(chunk.get("offset", 0)))
                  for chunk in answer.get("chunks") or []]
        return BackgroundOutput(chunks, int(answer.get("next", since)), bool(answer.get("dropped", False)),
                                BackgroundProcess(self._http, self.sandbox_id, self.data))

    def follow(self, since: int = 0, *, read_timeout: float = 30.0) -> "BackgroundFollow":
        """Its output from byte ``since`` on, then live until it ends: an iterator of ``ExecChunk``; its
        ``result`` (an ``ExecResult`` of what was read) is set once the process ended, its ``next`` is
        where to follow again from after a dropped connection. The server writes a keepalive every half
        second, so ``read_timeout`` seconds without a byte raise ``StacyVMConnectionError``."""
        answer = self._http.open("GET", f"{self._path}/output", query={"since": int(since), "follow": True},
                                 headers={"Accept": "application/x-ndjson"}, timeout=read_timeout)
        return BackgroundFollow(answer, int(since))

    def signal(self, signal: str = "TERM") -> "BackgroundProcess":
        """Sends ``signal`` (``HUP``, ``INT``, ``QUIT``, ``KILL``, ``USR1``, ``USR2``, ``TERM``, ``CONT``,
        ``STOP``; with or without ``SIG``) to its command's process group; an ended one is left alone.
        Answers this handle, refreshed: the process may take a moment to exit (``wait``)."""
        self.data = self._http.json("POST", f"{self._path}/signal", {"signal": signal_name(signal)})
        return self

    def kill(self) -> None:
        """Kills it with everything it started, if it still runs, and forgets it: reading it afterwards
        raises ``NotFoundError``."""
        self._http.json("DELETE", self._path)

    def wait(self, timeout: float = 60.0, *, interval: float = 0.25) -> "BackgroundProcess":
        """Waits until it exited, ``timeout`` seconds at most (``TimeoutError`` after), reading its state
        every ``interval`` seconds; answers this handle with its ``exit_code``."""
        deadline = time.monotonic() + timeout
        while self.refresh().running:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"background process {self.id} still runs after {timeout} s")
            time.sleep(min(interval, left))
        return self


class BackgroundFollow:
    """A background process's output as it is written (``BackgroundProcess.follow``). Iterate it for
    ``ExecChunk`` values; ``result`` is the ``ExecResult`` of what was read once the process ended
    (None when the stream ended first), ``next`` the byte offset to follow again from. ``close()``
    (also from another thread, or by ``with``) stops reading; the process goes on running."""

    def __init__(self, answer, since: int):
        self._answer = answer
        self._closed = False
        self.next = since
        """The offset after the last chunk read, counted in UTF-8 bytes of its text: exact unless the
        process wrote bytes that are not UTF-8 (``output()`` answers the server's own offsets)."""
        self.result: Optional[ExecResult] = None
        self._stdout: List[str] = []
        self._stderr: List[str] = []
        self._lines = self._read()

    def _read(self) -> Iterator[ExecChunk]:
        try:
            for raw in self._answer:
                line = raw.decode("utf-8").strip()
                if not line:
                    continue  # a keepalive
                event = json.loads(line)
                if "exit_code" in event:
                    self.result = ExecResult(int(event["exit_code"]), "".join(self._stdout), "".join(self._stderr),
                                             event.get("duration", ""), bool(event.get("timed_out", False)))
                    continue
                chunk = ExecChunk(event.get("stream", "stdout"), event.get("data", ""))
                (self._stderr if chunk.stream == "stderr" else self._stdout).append(chunk.data)
                self.next += len(chunk.data.encode("utf-8"))
                yield chunk
        except Exception as failure:
            if self._closed:
                return  # closed from another thread: http.client fails in whatever way it is caught
            if isinstance(failure, (OSError, http.client.HTTPException)):
                raise StacyVMConnectionError(f"the followed output stopped: {failure}") from None
            raise
        finally:
            self.close()

    def __iter__(self) -> "BackgroundFollow":
        return self

    def __next__(self) -> ExecChunk:
        return next(self._lines)

    def wait(self) -> Optional[ExecResult]:
        """Reads the rest and answers how the process ended (None when the stream ended first)."""
        for _ in self:
            pass
        return self.result

    def close(self) -> None:
        self._closed = True
        _hang_up(self._answer)

    def __enter__(self) -> "BackgroundFollow":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
