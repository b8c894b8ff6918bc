"""The entry point: ``Client(base_url, api_key, user_id)``."""

from __future__ import annotations

import os
from urllib.parse import quote
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from ._http import Transport
from .events import EventStream
from .models import SandboxStats
from .sandbox import Sandbox


def _spec(**fields: Any) -> Dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


def _joined(values: Union[str, Sequence[str], None]) -> Optional[str]:
    """One value or several as the API takes them: comma-separated."""
    if values is None or isinstance(values, str):
        return values or None
    return ",".join(values) or None


class Templates:
    """Named sandbox specs; ``spawn`` creates a sandbox from one."""

    def __init__(self, transport: Transport):
        self._http = transport

    def list(self) -> List[Dict[str, Any]]:
        return list(self._http.json("GET", "/templates"))

    def get(self, name: str) -> Dict[str, Any]:
        return self._http.json("GET", f"/templates/{name}")

    def create(self, name: str, **spec: Any) -> Dict[str, Any]:
        return self._http.json("POST", "/templates", _spec(name=name, **spec))

    def update(self, name: str, **spec: Any) -> Dict[str, Any]:
        return self._http.json("PUT", f"/templates/{name}", _spec(name=name, **spec))

    def delete(self, name: str) -> None:
        self._http.json("DELETE", f"/templates/{name}")

    def spawn(self, name: str, **overrides: Any) -> Sandbox:
        return Sandbox(self._http, self._http.json("POST", f"/templates/{name}/spawn", _spec(**overrides)))


class Admin:
    """What an ``admin`` key may do: API keys, the audit log, quotas."""

    def __init__(self, transport: Transport):
        self._http = transport

    def api_keys(self) -> List[Dict[str, Any]]:
        return list(self._http.json("GET", "/admin/api-keys"))

    def create_api_key(self, name: str, role: str = "user", tenant: str = "default") -> Dict[str, Any]:
        """The answer carries the key itself, the only time it is ever shown."""
        return self._http.json("POST", "/admin/api-keys", _spec(name=name, role=role, tenant=tenant))

    def revoke_api_key(self, key_id: str) -> None:
        self._http.json("DELETE", f"/admin/api-keys/{key_id}")

    def audit(self, **filters: Any) -> List[Dict[str, Any]]:
        """Filters: ``actor, action, target, since, until, after_id, limit``."""
        return list(self._http.json("GET", "/admin/audit", query=_spec(**filters)))

    def verify_audit(self) -> Dict[str, Any]:
        return self._http.json("GET", "/admin/audit/verify")

    def quota(self, owner: str) -> Dict[str, Any]:
        return self._http.json("GET", f"/quotas/{quote(owner, safe=':@')}")

    def set_quota(self, owner: str, **limits: Any) -> Dict[str, Any]:
        return self._http.json("PUT", f"/quotas/{quote(owner, safe=':@')}", _spec(**limits))

    def reset_quota(self, owner: str) -> None:
        self._http.json("DELETE", f"/quotas/{quote(owner, safe=':@')}")


class Client:
    """A StacyVM API client. Arguments left out come from ``STACYVM_URL``, ``STACYVM_API_KEY``,
    ``STACYVM_TOKEN`` (an OIDC access token) and ``STACYVM_USER_ID``."""

    def __init__(self, base_url: Optional[str] = None, api_key: Optional[str] = None,
                 user_id: Optional[str] = None, *, token: Optional[str] = None, timeout: float = 120.0):
        self._http = Transport(base_url or os.environ.get("STACYVM_URL", "http://127.0.0.1:7423"),
                               api_key if api_key is not None else os.environ.get("STACYVM_API_KEY"),
                               token if token is not None else os.environ.get("STACYVM_TOKEN"),
                               user_id if user_id is not None else os.environ.get("STACYVM_USER_ID"), timeout)
        self.templates = Templates(self._http)
        self.admin = Admin(self._http)

    def spawn(self, image: Optional[str] = None, *, template: Optional[str] = None, ttl: Optional[str] = None,
              memory_mb: Optional[int] = None, vcpus: Optional[int] = None, env: Optional[Mapping[str, str]] = None,
              metadata: Optional[Mapping[str, str]] = None, network: Optional[str] = None,
              ports: Optional[Sequence[int]] = None, public_preview: Optional[bool] = None,
              pids_limit: Optional[int] = None, worker_labels: Optional[Mapping[str, str]] = None,
              provider: Optional[str] = None, read_only_root: Optional[bool] = None,
              runtime: Optional[str] = None) -> Sandbox:
        """Creates a sandbox and answers it running; what is left out gets the server's defaults.
        ``read_only_root`` mounts the image read-only (/workspace, /tmp and /var/tmp stay writable);
        ``runtime`` is the OCI runtime, ``"runc"`` (default) or ``"runsc"`` (gVisor, network none only)."""
        body = _spec(image=image, template=template, ttl=ttl, memory_mb=memory_mb, vcpus=vcpus,
                     env=dict(env) if env else None, metadata=dict(metadata) if metadata else None,
                     network=network, ports=list(ports) if ports else None, public_preview=public_preview,
                     pids_limit=pids_limit, worker_labels=dict(worker_labels) if worker_labels else None,
                     provider=provider, read_only_root=read_only_root, runtime=runtime)
        return Sandbox(self._http, self._http.json("POST", "/sandboxes", body))

    def admission(self, **spec: Any) -> Dict[str, Any]:
        """Whether a create with this spec would go ahead now, and why not; creates nothing."""
        return self._http.json("POST", "/sandboxes/admission", _spec(**spec))

    def get(self, sandbox_id: str) -> Sandbox:
        return Sandbox(self._http, self._http.json("GET", f"/sandboxes/{sandbox_id}"))

    def list(self) -> List[Sandbox]:
        return [Sandbox(self._http, data) for data in self._http.json("GET", "/sandboxes")]

    def destroy(self, sandbox_id: str) -> None:
        self._http.json("DELETE", f"/sandboxes/{sandbox_id}")

    def stats(self, sandbox_id: str) -> SandboxStats:
        """What a running sandbox uses now (takes about a second); ``ConflictError`` when it is not running."""
        return SandboxStats.from_json(self._http.json("GET", f"/sandboxes/{sandbox_id}/stats"))

    def events(self, sandbox_id: Union[str, Sequence[str], None] = None, types: Union[str, Sequence[str], None] = None,
               last_event_id: Optional[str] = None, *, max_retries: int = 5, read_timeout: float = 45.0) -> EventStream:
        """Follows the sandbox events the caller may see, from now or just after ``last_event_id`` (an
        event's ``cursor``), narrowed to ``sandbox_id`` and ``types`` (one or several of each). The stream
        opens before this answers, so its errors raise here (``BadRequestError`` for an unknown type);
        it reconnects by itself, and ``read_timeout`` seconds without a byte (heartbeats come every 15 s)
        count as a dropped connection. Close it, or use it in ``with``."""
        query = _spec(sandbox_id=_joined(sandbox_id), type=_joined(types))
        return EventStream(self._http, query, last_event_id, max_retries, read_timeout)

    def prune(self) -> int:
        """Destroys the caller's expired sandboxes now; answers how many."""
        return int(self._http.json("DELETE", "/sandboxes")["pruned"])

    def providers(self) -> List[Dict[str, Any]]:
        return list(self._http.json("GET", "/providers"))

    def workers(self) -> List[Dict[str, Any]]:
        return list(self._http.json("GET", "/workers"))
