"""What an electron or a task names besides its function: the executor (AWS Batch's settings by
Covalent's keyword names, or another kind accepted with a warning) and its pip requirements
(``DepsPip``)."""

import difflib
import warnings
from typing import Any, Dict, Iterable, List, Optional, Union


#: The keys of the original executor, as ``[executors.awsbatch]`` and AWSBatchExecutor take them.
EXECUTOR_KEYS = (
    "credentials", "profile", "region", "s3_bucket_name", "ecr_repo_name",
    "batch_job_definition_name", "batch_queue", "batch_execution_role_name",
    "batch_job_role_name", "batch_job_log_group_name", "vcpu", "memory", "num_gpus",
    "retry_attempts", "time_limit", "poll_freq", "cache_dir", "execution_profile",
    # this service's extensions: plain environment variables ({"NAME": "value"}) and the names of
    # secrets the execution profile gives (["NAME"]), as environment variables of the task
    "environment", "secrets",
)
#: Keys only the service's own configuration sets; a task cannot (the service refuses them). The
#: AWS resources and identities (bucket, repository, job definition, queue, roles, log group) are
#: the operator's, chosen through the execution profile (``execution_profile=``).
SERVER_ONLY_KEYS = (
    "credentials", "profile", "region", "cache_dir", "s3_bucket_name", "ecr_repo_name",
    "batch_job_definition_name", "batch_queue", "batch_execution_role_name",
    "batch_job_role_name", "batch_job_log_group_name",
)


class AWSBatchExecutor:
    """The original executor's settings for the electrons that use it, with exactly its keyword
    names; what is left out comes from the service's configuration.

    ``credentials``, ``profile``, ``region`` and ``cache_dir``, and the AWS resources and identities
    (``s3_bucket_name``, ``ecr_repo_name``, ``batch_job_definition_name``, ``batch_queue``, the two
    role names and ``batch_job_log_group_name``) are the service's to set — the latter through the
    execution profile a task chooses with ``execution_profile`` (``GET /api/v1/executor`` lists the
    caller's). They are accepted (so that existing code runs unchanged), not sent, and one warning
    says so. A misspelt keyword is a TypeError naming it.
    """

    def __init__(self, **settings: Any) -> None:
        unknown = [k for k in settings if k not in EXECUTOR_KEYS]
        if unknown:
            key = unknown[0]
            close = difflib.get_close_matches(key, EXECUTOR_KEYS, n=1)
            raise TypeError(
                "AWSBatchExecutor() got an unexpected keyword argument %r%s; it takes %s"
                % (key, " (did you mean %r?)" % close[0] if close else "", ", ".join(EXECUTOR_KEYS))
            )
        self.settings = {k: v for k, v in settings.items() if v is not None}
        ignored = [k for k in SERVER_ONLY_KEYS if k in self.settings]
        if ignored:
            warnings.warn(
                "AWSBatchExecutor: %s %s set by the batch-executor service's own configuration "
                "(AWS resources and roles through the execution profile: execution_profile=...); "
                "the value%s given here %s not sent"
                % (", ".join(ignored), "is" if len(ignored) == 1 else "are",
                   "" if len(ignored) == 1 else "s", "is" if len(ignored) == 1 else "are"),
                UserWarning,
                stacklevel=2,
            )

    def __getattr__(self, name):
        if name in EXECUTOR_KEYS:
            return self.settings.get(name)
        raise AttributeError(name)

    def __repr__(self):
        return "AWSBatchExecutor(%s)" % ", ".join("%s=%r" % kv for kv in self.settings.items())

    def to_dict(self) -> Dict[str, Any]:
        """The settings a task sends: the keys given, without the service's own."""
        return {k: v for k, v in self.settings.items() if k not in SERVER_ONLY_KEYS}


