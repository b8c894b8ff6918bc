"""What the API answers with, as plain data classes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional


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
    """Output as it was written: ``stream`` is ``stdout`` or ``stderr``."""

    stream: str
    data: str


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
