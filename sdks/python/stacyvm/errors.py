"""Typed errors: one class per error ``code`` the StacyVM API answers with."""

from __future__ import annotations

import json
from typing import Dict, Optional, Type


class StacyVMError(Exception):
    """Any error the API answered with, or a failure to reach it (``code`` ``connection``)."""

    code = "error"

    def __init__(self, message: str, *, status: Optional[int] = None, code: Optional[str] = None,
                 retry_after: Optional[int] = None):
        super().__init__(message)
        self.message = message
        self.status = status
        if code is not None:
            self.code = code
        self.retry_after = retry_after

    def __str__(self) -> str:
        prefix = f"{self.status} " if self.status else ""
        return f"{prefix}{self.code}: {self.message}"


class BadRequestError(StacyVMError):
    code = "bad_request"


class UnauthorizedError(StacyVMError):
    code = "unauthorized"


class ForbiddenError(StacyVMError):
    code = "forbidden"


class NotFoundError(StacyVMError):
    code = "not_found"


class ConflictError(StacyVMError):
    code = "conflict"


class ResourceLimitError(StacyVMError):
    """A quota, a rate limit or the hosts' capacity; ``retry_after`` (seconds) when waiting helps."""

    code = "resource_limit"


class ProviderError(StacyVMError):
    code = "provider_error"


class InternalError(StacyVMError):
    """A failure of StacyVM's own code; the message carries an incident id its log holds."""

    code = "internal_error"


class UnavailableError(StacyVMError):
    code = "unavailable"


class StacyVMConnectionError(StacyVMError):
    """The API could not be reached at all."""

    code = "connection"


ERRORS: Dict[str, Type[StacyVMError]] = {cls.code: cls for cls in (
    BadRequestError, UnauthorizedError, ForbiddenError, NotFoundError, ConflictError, ResourceLimitError,
    ProviderError, InternalError, UnavailableError)}

_BY_STATUS = {400: BadRequestError, 401: UnauthorizedError, 403: ForbiddenError, 404: NotFoundError,
              409: ConflictError, 429: ResourceLimitError, 503: UnavailableError}


def from_response(status: int, body: bytes, retry_after: Optional[str] = None) -> StacyVMError:
    """The typed error for an answer: by its ``code``, else by its HTTP status."""
    code = None
    message = body.decode("utf-8", "replace").strip() or f"HTTP {status}"
    try:
        parsed = json.loads(body)
        if isinstance(parsed, dict):
            code = parsed.get("code")
            message = parsed.get("message") or parsed.get("detail") or message
    except ValueError:
        pass
    cls = ERRORS.get(code or "") or _BY_STATUS.get(status) or (ProviderError if status >= 500 else StacyVMError)
    seconds = int(retry_after) if retry_after and retry_after.isdigit() else None
    return cls(message, status=status, code=code or cls.code, retry_after=seconds)