class OtherExecutor:
    """An executor of another kind, as Covalent's ``LocalExecutor()``, ``DaskExecutor(...)`` or a
    plugin's class: accepted with any arguments, so that a module naming it imports; its electrons
    run on the service's default execution profile, which one warning says."""

    short_name = "other"

    def __init__(self, *args, **kwargs):
        self.args = args
        self.kwargs = kwargs

    def __repr__(self):
        return "%s()" % type(self).__name__


_warned_executors = set()


def _other_executor(name):
    """Settings for an executor this service does not run by that name: the default, said once."""
    if name not in _warned_executors:
        _warned_executors.add(name)
        warnings.warn(
            "executor %r: batch-executor runs every electron as a task of its own service; "
            "electrons naming %r run on the service's default execution profile "
            "(executor=\"awsbatch\" or an AWSBatchExecutor chooses settings)" % (name, name),
            UserWarning,
            stacklevel=3,
        )
    return {}


def executor_settings(executor: Any, backends: Optional[List[str]] = None) -> Dict[str, Any]:
    """The ``executor`` object of a task for an electron's ``executor``. AWS Batch's (by name, as
    an AWSBatchExecutor or a dict of its keys) is sent as given, asking for backend ``awsbatch``
    when the service runs it; ``"local"`` or ``LocalExecutor()`` asks for backend ``local`` when
    the service runs it. ``backends`` are the backends the service runs (``GET /api/v1/executor``),
    None when not known. Any other executor (``"dask"``, a plugin's name or object, ``"local"``
    where the service does not run it) never breaks the module that names it: its electrons run on
    the service's default, and one warning says so."""
    if executor is None:
        return {}
    if isinstance(executor, AWSBatchExecutor):
        return _on("awsbatch", executor.to_dict(), backends)
    if isinstance(executor, dict):
        return _on("awsbatch", AWSBatchExecutor(**executor).to_dict(), backends)
    if isinstance(executor, str):
        if executor.lower() == "awsbatch":
            return _on("awsbatch", {}, backends)  # else the service's configured defaults
        if executor.lower() == "local" and backends and "local" in backends:
            return {"backend": "local"}
        return _other_executor(executor)
    name = getattr(executor, "short_name", None)
    if name == "local" and backends and "local" in backends:
        return {"backend": "local"}
    if not isinstance(name, str) or name == OtherExecutor.short_name:
        name = type(executor).__name__
    return _other_executor(name)


def _on(backend: str, settings: Dict[str, Any], backends: Optional[List[str]]) -> Dict[str, Any]:
    """``settings`` asking for ``backend`` when the service runs it and they name no profile (a
    profile names its backend itself)."""
    if backends and backend in backends and "execution_profile" not in settings:
        return dict(settings, backend=backend)
    return settings


class DepsPip:
    """pip requirements of an electron, as Covalent's ``DepsPip``: ``packages`` and/or the lines of
    a requirements file (``reqs_path``). They are installed in the task's image."""

    def __init__(self, packages: Union[str, Iterable[str]] = (), reqs_path: str = "") -> None:
        if isinstance(packages, str):
            packages = [packages]
        self.packages = [str(p).strip() for p in packages if str(p).strip()]
        if reqs_path:
            with open(reqs_path, encoding="utf-8") as f:
                for line in f:
                    line = line.split(" #", 1)[0].strip()
                    if line and not line.startswith("#"):
                        self.packages.append(line)
        for package in self.packages:
            if package.startswith("-"):
                raise ValueError(
                    "requirement %r: pip options cannot be given per task; only requirements such "
                    "as numpy==2.1.0" % (package,)
                )

    def __repr__(self):
        return "DepsPip(packages=%r)" % (self.packages,)


def requirements_of(deps: Any) -> List[str]:
    """The list of pip requirements for a DepsPip, a list, a string or None."""
    if deps is None:
        return []
    if isinstance(deps, DepsPip):
        return list(deps.packages)
    if isinstance(deps, str):
        return DepsPip([deps]).packages
    return DepsPip(list(deps)).packages
