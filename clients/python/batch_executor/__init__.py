"""A Python client of batch-executor, standard library only.

``Client`` submits functions as tasks and reads their results, logs and history; ``electron``,
``lattice``, ``dispatch``, ``get_result`` and ``AWSBatchExecutor`` are the Covalent-style surface,
so that ``import batch_executor as ct`` runs code written for Covalent's AWS Batch executor.
"""

from . import executor, fs, fs_strategies
from .client import (
    Client,
    TaskHandle,
    WorkflowHandle,
    check_digest,
    find_token,
    loads,
    token_file,
)
from .covalent import (
    sync,
    wait,
    AWSBatchExecutor,
    DepsBash,
    DepsCall,
    DepsPip,
    Electron,
    ElectronResult,
    Lattice,
    Proxy,
    RESULT_STATUS,
    Result,
    Status,
    dispatch,
    dispatch_sync,
    electron,
    get_result,
    lattice,
)
from .redispatch import cancel, redispatch
from .errors import (
    ApiError,
    BatchExecutorError,
    ResultAltered,
    ResultNotAvailable,
    ServiceUnreachable,
    SourceError,
    TaskCancelled,
    TaskFailed,
    Unauthorized,
    UnsupportedOperation,
    WaitTimeout,
)
from .source import function_source

#: The statuses of a dispatch and its electrons, as Covalent names them: ``status.COMPLETED``, ...
status = RESULT_STATUS

__version__ = "0.1.0"

__all__ = [
    "AWSBatchExecutor", "ApiError", "BatchExecutorError", "Client", "DepsBash", "DepsCall", "DepsPip", "Electron",
    "ElectronResult", "Lattice", "Proxy", "RESULT_STATUS", "Result", "ResultAltered",
    "ResultNotAvailable", "ServiceUnreachable", "SourceError", "Status", "TaskCancelled",
    "TaskFailed", "TaskHandle", "Unauthorized", "UnsupportedOperation", "WaitTimeout",
    "WorkflowHandle", "cancel", "check_digest", "dispatch", "dispatch_sync", "electron",
    "executor", "find_token", "fs", "fs_strategies", "function_source", "get_result", "lattice", "loads", "redispatch",
    "status", "token_file", "sync", "wait",
]
