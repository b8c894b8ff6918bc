"""StacyVM's Python SDK: the standard library only, Python 3.9 and later.

    from stacyvm import Client
    with Client("http://127.0.0.1:7423", api_key="svm_...").spawn() as sandbox:
        print(sandbox.exec("echo hello").stdout)
"""

from .background import BackgroundFollow, BackgroundProcess
from .client import Admin, Client, Templates
from .errors import (BadRequestError, ConflictError, ForbiddenError, InternalError, NotFoundError, ProviderError,
                     ResourceLimitError, StacyVMConnectionError, StacyVMError, UnauthorizedError, UnavailableError)
from .events import EventStream
from .exec_socket import ExecSession, connect_exec_socket
from .files import Files
from .models import BackgroundChunk, BackgroundOutput, ExecChunk, ExecResult, ExecSocketToken, FileInfo, PreviewAccess, SandboxEvent, SandboxStats
from .sandbox import ExecStream, Sandbox

__version__ = "0.1.0"

__all__ = ["Admin", "BackgroundChunk", "BackgroundFollow", "BackgroundOutput", "BackgroundProcess", "BadRequestError", "Client", "ConflictError", "EventStream", "ExecChunk", "ExecResult", "ExecSession",
           "ExecSocketToken", "ExecStream", "FileInfo", "Files", "ForbiddenError", "InternalError", "NotFoundError", "PreviewAccess", "ProviderError",
           "ResourceLimitError", "Sandbox", "SandboxEvent", "SandboxStats", "StacyVMConnectionError", "StacyVMError",
           "Templates", "UnauthorizedError", "UnavailableError", "connect_exec_socket"]
