"""The Covalent-style surface: ``electron``, ``lattice``, ``dispatch``, ``dispatch_sync``,
``get_result``, ``AWSBatchExecutor``, ``DepsPip`` and the result statuses, so that code written for
Covalent's AWS Batch executor runs here with one changed import line
(``import batch_executor as ct``).

Inside a lattice being dispatched, calling an electron does not run it: it returns a proxy for its
result, and a proxy passed to another electron becomes a ``{"$task": ...}`` reference. The lattice's
return value becomes the workflow's output. Outside a lattice an electron is a plain local call, as
in Covalent.
"""

import difflib
import dis
import functools
import inspect
import os
import re
import threading
import warnings

from . import hooks, nodes, values
from .client import Client, json_value
from .errors import UnsupportedOperation
from .hooks import DepsBash, DepsCall

# ---- statuses ----------------------------------------------------------------------------------


class Status(str):
    """A status as Covalent names it; compares equal to its name."""

    @property
    def STATUS(self):
        return str(self)

    def __bool__(self):
        return self != "NEW_OBJECT"

    def __repr__(self):
        return "Status(%s)" % str.__repr__(self)


class RESULT_STATUS:
    NEW_OBJECT = Status("NEW_OBJECT")
    RUNNING = Status("RUNNING")
    COMPLETED = Status("COMPLETED")
    FAILED = Status("FAILED")
    CANCELLED = Status("CANCELLED")


_WORKFLOW_STATUS = {
    "RUNNING": RESULT_STATUS.RUNNING,
    "SUCCEEDED": RESULT_STATUS.COMPLETED,
    "FAILED": RESULT_STATUS.FAILED,
    "CANCELLED": RESULT_STATUS.CANCELLED,
}
_TASK_STATUS = dict(_WORKFLOW_STATUS, WAITING=RESULT_STATUS.NEW_OBJECT,
                    QUEUED=RESULT_STATUS.NEW_OBJECT)


def covalent_status(service_status):
    """The Covalent name of a service status (a task's or a workflow's)."""
    return _TASK_STATUS.get(service_status, RESULT_STATUS.RUNNING)


# ---- executor and dependencies -----------------------------------------------------------------

