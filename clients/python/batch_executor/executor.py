"""``ct.executor``, where Covalent's own examples take executors from: ``AWSBatchExecutor``, and
``LocalExecutor``, ``DaskExecutor`` or any plugin's ``...Executor`` class, which are accepted so that
a module naming them imports. ``LocalExecutor()`` asks for the service's ``local`` backend where the
service runs it; the others' electrons (and ``LocalExecutor()``'s elsewhere) run on the service's
default execution profile, and one warning says so."""

from .deps import AWSBatchExecutor, OtherExecutor


class LocalExecutor(OtherExecutor):
    short_name = "local"


class DaskExecutor(OtherExecutor):
    short_name = "dask"


_plugins = {}


def __getattr__(name):
    """A plugin's executor class (``SlurmExecutor``, ``AzureBatchExecutor``, ...) by its name."""
    if not name.endswith("Executor") or name.startswith("_"):
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    if name not in _plugins:
        _plugins[name] = type(name, (OtherExecutor,), {"short_name": name[: -len("Executor")].lower()})
    return _plugins[name]


__all__ = ["AWSBatchExecutor", "DaskExecutor", "LocalExecutor"]
