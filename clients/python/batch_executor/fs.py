"""Covalent's file transfers (``ct.fs.FileTransfer``, ``TransferFromRemote``, ``TransferToRemote``,
``ct.fs_strategies``) on batch-executor.

An electron's ``files=[...]`` become the task's ``files`` (the service's file transfers) and the
``files`` keyword argument the function gets, as Covalent passes it: ``(from, to)`` for a transfer
between two local paths, the local path alone for one with an S3 side.

- A transfer between two local paths (Covalent's default, its local ``Rsync``) behaves as on
  Covalent's local executor, the dispatching machine's files standing for the local ones: the
  client's ``from`` file, when it has one, is uploaded through the API (``POST /api/v1/files``, under
  the client's own quota) and placed in the task's container — at ``to`` before the function runs
  (order BEFORE, the default; also copied to ``from`` where the container may write there), or at
  ``from`` (order AFTER). After the function returned, the file at ``to`` (BEFORE) or ``from``
  (AFTER) in the container is kept by the service and written by this client to the local ``to``
  path when the result is read (``get_result``) in the process that dispatched.
- ``s3://`` transfers (strategy ``S3``) run in the task's container with its execution profile's
  role, on AWS Batch only: the service refuses them on the local backend at dispatch. The
  strategy's credentials, profile and region are not used (the role is).
- Other strategies (``Rsync`` to a host, ``HTTP``, ``GCloud``, ``Blob``) and remote ``file://`` paths
  are refused at dispatch, naming what is supported. Directories are not transferred.
"""

import enum
import hashlib
import os
import uuid
from typing import Any, Dict, List, Optional, Tuple, Union


class Order(str, enum.Enum):
    """When a transfer happens: before the function runs or after it returned."""
    BEFORE = "before"
    AFTER = "after"


class FileSchemes(str, enum.Enum):
    File = "file"
    S3 = "s3"
    Blob = "https"  # Covalent's Azure blobs are https URLs
    GCloud = "gs"
    Globus = "globus"
    HTTP = "http"
    HTTPS = "https"
    FTP = "ftp"


_REMOTE_SCHEMES = ("s3", "gs", "globus", "http", "https", "ftp")


class File:
    """A file path or URI, as Covalent's ``File``: a path without a scheme is local; ``None`` is a
    new temporary path (``/tmp/<uuid>``)."""

    def __init__(self, filepath: Optional[str] = None, is_remote: bool = False,
                 is_dir: bool = False, include_folder: bool = False):
        if filepath is not None and not isinstance(filepath, str):
            raise AttributeError("Only strings are valid filepaths for a File.")
        self.id = str(uuid.uuid4())
        if filepath is None:
            filepath = "/tmp/%s" % self.id
        scheme, sep, rest = filepath.partition("://")
        self.scheme = scheme.lower() if sep else "file"
        self._path = (rest if self.scheme == "file" else filepath) if sep else filepath
        self._is_remote = bool(is_remote)
        self._is_dir = bool(is_dir) or self._path.endswith("/")
        self.include_folder = include_folder
        self.uri = filepath if sep else "file://" + filepath

    @property
    def is_remote(self) -> bool:
        return self._is_remote or self.scheme in _REMOTE_SCHEMES

    @property
    def is_dir(self) -> bool:
        return self._is_dir

    @property
    def filepath(self) -> str:
        """The path (for a local file) or the URI (for a remote one)."""
        return self._path

    def __repr__(self):
        return "File(%r)" % (self.uri,)


class FileTransferStrategy:
    """The base of the strategies; batch-executor transfers the files itself."""

    name = "strategy"


class Rsync(FileTransferStrategy):
    """Covalent's default strategy. Without a host it is a local copy (supported); with one it
    copies over ssh, which batch-executor does not do."""

    name = "Rsync"

    def __init__(self, user: str = "", host: str = "", private_key_path: Optional[str] = None):
        self.user, self.host, self.private_key_path = user, host, private_key_path


class S3(FileTransferStrategy):
    """S3 transfers, run in the task's container with its execution profile's role (AWS Batch);
    the credentials, profile and region given here are not used."""

    name = "S3"

    def __init__(self, credentials: Optional[str] = None, profile: Optional[str] = None,
                 region_name: Optional[str] = None):
        self.credentials, self.profile, self.region_name = credentials, profile, region_name


class HTTP(FileTransferStrategy):
    name = "HTTP"


class GCloud(FileTransferStrategy):
    name = "GCloud"

    def __init__(self, *args: Any, **kwargs: Any):
        pass


class Blob(FileTransferStrategy):
    name = "Blob"

    def __init__(self, *args: Any, **kwargs: Any):
        pass


class Shutil(FileTransferStrategy):
    """A local copy, as Rsync without a host."""

    name = "Shutil"


class FileTransfer:
    """A file copied before the electron runs or after it returned (``order``), from ``from_file``
    to ``to_file``, as Covalent's ``FileTransfer`` (see the module's documentation for how it maps
    to the service)."""

    def __init__(self, from_file: Union[File, str, None] = None,
                 to_file: Union[File, str, None] = None, order: Order = Order.BEFORE,
                 strategy: Optional[FileTransferStrategy] = None):
        from_file = from_file if isinstance(from_file, File) else _file(from_file)
        to_file = to_file if isinstance(to_file, File) else _file(to_file)
        if strategy is None:
            if from_file.scheme == "file" and to_file.scheme == "file":
                strategy = Rsync()  # a local copy, or over ssh for a path marked remote
            elif from_file.scheme in ("http", "https"):
                strategy = HTTP()
            else:
                raise AttributeError("FileTransfer requires a file transfer strategy to be specified")
        if from_file.is_remote and to_file.is_remote:
            raise ValueError("FileTransfer does not support remote->remote file transfers: one of "
                             "from_filepath and to_filepath must be a local path")
        self.from_file, self.to_file = from_file, to_file
        self.order = Order(order)
        self.strategy = strategy

    def __repr__(self):
        return "FileTransfer(%r -> %r, order=%s, strategy=%s)" % (
            self.from_file.uri, self.to_file.uri, self.order.value, self.strategy.name)


