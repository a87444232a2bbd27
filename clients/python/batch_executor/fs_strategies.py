"""``ct.fs_strategies``: Covalent's file transfer strategies, by name (see fs.py for which
batch-executor supports: a local ``Rsync``/``Shutil`` copy, and ``S3`` on AWS Batch)."""

from .fs import HTTP, S3, Blob, FileTransferStrategy, GCloud, Rsync, Shutil

__all__ = ["Blob", "FileTransferStrategy", "GCloud", "HTTP", "Rsync", "S3", "Shutil"]
