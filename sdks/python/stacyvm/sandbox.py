"""One sandbox: run commands in it, move files in and out, preview it, destroy it."""

from __future__ import annotations

import json
import re
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence, Union

from ._http import Transport
from .background import BackgroundProcess
from .errors import ProviderError
from .exec_socket import ExecSession, connect_exec_socket, websocket_url
from .files import Files
from .models import ExecChunk, ExecResult, ExecSocketToken, PreviewAccess, SandboxStats

Command = Union[str, Sequence[str]]

# what a terminal runs unless told: the same in every StacyVM SDK
LOGIN_SHELL = ["/bin/sh", "-c", "if command -v bash >/dev/null; then exec bash -l; else exec sh -l; fi"]


def exec_body(command: Command, env: Optional[Mapping[str, str]], workdir: Optional[str],
              timeout: Optional[str], stream: bool, background: bool = False) -> Dict[str, Any]:
    """A string runs through ``/bin/sh -c``; a list runs as it is, each item one argument."""
    if isinstance(command, str):
        body: Dict[str, Any] = {"command": command, "mode": "shell"}
    else:
        parts = list(command)
        if not parts:
            raise ValueError("command is empty")
        body = {"command": parts[0], "args": parts[1:], "mode": "argv"}
    for key, value in (("env", dict(env) if env else None), ("workdir", workdir), ("timeout", timeout)):
        if value is not None:
            body[key] = value
    if stream:
        body["stream"] = True
    if background:
        body["background"] = True
    return body


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def go_duration_seconds(text: str) -> float:
    """``"1h30m"``, ``"45s"``, ``"250ms"``: a Go duration, in seconds."""
    parts = _DURATION_PART.findall(text or "")
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise ValueError(f"not a Go duration: {text!r}")
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


def _wait_for(timeout: Optional[str]) -> float:
    """How long to wait for an answer: the command's own timeout and a margin, else the longest an exec may run."""
    return go_duration_seconds(timeout) + 30 if timeout else 3660


