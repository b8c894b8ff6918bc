"""What the API answers with, as plain data classes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional


@dataclass(frozen=True)
class ExecResult:
    exit_code: int
    stdout: str
    stderr: str
    duration: str
    timed_out: bool

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "ExecResult":
        return cls(int(data.get("exit_code", -1)), data.get("stdout", ""), data.get("stderr", ""),
                   data.get("duration", ""), bool(data.get("timed_out", False)))


@dataclass(frozen=True)
class ExecChunk:
    """Output as it was written: ``stream`` is ``stdout`` or ``stderr``. ``data`` is text, or ``bytes``
    on a binary exec socket (``exec_socket(..., binary=True)``)."""

    stream: str
    data: str


@dataclass(frozen=True)
class BackgroundChunk:
    """A piece of a background process's output: ``stream`` (``stdout`` or ``stderr``), its text
    (UTF-8, invalid bytes replaced) and the byte offset it starts at."""

    stream: str
    data: str
    offset: int


@dataclass(frozen=True)
class BackgroundOutput:
    """``BackgroundProcess.output(since)``: the chunks from ``since`` on, ``next`` (the offset to ask
    from next time), ``dropped`` (output after ``since`` had already left the 256 KiB buffer) and the
    process as it is now (a ``BackgroundProcess``)."""

    chunks: List[BackgroundChunk]
    next: int
    dropped: bool
    process: Any

    @property
    def stdout(self) -> str:
        return "".join(chunk.data for chunk in self.chunks if chunk.stream != "stderr")

    @property
    def stderr(self) -> str:
        return "".join(chunk.data for chunk in self.chunks if chunk.stream == "stderr")


@dataclass(frozen=True)
class ExecSocketToken:
    """Opens one exec socket of one sandbox, once, within 60 s: for a browser, which cannot send the API
    key. ``url`` is the whole ``ws://`` (or ``wss://``) address to open, token included; ``path`` the
    same from the gateway's root."""

    token: str
    expires_at: str
    path: str
    url: str


@dataclass(frozen=True)
class FileInfo:
    name: str
    path: str
    size: int
    is_dir: bool
    mod_time: str
    mode: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "FileInfo":
        return cls(data.get("name", ""), data.get("path", ""), int(data.get("size", 0)), bool(data.get("is_dir")),
                   data.get("mod_time", ""), data.get("mode", ""))


@dataclass(frozen=True)
class PreviewAccess:
    url: str
    token: Optional[str]
    expires_at: Optional[str]
    public_preview: bool


@dataclass(frozen=True)
class SandboxStats:
    """What a running sandbox uses now, sampled over about a second."""

    sandbox_id: str
    timestamp: str
    cpu_pct: float
    """In percent of one core: a sandbox keeping two cores busy is at 200."""
    vcpus: int
    mem_bytes: int
    mem_limit_bytes: int
    disk_used_bytes: int
    disk_limit_bytes: Optional[int]
    """None when the host does not enforce a disk limit."""
    pids: int
    pids_limit: int
    net_rx_bytes: int
    net_tx_bytes: int

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "SandboxStats":
        disk_limit = data.get("disk_limit_bytes")
        return cls(data.get("sandbox_id", ""), data.get("timestamp", ""), float(data.get("cpu_pct", 0)),
                   int(data.get("vcpus", 0)), int(data.get("mem_bytes", 0)), int(data.get("mem_limit_bytes", 0)),
                   int(data.get("disk_used_bytes", 0)), None if disk_limit is None else int(disk_limit),
                   int(data.get("pids", 0)), int(data.get("pids_limit", 0)), int(data.get("net_rx_bytes", 0)),
                   int(data.get("net_tx_bytes", 0)))


@dataclass(frozen=True)
class SandboxEvent:
    """One sandbox lifecycle event of ``client.events()``.

    ``type`` is ``sandbox.created``, ``.running``, ``.unhealthy``, ``.expired``, ``.destroying``,
    ``.destroyed``, ``.error`` or ``.progress``. ``data`` holds ``from_state`` (not on created),
    ``to_state``, ``image`` and ``reason`` for a state change; ``phase``, ``detail``, ``bytes_done`` and
    ``bytes_total`` for progress. ``cursor`` is the stream's position just after this event: pass it as
    ``last_event_id`` to resume there, on any gateway."""

    id: str
    type: str
    sandbox_id: str
    owner_id: Optional[str]
    worker_id: Optional[str]
    timestamp: str
    data: Dict[str, Any]
    cursor: Optional[str]

    @classmethod
    def from_json(cls, event: Mapping[str, Any], cursor: Optional[str]) -> "SandboxEvent":
        return cls(event.get("id", ""), event.get("type", ""), event.get("sandbox_id", ""), event.get("owner_id"),
                   event.get("worker_id"), event.get("timestamp", ""), dict(event.get("data") or {}), cursor)
