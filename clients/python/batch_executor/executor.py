"""``ct.executor.AWSBatchExecutor``, where Covalent's own examples take the executor from."""

from .covalent import AWSBatchExecutor

__all__ = ["AWSBatchExecutor"]
