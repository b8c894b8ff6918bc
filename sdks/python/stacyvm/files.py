"""A sandbox's files: every path is resolved inside the sandbox, with its user's rights."""

from __future__ import annotations

import base64
import os
import tarfile
import tempfile
from typing import List, Optional, Union

from ._http import Transport
from .errors import BadRequestError, NotFoundError
from .models import FileInfo


class Files:
    def __init__(self, transport: Transport, sandbox_id: str):
        self._http = transport
        self._base = f"/sandboxes/{sandbox_id}/files"

    def write(self, path: str, content: Union[str, bytes], mode: Optional[str] = None) -> None:
        """Writes a file (its folders are made); bytes go base64-encoded, so any content survives."""
        body = {"path": path, "mode": mode}
        if isinstance(content, bytes):
            body.update(content=base64.b64encode(content).decode("ascii"), encoding="base64")
        else:
            body["content"] = content
        self._http.json("POST", self._base, {k: v for k, v in body.items() if v is not None})

    def read(self, path: str) -> bytes:
        return self._http.bytes("GET", self._base, query={"path": path})

    def read_text(self, path: str, encoding: str = "utf-8") -> str:
        return self.read(path).decode(encoding)

    def list(self, path: str = "/workspace") -> List[FileInfo]:
        return [FileInfo.from_json(entry) for entry in self._http.json("GET", self._base + "/list", query={"path": path})]

    def stat(self, path: str) -> FileInfo:
        return FileInfo.from_json(self._http.json("GET", self._base + "/stat", query={"path": path}))

    def exists(self, path: str) -> bool:
        try:
            self.stat(path)
            return True
        except NotFoundError:
            return False

    def move(self, old_path: str, new_path: str) -> None:
        self._http.json("POST", self._base + "/move", {"old_path": old_path, "new_path": new_path})

    def chmod(self, path: str, mode: str) -> None:
        self._http.json("POST", self._base + "/chmod", {"path": path, "mode": mode})

    def delete(self, path: str, recursive: bool = False) -> None:
        self._http.json("DELETE", self._base, query={"path": path, "recursive": recursive or None})

    def glob(self, pattern: str) -> List[str]:
        return list(self._http.json("GET", self._base + "/glob", query={"pattern": pattern}))

    def upload_dir(self, local_dir: str, remote_dir: str) -> None:
        """Sends a local folder's contents into ``remote_dir`` as one tar stream."""
        if not os.path.isdir(local_dir):
            raise BadRequestError(f"{local_dir} is not a folder")
        with tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024) as archive:
            with tarfile.open(fileobj=archive, mode="w") as tar:
                for name in sorted(os.listdir(local_dir)):
                    tar.add(os.path.join(local_dir, name), arcname=name)
            size = archive.tell()
            archive.seek(0)
            with self._http.open("PUT", self._base + "/archive", query={"path": remote_dir}, data=archive,
                                 headers={"Content-Type": "application/x-tar", "Content-Length": str(size)}) as answer:
                answer.read()

    def download_dir(self, remote_dir: str, local_dir: str) -> List[str]:
        """Fetches ``remote_dir`` as a tar stream and unpacks it into ``local_dir``; answers the paths written."""
        os.makedirs(local_dir, exist_ok=True)
        root = os.path.realpath(local_dir)
        written = []
        with self._http.open("GET", self._base + "/archive", query={"path": remote_dir}) as answer:
            with tarfile.open(fileobj=answer, mode="r|*") as tar:
                for member in tar:
                    target = os.path.realpath(os.path.join(root, member.name))
                    if target != root and not target.startswith(root + os.sep):
                        raise BadRequestError(f"archive entry {member.name!r} would land outside {local_dir}")
                    if member.isdir():
                        os.makedirs(target, exist_ok=True)
                    elif member.isfile():
                        os.makedirs(os.path.dirname(target), exist_ok=True)
                        source = tar.extractfile(member)
                        with open(target, "wb") as out:
                            while True:
                                block = source.read(1024 * 1024) if source else b""
                                if not block:
                                    break
                                out.write(block)
                        os.chmod(target, member.mode & 0o755 | 0o600)
                        written.append(target)
                    # links and devices from a sandbox are never recreated on the caller's machine
        return written