#: The keys of the original executor, as ``[executors.awsbatch]`` and AWSBatchExecutor take them.
EXECUTOR_KEYS = (
    "credentials", "profile", "region", "s3_bucket_name", "ecr_repo_name",
    "batch_job_definition_name", "batch_queue", "batch_execution_role_name",
    "batch_job_role_name", "batch_job_log_group_name", "vcpu", "memory", "num_gpus",
    "retry_attempts", "time_limit", "poll_freq", "cache_dir", "execution_profile",
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

    def __init__(self, **settings):
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

    def to_dict(self):
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


def executor_settings(executor, backends=None):
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


def _on(backend, settings, backends):
    """``settings`` asking for ``backend`` when the service runs it and they name no profile (a
    profile names its backend itself)."""
    if backends and backend in backends and "execution_profile" not in settings:
        return dict(settings, backend=backend)
    return settings


class DepsPip:
    """pip requirements of an electron, as Covalent's ``DepsPip``: ``packages`` and/or the lines of
    a requirements file (``reqs_path``). They are installed in the task's image."""

    def __init__(self, packages=(), reqs_path=""):
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


def requirements_of(deps):
    """The list of pip requirements for a DepsPip, a list, a string or None."""
    if deps is None:
        return []
    if isinstance(deps, DepsPip):
        return list(deps.packages)
    if isinstance(deps, str):
        return DepsPip([deps]).packages
    return DepsPip(list(deps)).packages


def _unsupported(what, name, value):
    if value:
        raise NotImplementedError(
            "%s(%s=...) is not supported by batch-executor: its tasks run in images built from a "
            "base image and pip requirements (deps_pip)" % (what, name)
        )


# ---- electrons, lattices and the graph ---------------------------------------------------------

_building = threading.local()


def _builder():
    return getattr(_building, "graph", None)


class Electron:
    """A function that runs as a task. Outside a lattice a call is a plain local call."""

    def __init__(self, function, executor=None, deps_pip=None, deps_bash=None, call_before=None,
                 call_after=None):
        self.function = function
        self.executor = executor
        self.deps_pip = deps_pip
        self.deps_bash = deps_bash
        self.call_before = call_before
        self.call_after = call_after
        functools.update_wrapper(self, function)

    def __repr__(self):
        return "<electron %s>" % (self.function.__qualname__,)

    def __call__(self, *args, **kwargs):
        graph = _builder()
        if graph is None:
            return self.function(*args, **kwargs)
        return graph.add(self, args, kwargs)

    def __get__(self, instance, owner):
        return self if instance is None else functools.partial(self, instance)


def electron(_func=None, *, backend=None, executor=None, files=None, deps_bash=None,
             deps_pip=None, call_before=None, call_after=None):
    """``@electron`` or ``@electron(executor=..., deps_pip=...)``: the function runs as a task of
    the lattice that calls it. ``executor`` is an AWSBatchExecutor, ``"awsbatch"`` or None (the
    service's defaults); ``deps_pip`` a DepsPip or a list of requirements; ``deps_bash`` a
    DepsBash, a command or a list of them; ``call_before``/``call_after`` a DepsCall or a list of
    them — these run in the task around the function (hooks.py)."""
    _unsupported("electron", "files", files)
    executor = executor if executor is not None else backend
    executor_settings(executor)  # a bad executor is an error where it is written
    requirements_of(deps_pip)
    deps_bash = hooks.bash_of(deps_bash) if deps_bash is not None else None
    call_before = hooks.calls_of(call_before, "call_before") if call_before is not None else None
    call_after = hooks.calls_of(call_after, "call_after") if call_after is not None else None

    def decorate(function):
        if isinstance(function, Lattice):
            return function  # a sub-lattice: its electrons join the calling lattice's graph
        if isinstance(function, Electron):
            function = function.function
        return Electron(function, executor, deps_pip, deps_bash, call_before, call_after)

    return decorate if _func is None else decorate(_func)


class Lattice:
    """A workflow function. ``dispatch(lattice)(*args)`` runs it on the service; a plain call runs
    it here, its electrons as local calls."""

    def __init__(self, function, executor=None, deps_pip=None, deps_bash=None, call_before=None,
                 call_after=None):
        self.function = function
        self.executor = executor
        self.deps_pip = deps_pip
        self.deps_bash = deps_bash
        self.call_before = call_before
        self.call_after = call_after
        self.__name__ = getattr(function, "__name__", "lattice")
        functools.update_wrapper(self, function)

    def __repr__(self):
        return "<lattice %s>" % (self.__name__,)

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs)

    def build_graph(self, *args, **kwargs):
        """The workflow request this lattice makes with these arguments (nothing is sent)."""
        return _Graph(self).build(args, kwargs)


def lattice(_func=None, *, backend=None, executor=None, workflow_executor=None, deps_bash=None,
            deps_pip=None, call_before=None, call_after=None, triggers=None):
    """``@lattice`` or ``@lattice(executor=..., deps_pip=...)``: a workflow of electrons. Its
    ``executor`` and ``deps_pip`` are the defaults of the electrons that name none.
    ``workflow_executor`` (where Covalent runs the lattice's own post-processing) is accepted: the
    service computes the lattice's return value in a small task of its own. ``deps_bash``,
    ``call_before`` and ``call_after`` are those of the electrons that set none, as in Covalent."""
    _unsupported("lattice", "triggers", triggers)
    executor = executor if executor is not None else backend
    executor_settings(executor)
    requirements_of(deps_pip)
    deps_bash = hooks.bash_of(deps_bash) if deps_bash is not None else None
    call_before = hooks.calls_of(call_before, "call_before") if call_before is not None else None
    call_after = hooks.calls_of(call_after, "call_after") if call_after is not None else None

    def decorate(function):
        return Lattice(function, executor, deps_pip, deps_bash, call_before, call_after)

    return decorate if _func is None else decorate(_func)


#: The key of the task that computes a dispatched lattice's return value.
OUTPUT_KEY = "lattice.result"

_OUTPUT_SOURCE = "def lattice_result(value):\n    return value\n"
_KEY = re.compile(r"[^A-Za-z0-9_.-]")