def _file(value):
    if value is not None and not isinstance(value, str):
        raise AttributeError("FileTransfer requires files to be either of type File, string, or None.")
    return File(value)


def TransferFromRemote(from_filepath: str, to_filepath: Optional[str] = None,
                       strategy: Optional[FileTransferStrategy] = None,
                       order: Order = Order.BEFORE) -> FileTransfer:
    """A remote file (``s3://...`` with ``strategy=S3()``) copied to ``to_filepath`` in the task's
    container before the electron runs."""
    return FileTransfer(File(from_filepath, is_remote=True), to_filepath, Order.BEFORE, strategy)


def TransferToRemote(to_filepath: str, from_filepath: Optional[str] = None,
                     strategy: Optional[FileTransferStrategy] = None,
                     order: Order = Order.AFTER) -> FileTransfer:
    """The file ``from_filepath`` the electron leaves in its container copied to a remote one
    (``s3://...`` with ``strategy=S3()``) after it returned."""
    return FileTransfer(from_filepath, File(to_filepath, is_remote=True), Order.AFTER, strategy)


SUPPORTED = ("FileTransfer between local paths (uploaded through the service and placed in the "
             "task's container; files the task leaves written back), and s3:// transfers with "
             "strategy S3 on AWS Batch")


def _refuse(transfer, why):
    from .errors import UnsupportedOperation

    raise UnsupportedOperation("%r: %s; batch-executor supports %s" % (transfer, why, SUPPORTED))


def files_of(electron_files: Any) -> List[FileTransfer]:
    """The FileTransfers of ``electron(files=...)``: a list of them (or one)."""
    if electron_files is None:
        return []
    if isinstance(electron_files, FileTransfer):
        return [electron_files]
    transfers = list(electron_files)
    for t in transfers:
        if not isinstance(t, FileTransfer):
            raise TypeError("files takes FileTransfer objects, not %r" % (t,))
    return transfers


class Plan:
    """What an electron's transfers ask of its task: ``files`` (the task's field), ``kwarg`` (the
    ``files`` argument its function gets), ``uploads`` (id -> local path, uploaded at dispatch),
    ``kept`` ([(index in files, local path)], written when the result is read) and ``mirror``
    ([(path placed, other path)], copied in the container before the function where it may)."""

    def __init__(self):
        self.files: List[Dict[str, str]] = []
        self.kwarg: List[Any] = []
        self.uploads: Dict[str, str] = {}
        self.kept: List[Tuple[int, str]] = []
        self.mirror: List[Tuple[str, str]] = []


def plan(transfers: List[FileTransfer], what: str) -> Plan:
    """The service's view of ``transfers``; refuses what batch-executor does not do."""
    p = Plan()
    for t in transfers:
        source, target = t.from_file, t.to_file
        if source.is_dir or target.is_dir:
            _refuse(t, "directories are not transferred, only files")
        if not source.is_remote and not target.is_remote:
            if not isinstance(t.strategy, (Rsync, Shutil)) or getattr(t.strategy, "host", ""):
                _refuse(t, "strategy %s copies to another host" % t.strategy.name)
            _local(p, t, what)
            p.kwarg.append((source.filepath, target.filepath))
            continue
        remote = source if source.is_remote else target
        if remote.scheme != "s3" or not isinstance(t.strategy, S3):
            _refuse(t, "%s transfers with strategy %s are not supported"
                    % (remote.scheme, t.strategy.name))
        if source.is_remote:
            p.files.append({"path": target.filepath, "s3": source.uri})
            p.kwarg.append(target.filepath)
        else:
            p.files.append({"path": source.filepath, "s3": target.uri, "order": "after"})
            p.kwarg.append(source.filepath)
    return p


def _local(p, t, what):
    source, target = t.from_file.filepath, t.to_file.filepath
    upload = None
    if os.path.isfile(source):
        with open(source, "rb") as f:
            data = f.read()
        upload = hashlib.sha256(data).hexdigest()
        p.uploads[upload] = source
    if t.order == Order.BEFORE:
        if upload is None:
            raise FileNotFoundError("%s: the file %s to transfer before it runs does not exist"
                                    % (what, source))
        p.files.append({"path": target, "upload": upload})
        p.mirror.append((target, source))
        kept_from = target
    else:
        if upload is not None:
            p.files.append({"path": source, "upload": upload})
        kept_from = source
    p.kept.append((len(p.files), target))
    p.files.append({"path": kept_from, "order": "after"})


def mirror_files(pairs):
    """In the task, before the function: copies each placed file to the other path of its
    transfer where the container lets it write (the function may read either, as on Covalent's
    local executor); where it may not, the function finds the file at the path it was placed."""
    import os as _os
    import shutil as _shutil

    for placed, other in pairs:
        if placed == other:
            continue
        try:
            directory = _os.path.dirname(other)
            if directory:
                _os.makedirs(directory, exist_ok=True)
            _shutil.copyfile(placed, other)
        except OSError:
            pass


def write_kept(client: Any, task_id: str, kept: List[Tuple[int, str]]) -> None:
    """Writes the files task ``task_id`` kept to their local paths."""
    for index, path in kept:
        data = client.task_file(task_id, index)
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


def load_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()
