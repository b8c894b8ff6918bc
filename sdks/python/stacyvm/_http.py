"""The HTTP layer: the standard library's urllib, JSON in and out, typed errors, streamed bodies."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, BinaryIO, Dict, Mapping, Optional

from .errors import StacyVMConnectionError, from_response

USER_AGENT = "stacyvm-python/0.1"


class Transport:
    """Sends requests to ``{base_url}/api/v1`` with the caller's credentials."""

    def __init__(self, base_url: str, api_key: Optional[str] = None, token: Optional[str] = None,
                 user_id: Optional[str] = None, timeout: float = 120.0):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.token = token
        self.user_id = user_id
        self.timeout = timeout

    def url(self, path: str, query: Optional[Mapping[str, Any]] = None) -> str:
        url = f"{self.base_url}/api/v1{path}"
        if query:
            pairs = {k: ("true" if v is True else "false" if v is False else v) for k, v in query.items() if v is not None}
            if pairs:
                url += "?" + urllib.parse.urlencode(pairs)
        return url

    def headers(self, extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
        if self.api_key:
            headers["X-API-Key"] = self.api_key
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.user_id:
            headers["X-User-ID"] = self.user_id
        if extra:
            headers.update(extra)
        return headers

    def open(self, method: str, path: str, *, query: Optional[Mapping[str, Any]] = None, json_body: Any = None,
             data: Optional[bytes | BinaryIO] = None, headers: Optional[Mapping[str, str]] = None,
             timeout: Optional[float] = None):
        """Sends a request and answers the open response (its body not read yet); raises typed errors."""
        extra = dict(headers or {})
        if json_body is not None:
            data = json.dumps(json_body).encode("utf-8")
            extra["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url(path, query), data=data, method=method,
                                         headers=self.headers(extra))
        try:
            return urllib.request.urlopen(request, timeout=timeout or self.timeout)
        except urllib.error.HTTPError as answer:
            body = answer.read()
            raise from_response(answer.code, body, answer.headers.get("Retry-After")) from None
        except (urllib.error.URLError, OSError) as failure:
            reason = getattr(failure, "reason", failure)
            raise StacyVMConnectionError(f"could not reach {self.base_url}: {reason}") from None

    def json(self, method: str, path: str, body: Any = None, *, query: Optional[Mapping[str, Any]] = None,
             timeout: Optional[float] = None) -> Any:
        with self.open(method, path, query=query, json_body=body, timeout=timeout,
                       headers={"Accept": "application/json"}) as answer:
            raw = answer.read()
        return json.loads(raw) if raw else None

    def bytes(self, method: str, path: str, *, query: Optional[Mapping[str, Any]] = None) -> bytes:
        with self.open(method, path, query=query) as answer:
            return answer.read()