class _Node:
    def __init__(self, key, electron, args, kwargs):
        self.key = key
        self.electron = electron
        self.args = args
        self.kwargs = kwargs


class _Graph:
    def __init__(self, lattice, backends=None):
        self.lattice = lattice
        self.backends = backends
        self.nodes = []
        self.keys = set()
        self.table = nodes.NodeTable()
        self.inputs = None

    def add(self, electron, args, kwargs):
        base = _KEY.sub("_", electron.function.__name__)[:90] or "task"
        key, n = base, 1
        while key in self.keys or key == OUTPUT_KEY:
            n += 1
            key = "%s-%d" % (base, n)
        self.keys.add(key)
        # Bound now, as Covalent binds them: a list or dict changed after this call must not
        # change what this electron gets.
        node = _Node(key, electron, _snapshot(args), _snapshot(kwargs))
        before = self.hook(electron, "call_before")
        node.id = self.table.electron(electron.function.__name__, key, node.args, node.kwargs,
                                      hooks.retval_keywords(before))
        self.nodes.append(node)
        return Proxy(node, self.lattice.__name__, (), node.id)

    def hook(self, electron, name):
        """The electron's call_before, call_after or deps_bash, else the lattice's."""
        value = getattr(electron, name)
        return value if value is not None else (getattr(self.lattice, name) or [])

    def build(self, args, kwargs):
        """Runs the lattice's function with the graph being built; returns (request, modules)."""
        if _builder() is not None:
            raise RuntimeError("a lattice is already being dispatched in this thread")
        _building.graph = self
        self.inputs = {"args": _snapshot(tuple(args)), "kwargs": _snapshot(dict(kwargs))}
        try:
            returned = self.lattice.function(*args, **kwargs)
        finally:
            _building.graph = None
        from .source import function_source

        tasks = {}
        modules = []
        for node in self.nodes:
            what = "electron %s" % node.key
            sliced = function_source(node.electron.function)
            if sliced.module is not None and sliced.module not in modules:
                modules.append(sliced.module)
            args = _encoded(list(node.args), what, "args")
            kwargs = _encoded(dict(node.kwargs), what, "kwargs")
            source, name = sliced.source, sliced.name
            bash = self.hook(node.electron, "deps_bash")
            before = self.hook(node.electron, "call_before")
            after = self.hook(node.electron, "call_after")
            if bash or before or after or values.has_marker([args, kwargs]):
                source, name = hooks.wrap(source, name, bash, before, after)
            task = {
                "name": "%s(%d)" % (node.electron.function.__name__, node.id),
                "function": {"source": source, "name": name},
                "args": args,
                "kwargs": kwargs,
            }
            task.update(self._environment(node))
            extra = sliced.requirements + hooks.requirements(before + after)
            if extra:
                image = task.setdefault("image", {})
                image["requirements"] = list(image.get("requirements", [])) + [
                    r for r in extra if r not in image.get("requirements", [])]
            tasks[node.key] = task
        used = []
        output_args = [_encoded(returned, "the return value of lattice %s" % self.lattice.__name__,
                                "return", used)]
        source, name = _OUTPUT_SOURCE, "lattice_result"
        if values.has_marker(output_args):
            source, name = hooks.wrap(source, name)
        # Covalent's postprocessing node, which rebuilds the return value, then its parameters
        output_id = self.table.electron(nodes.POSTPROCESS, OUTPUT_KEY, [returned], {})
        output = {
            "name": "%s(%d)" % (nodes.POSTPROCESS, output_id),
            "function": {"source": source, "name": name},
            "args": output_args,
        }
        producers = [n for n in self.nodes if n.key in used]
        if producers:
            output.update(self._environment(producers[0], [n for n in producers]))
        tasks[OUTPUT_KEY] = output
        return {"name": self.lattice.__name__, "tasks": tasks}, modules

    def _environment(self, node, nodes=None):
        """The executor and image of a task: the electron's, else the lattice's; the output task
        takes the first producer's executor and every producer's requirements."""
        executor = node.electron.executor
        if executor is None:
            executor = self.lattice.executor
        part = {}
        settings = executor_settings(executor, self.backends)
        if settings:
            part["executor"] = settings
        requirements = []
        for n in nodes or [node]:
            for r in requirements_of(n.electron.deps_pip) + requirements_of(self.lattice.deps_pip):
                if r not in requirements:
                    requirements.append(r)
        if requirements:
            part["image"] = {"requirements": requirements}
        return part