class ExecStream:
    """Iterates over a running command's output as it is written; ``result`` holds how it ended."""

    def __init__(self, answer):
        self._answer = answer
        self.result: Optional[ExecResult] = None
        self._stdout: List[str] = []
        self._stderr: List[str] = []

    def __iter__(self) -> Iterator[ExecChunk]:
        try:
            for raw in self._answer:
                line = raw.decode("utf-8").strip()
                if not line:
                    continue
                event = json.loads(line)
                if "exit_code" in event:
                    self.result = ExecResult(int(event["exit_code"]), "".join(self._stdout), "".join(self._stderr),
                                             event.get("duration", ""), bool(event.get("timed_out", False)))
                    continue
                chunk = ExecChunk(event.get("stream", "stdout"), event.get("data", ""))
                (self._stderr if chunk.stream == "stderr" else self._stdout).append(chunk.data)
                yield chunk
        finally:
            self.close()

    def wait(self) -> ExecResult:
        """Reads the rest of the output and answers how the command ended."""
        for _ in self:
            pass
        if self.result is None:
            raise ProviderError("the stream ended without an exit status")
        return self.result

    def close(self) -> None:
        """Stops reading; a command still running is killed by the worker."""
        self._answer.close()

    def __enter__(self) -> "ExecStream":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Sandbox:
    """A sandbox as last read; use it as a context manager to destroy it on exit."""

    def __init__(self, transport: Transport, data: Mapping[str, Any]):
        self._http = transport
        self.data: Dict[str, Any] = dict(data)
        self.files = Files(transport, self.id)

    # what the API says about it
    @property
    def id(self) -> str:
        return self.data["id"]

    @property
    def state(self) -> str:
        return self.data.get("state", "")

    @property
    def image(self) -> str:
        return self.data.get("image", "")

    @property
    def expires_at(self) -> Optional[str]:
        return self.data.get("expires_at")

    @property
    def metadata(self) -> Dict[str, str]:
        return dict(self.data.get("metadata") or {})

    def __repr__(self) -> str:
        return f"Sandbox(id={self.id!r}, state={self.state!r}, image={self.image!r})"

    def refresh(self) -> "Sandbox":
        self.data = self._http.json("GET", f"/sandboxes/{self.id}")
        return self

    # commands
    def exec(self, command: Command, *, env: Optional[Mapping[str, str]] = None, workdir: Optional[str] = None,
             timeout: Optional[str] = None) -> ExecResult:
        """Runs a command to its end (or its ``timeout``, a Go duration such as ``"30s"``)."""
        body = exec_body(command, env, workdir, timeout, stream=False)
        return ExecResult.from_json(self._http.json("POST", f"/sandboxes/{self.id}/exec", body,
                                                    timeout=_wait_for(timeout)))

    def exec_stream(self, command: Command, *, env: Optional[Mapping[str, str]] = None,
                    workdir: Optional[str] = None, timeout: Optional[str] = None) -> ExecStream:
        """Starts a command and answers an iterator of its output chunks as they are written."""
        body = exec_body(command, env, workdir, timeout, stream=True)
        answer = self._http.open("POST", f"/sandboxes/{self.id}/exec", json_body=body,
                                 headers={"Accept": "application/x-ndjson"}, timeout=_wait_for(timeout))
        return ExecStream(answer)

    def start_background(self, command: Command, *, env: Optional[Mapping[str, str]] = None,
                         workdir: Optional[str] = None, timeout: Optional[str] = None) -> BackgroundProcess:
        """Starts a command detached and answers at once with its ``BackgroundProcess``: a dev server, a
        watcher, a long job that outlives this call. It runs until it ends, is signalled or killed, its
        ``timeout`` passes (a Go duration within the owner's maximum; none unless given) or the sandbox
        ends; its output stays readable (the last 256 KiB) and followable. A string runs in ``/bin/sh``,
        a list as it is. ``ResourceLimitError`` past 16 running in the sandbox."""
        body = exec_body(command, env, workdir, timeout, stream=False, background=True)
        return BackgroundProcess(self._http, self.id, self._http.json("POST", f"/sandboxes/{self.id}/exec", body))

    def background_processes(self) -> List[BackgroundProcess]:
        """Its background processes, running and ended, oldest first (until killed; a worker restart
        forgets them)."""
        return [BackgroundProcess(self._http, self.id, data)
                for data in self._http.json("GET", f"/sandboxes/{self.id}/exec/background") or []]

    def background_process(self, process_id: str) -> BackgroundProcess:
        """One background process by its id (``bg-...``); ``NotFoundError`` when there is none."""
        return BackgroundProcess(self._http, self.id, {"id": process_id}).refresh()

    def exec_socket(self, command: Command, *, env: Optional[Mapping[str, str]] = None,
                    workdir: Optional[str] = None, timeout: Optional[str] = None, pty: bool = False,
                    cols: Optional[int] = None, rows: Optional[int] = None, binary: bool = False,
                    connect_timeout: float = 30.0) -> ExecSession:
        """Starts a command over a WebSocket and answers its ``ExecSession``: stdin both ways, output as
        it is written, signals, and on a terminal (``pty=True``, ``cols`` x ``rows``, 80 x 24 by
        default) resizing. ``binary=True`` carries every byte as it is (output chunks are ``bytes``).
        ``timeout`` defaults to 60 s, on a terminal to the owner's maximum (1 h unless set). A refused
        session raises as any request does (``ConflictError`` when the sandbox is not running,
        ``ResourceLimitError`` past 16 sessions per key); a refused request raises from the session
        (``BadRequestError``). Use it in ``with``: closing it kills the command."""
        return connect_exec_socket(websocket_url(self._http.base_url, f"/api/v1/sandboxes/{self.id}/exec/ws"),
                                   command, env=env, workdir=workdir, timeout=timeout, pty=pty, cols=cols,
                                   rows=rows, binary=binary, headers=self._http.headers(),
                                   connect_timeout=connect_timeout)

    def terminal(self, command: Optional[Command] = None, *, cols: int = 80, rows: int = 24,
                 env: Optional[Mapping[str, str]] = None, workdir: Optional[str] = None,
                 timeout: Optional[str] = None, connect_timeout: float = 30.0) -> ExecSession:
        """An interactive terminal: ``exec_socket`` with a PTY (``TERM`` is ``xterm-256color`` unless ``env``
        says otherwise), running ``command``, by default a login shell (``bash`` where the image has it,
        else ``sh``)."""
        return self.exec_socket(LOGIN_SHELL if command is None else command, env=env, workdir=workdir, timeout=timeout, pty=True, cols=cols, rows=rows,
                                connect_timeout=connect_timeout)

    def exec_socket_token(self) -> ExecSocketToken:
        """A single-use token that opens this sandbox's exec socket within 60 s, for a browser: hand it
        ``url`` (the whole address), never the API key. ``ForbiddenError`` for a ``viewer`` key."""
        grant = self._http.json("POST", f"/sandboxes/{self.id}/exec/ws/token")
        return ExecSocketToken(grant["token"], str(grant.get("expires_at", "")), grant["path"],
                               websocket_url(self._http.base_url, grant["path"]))

    def logs(self, lines: int = 100) -> List[str]:
        return list(self._http.json("GET", f"/sandboxes/{self.id}/logs", query={"lines": lines}))

    def stats(self) -> SandboxStats:
        """CPU, memory, disk, processes and network now (takes about a second); ``ConflictError`` when not running."""
        return SandboxStats.from_json(self._http.json("GET", f"/sandboxes/{self.id}/stats"))

    # life
    def extend(self, ttl: str) -> "Sandbox":
        """Gives it ``ttl`` more (a Go duration), capped by the owner's maximum TTL from now."""
        self.data = self._http.json("POST", f"/sandboxes/{self.id}/extend", {"ttl": ttl})
        return self

    def destroy(self) -> None:
        """Removes it and everything in it; destroying it again is no error."""
        self._http.json("DELETE", f"/sandboxes/{self.id}")
        self.data["state"] = "destroyed"

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.destroy()

    # previews
    def preview(self, port: int) -> PreviewAccess:
        """The preview address of ``port`` and, for a private preview, a token that opens it."""
        access = self._http.json("GET", f"/sandboxes/{self.id}/preview/{int(port)}")
        return PreviewAccess(access["url"], access.get("token"), access.get("expires_at"),
                             bool(access.get("public_preview")))

    def preview_url(self, port: int) -> str:
        """A URL a browser can open: the plain address of a public preview, with a token otherwise."""
        access = self.preview(port)
        if access.public_preview or not access.token:
            return access.url
        separator = "&" if "?" in access.url else "?"
        return f"{access.url}{separator}preview_token={access.token}"