def path_of(proxy):
    """How a proxy reads in messages: ``result of add[0].x``."""
    return repr(proxy)


def _snapshot(value):
    """A copy of the lists, tuples and dicts in ``value`` as they are now; proxies and other
    values are kept as they are."""
    if isinstance(value, Proxy):
        return value
    if isinstance(value, list):
        return [_snapshot(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_snapshot(v) for v in value)
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    return value


def _reference(proxy, what, used):
    """A proxy as a ``{"$task": key, "path": [...]}`` reference (its operands JSON)."""
    node = object.__getattribute__(proxy, "_node")
    if used is not None and node.key not in used:
        used.append(node.key)
    path = object.__getattribute__(proxy, "_path")
    if not path:
        return {"$task": node.key}
    steps = []
    for i, step in enumerate(path):
        steps.append({name: _references(operand, what, "%s.path[%d]" % (path_of(proxy), i), used)
                      if name in ("index", "right", "left") else operand
                      for name, operand in step.items()})
    return {"$task": node.key, "path": steps}


def _encoded(value, what, path, used=None):
    """``value`` with every proxy a reference and what JSON would change (tuples, dicts with
    other keys, sets, objects) in a marker (values.py) that the task decodes."""
    return values.encode(value, lambda proxy: _reference(proxy, what, used), what, path)


def _references(value, what, path, used=None):
    """``value`` with every proxy replaced by a ``{"$task": key}`` reference; the rest must be
    JSON (an operand of a path, which the runner applies as it is)."""
    if isinstance(value, Proxy):
        return _reference(value, what, used)
    if isinstance(value, (list, tuple)):
        return [_references(v, what, "%s[%d]" % (path, i), used) for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError("%s: %s has the key %r; JSON keys are strings" % (what, path, k))
            out[k] = _references(v, what, "%s[%r]" % (path, k), used)
        return out
    return json_value(value, what, path)


#: What a proxy cannot stand for in a workflow, by the method Python calls for it.
_OPERATIONS = {
    "__bool__": "a truth test (if, while, and, or, not)",
    "__len__": "len()", "__reversed__": "reversed()",
    "__contains__": "'in'", "__setitem__": "item assignment",
    "__delitem__": "item deletion", "__call__": "a call",
    "__hash__": "hashing (a set member or dict key)",
    "__int__": "int()", "__float__": "float()", "__complex__": "complex()", "__index__": "use as an index",
    "__round__": "round()", "__trunc__": "math.trunc()", "__floor__": "math.floor()",
    "__ceil__": "math.ceil()", "__str__": "str()", "__format__": "formatting (f-strings, format())",
    "__bytes__": "bytes()", "__enter__": "'with'", "__exit__": "'with'", "__await__": "'await'",
    "__setattr__": "attribute assignment", "__delattr__": "attribute deletion",
    "__divmod__": "divmod()", "__rdivmod__": "divmod()",
}

#: The binary operators a proxy takes, by the name the runner knows them under. Each becomes a step
#: of the reference's path, evaluated by the task that receives the value: no task of its own.
BINARY = ("add", "sub", "mul", "matmul", "truediv", "floordiv", "mod", "pow", "lshift", "rshift",
          "and", "xor", "or")
COMPARISONS = ("eq", "ne", "lt", "le", "gt", "ge")
UNARY = ("neg", "pos", "abs", "invert")


class Proxy:
    """The result of an electron called inside a lattice being dispatched: it only exists once the
    workflow runs. Pass it to other electrons or return it. An index (``res[0]``, ``res["k"]``,
    ``res[other]``), a slice, an attribute (``res.weights``), unpacking into names
    (``a, b = task()``), arithmetic and comparisons give another proxy: a reference with those
    operations, which the task receiving it applies to the value — no task of their own. What a
    workflow cannot express (``if res:``, ``len(res)``, ``str(res)``, iterating) is an
    UnsupportedOperation naming it."""

    __slots__ = ("_node", "_lattice", "_path", "_id")

    def __init__(self, node, lattice_name, path=(), node_id=None):
        object.__setattr__(self, "_node", node)
        object.__setattr__(self, "_lattice", lattice_name)
        object.__setattr__(self, "_path", tuple(path))
        object.__setattr__(self, "_id", node_id)

    def _then(self, step, unpacked=False):
        # the node Covalent's get_item/get_attr/operator electron would add, with its operand's
        graph = _builder()
        node_id = None
        if graph is not None:
            node_id = graph.table.operation(object.__getattribute__(self, "_id"), step, unpacked)
        return Proxy(object.__getattribute__(self, "_node"),
                     object.__getattribute__(self, "_lattice"),
                     object.__getattribute__(self, "_path") + (step,), node_id)

    def __repr__(self):
        node = object.__getattribute__(self, "_node")
        text = "result of electron %s" % node.key
        for step in object.__getattribute__(self, "_path"):
            text = _describe_step(text, step)
        return "<%s in lattice %s>" % (text, object.__getattribute__(self, "_lattice"))

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._then({"attr": name})

    def __getitem__(self, key):
        if isinstance(key, slice):
            bounds = [key.start, key.stop, key.step]
            for bound in bounds:
                if bound is not None and (not isinstance(bound, int) or isinstance(bound, bool)):
                    _refuse(self, "a slice with a bound that is not an int (%r)" % (bound,))
            return self._then({"slice": bounds})
        if isinstance(key, tuple):
            _refuse(self, "indexing with a tuple")
        return self._then({"index": key})

    def __iter__(self):
        # Unpacking into names needs their number, which the unpacking instruction holds; any
        # other iteration would need the value's length, which only exists once the workflow runs.
        caller = inspect.currentframe().f_back
        count = None
        if caller is not None:
            for instruction in dis.get_instructions(caller.f_code):
                if instruction.offset == caller.f_lasti:
                    if instruction.opname == "UNPACK_SEQUENCE":
                        count = instruction.arg
                    break
        if count is None:
            _refuse(self, "iteration (a for loop, list(), a starred unpacking)")
        return iter([self._then({"index": i}, unpacked=True) for i in range(count)])

    def __reduce_ex__(self, protocol):
        _refuse(self, "pickling")

    def __copy__(self):
        _refuse(self, "copying")

    def __deepcopy__(self, memo):
        _refuse(self, "copying")


_SIGNS = {"add": "+", "sub": "-", "mul": "*", "matmul": "@", "truediv": "/", "floordiv": "//",
          "mod": "%", "pow": "**", "lshift": "<<", "rshift": ">>", "and": "&", "xor": "^",
          "or": "|", "eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
          "neg": "-", "pos": "+", "abs": "abs", "invert": "~"}


def _describe_step(text, step):
    if "attr" in step:
        return "%s.%s" % (text, step["attr"])
    if "index" in step:
        return "%s[%r]" % (text, step["index"])
    if "slice" in step:
        return "%s[%s]" % (text, ":".join("" if b is None else str(b) for b in step["slice"]))
    sign = _SIGNS[step["op"]]
    if "right" in step:
        return "(%s %s %r)" % (text, sign, step["right"])
    if "left" in step:
        return "(%r %s %s)" % (step["left"], sign, text)
    return "%s(%s)" % (sign, text)


def _binary(name):
    def method(self, other):
        return self._then({"op": name, "right": other})

    def reflected(self, other):
        return self._then({"op": name, "left": other})

    return method, reflected


def _unary(name):
    def method(self):
        return self._then({"op": name})

    return method


for _name in BINARY:
    _method, _reflected = _binary(_name)
    setattr(Proxy, "__%s__" % _name, _method)
    setattr(Proxy, "__r%s__" % _name, _reflected)
    setattr(Proxy, "__i%s__" % _name, _method)
for _name in COMPARISONS:
    setattr(Proxy, "__%s__" % _name, _binary(_name)[0])
for _name in UNARY:
    setattr(Proxy, "__%s__" % _name, _unary(_name))


def _refuse(proxy, operation):
    raise UnsupportedOperation(
        "%s on the %s cannot be expressed in the workflow: that value only exists once the "
        "workflow runs. Pass it to an electron that does this instead"
        % (operation, repr(proxy)[1:-1])
    )


def _refusing(operation):
    def method(self, *args, **kwargs):
        _refuse(self, operation)

    return method


for _name, _operation in _OPERATIONS.items():
    setattr(Proxy, _name, _refusing(_operation))


# ---- dispatching and results -------------------------------------------------------------------

_clients = {}
_modules_of_dispatch = {}
_graphs_of_dispatch = {}


def _client(dispatcher_addr=None):
    url = dispatcher_addr
    if url and "://" not in url:
        url = "http://" + url
    url = url or os.environ.get("BATCH_EXECUTOR_URL") or None
    if url not in _clients:
        _clients[url] = Client(url)
    return _clients[url]


_backends_of = {}


def _backends(client):
    """The backends the service runs, asked once per client; None when it does not say."""
    if client not in _backends_of:
        try:
            listed = client.executor().get("backends")
            _backends_of[client] = [b["name"] for b in listed] if listed else None
        except Exception:  # an older service, or one that does not answer now: as before
            return None
    return _backends_of[client]


def dispatch(orig_lattice, dispatcher_addr=None, **_ignored):
    """``dispatch(lattice)(*args, **kwargs)``: sends the lattice's workflow to the service; returns
    its dispatch id (the workflow's id) at once."""
    if not isinstance(orig_lattice, Lattice):
        raise TypeError("dispatch takes a @lattice, not %r" % (orig_lattice,))

    @functools.wraps(orig_lattice.function)
    def submit(*args, **kwargs):
        client = _client(dispatcher_addr)
        graph = _Graph(orig_lattice, _backends(client))
        body, modules = graph.build(args, kwargs)
        workflow = client.submit_workflow(body)
        _modules_of_dispatch[workflow.id] = modules
        _graphs_of_dispatch[workflow.id] = (graph.table, graph.inputs)
        nodes.save(workflow.id, graph.table, graph.inputs)
        return workflow.id

    return submit


def dispatch_sync(orig_lattice, dispatcher_addr=None, **_ignored):
    """``dispatch_sync(lattice)(*args, **kwargs)``: dispatches and waits; returns the Result."""
    submit = dispatch(orig_lattice, dispatcher_addr)

    @functools.wraps(orig_lattice.function)
    def run(*args, **kwargs):
        return get_result(submit(*args, **kwargs), wait=True, dispatcher_addr=dispatcher_addr)

    return run


def get_result(dispatch_id, wait=False, dispatcher_addr=None, status_only=False, timeout=None,
               *, workflow_output=True, intermediate_outputs=True, sublattice_results=True,
               results_dir=None, qelectron_db=False):
    """The Result of a dispatch; with ``wait=True`` once the workflow has ended (held requests,
    never a busy poll). As in Covalent, ``workflow_output=False`` leaves the lattice's output
    out (``result`` is None) and ``intermediate_outputs=False`` the electrons' (their
    ``output`` is None); ``sublattice_results`` (no sublattices here), ``results_dir`` and
    ``qelectron_db`` are accepted."""
    client = _client(dispatcher_addr)
    workflow = client.workflow(dispatch_id)
    if wait:
        workflow.wait(timeout)
    else:
        workflow.refresh()
    return Result(client, workflow.info, _modules_of_dispatch.get(str(dispatch_id), []),
                  fetch=not status_only, graph=_graphs_of_dispatch.get(str(dispatch_id)),
                  workflow_output=workflow_output, intermediate_outputs=intermediate_outputs)


from .results import ElectronResult, Result  # noqa: E402 (they use the statuses above)

__all__ = [
    "AWSBatchExecutor", "DepsBash", "DepsCall", "DepsPip", "OtherExecutor", "Electron", "Lattice", "Proxy", "RESULT_STATUS", "Result",
    "ElectronResult", "Status", "dispatch", "dispatch_sync", "electron", "get_result", "lattice",
]
