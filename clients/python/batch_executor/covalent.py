"""The Covalent-style surface: ``electron``, ``lattice``, ``dispatch``, ``dispatch_sync``,
``get_result``, ``AWSBatchExecutor``, ``DepsPip`` and the result statuses, so that code written for
Covalent's AWS Batch executor runs here with one changed import line
(``import batch_executor as ct``).

Inside a lattice being dispatched, calling an electron does not run it: it returns a proxy for its
result, and a proxy passed to another electron becomes a ``{"$task": ...}`` reference. The lattice's
return value becomes the workflow's output. Outside a lattice an electron is a plain local call, as
in Covalent.
"""

import functools
import os
import re
from typing import Any, Callable, Dict, List, Optional, Union

from . import fs, hooks, nodes, sublattice, values
from .client import Client, json_value
from .deps import (  # noqa: F401 (the Covalent-style surface names them here too)
    EXECUTOR_KEYS,
    SERVER_ONLY_KEYS,
    AWSBatchExecutor,
    DepsPip,
    OtherExecutor,
    executor_settings,
    requirements_of,
)
from .hooks import DepsBash, DepsCall
from .nodes import OUTPUT_KEY
from .proxy import Proxy, _building, builder as _builder, path_of
from .results import ElectronResult, Result
from .statuses import (  # noqa: F401
    _TASK_STATUS,
    _WORKFLOW_STATUS,
    RESULT_STATUS,
    Status,
    covalent_status,
)

def _unsupported(what, name, value):
    if value:
        raise NotImplementedError(
            "%s(%s=...) is not supported by batch-executor: its tasks run in images built from a "
            "base image and pip requirements (deps_pip)" % (what, name)
        )


# ---- electrons, lattices and the graph ---------------------------------------------------------

class Electron:
    """A function that runs as a task. Outside a lattice a call is a plain local call."""

    files: List[Any] = []  # its FileTransfers (fs.py)
    _batch_executor_wraps = True  # the function travels, not this wrapper (source.py)
    _batch_executor_electron = True  # Client.submit takes its settings

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


class Sublattice(Electron):
    """``ct.electron(some_lattice)``: in a lattice being dispatched, one task that builds the
    lattice's graph with the real values of its inputs and runs it as a sub-workflow, whose
    result is the sublattice's (sublattice.py). Outside a lattice a plain call of the lattice."""

    def __init__(self, lattice, executor=None, deps_pip=None, deps_bash=None, call_before=None,
                 call_after=None):
        super().__init__(lattice)
        # after: update_wrapper copied the lattice's own settings onto this electron
        self.lattice = lattice
        self.executor = executor
        self.deps_pip = deps_pip
        self.deps_bash = deps_bash
        self.call_before = call_before
        self.call_after = call_after

    def __repr__(self):
        return "<sublattice %s>" % (self.lattice.__name__,)

    def __call__(self, *args, **kwargs):
        graph = _builder()
        if graph is None:
            return self.lattice(*args, **kwargs)
        return graph.add(self, args, kwargs)


def electron(_func: Optional[Callable[..., Any]] = None, *, backend: Any = None,
             executor: Any = None, files: Any = None, deps_bash: Any = None, deps_pip: Any = None,
             call_before: Any = None, call_after: Any = None) -> Any:
    """``@electron`` or ``@electron(executor=..., deps_pip=...)``: the function runs as a task of
    the lattice that calls it. ``executor`` is an AWSBatchExecutor, ``"awsbatch"`` or None (the
    service's defaults); ``deps_pip`` a DepsPip or a list of requirements; ``deps_bash`` a
    DepsBash, a command or a list of them; ``call_before``/``call_after`` a DepsCall or a list of
    them — these run in the task around the function (hooks.py); ``files`` a list of
    ``ct.fs.FileTransfer`` (fs.py)."""
    transfers = fs.files_of(files)
    executor = executor if executor is not None else backend
    executor_settings(executor)  # a bad executor is an error where it is written
    requirements_of(deps_pip)
    deps_bash = hooks.bash_of(deps_bash) if deps_bash is not None else None
    call_before = hooks.calls_of(call_before, "call_before") if call_before is not None else None
    call_after = hooks.calls_of(call_after, "call_after") if call_after is not None else None

    def decorate(function):
        if isinstance(function, Lattice):
            if transfers:
                raise NotImplementedError("electron(files=...) on a sublattice is not supported by "
                                          "batch-executor: give the files to its electrons")
            # a sublattice: one task that builds its graph where it runs (sublattice.py)
            return Sublattice(function, executor, deps_pip, deps_bash, call_before, call_after)
        if isinstance(function, Electron):
            transfers[:0] = function.files
            function = function.function
        made = Electron(function, executor, deps_pip, deps_bash, call_before, call_after)
        made.files = transfers
        return made

    return decorate if _func is None else decorate(_func)


class Lattice:
    """A workflow function. ``dispatch(lattice)(*args)`` runs it on the service; a plain call runs
    it here, its electrons as local calls."""

    _batch_executor_wraps = True

    def __init__(self, function, executor=None, deps_pip=None, deps_bash=None, call_before=None,
                 call_after=None):
        # first: it copies the wrapped object's attributes, and an @electron has these too
        functools.update_wrapper(self, function)
        self.function = function
        self.executor = executor
        self.deps_pip = deps_pip
        self.deps_bash = deps_bash
        self.call_before = call_before
        self.call_after = call_after
        self.__name__ = getattr(function, "__name__", "lattice")

    def __repr__(self):
        return "<lattice %s>" % (self.__name__,)

    def __call__(self, *args, **kwargs):
        return self.function(*args, **kwargs)

    def build_graph(self, *args, **kwargs):
        """The workflow request this lattice makes with these arguments (nothing is sent)."""
        return _Graph(self).build(args, kwargs)


def lattice(_func: Optional[Callable[..., Any]] = None, *, backend: Any = None,
            executor: Any = None, workflow_executor: Any = None, deps_bash: Any = None,
            deps_pip: Any = None, call_before: Any = None, call_after: Any = None,
            triggers: Any = None) -> Any:
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


_OUTPUT_SOURCE = "def lattice_result(value):\n    return value\n"
_KEY = re.compile(r"[^A-Za-z0-9_.-]")


class _Node:
    def __init__(self, key, electron, args, kwargs):
        self.key = key
        self.electron = electron
        self.args = args
        self.kwargs = kwargs
        self.after = []  # keys of the electrons it waits for without their results (wait_for)


class _Graph:
    def __init__(self, lattice, backends=None):
        self.lattice = lattice
        self.backends = backends
        self.nodes = []
        self.keys = set()
        self.table = nodes.NodeTable()
        self.inputs = None
        self.uploads = {}  # the uploads of the electrons' file transfers: id -> local path
        self.kept = {}  # node key -> [(index in its files, local path)] written after the result

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
        name = electron.function.__name__
        if isinstance(electron, Sublattice):
            name, before = sublattice.PREFIX + name, electron.call_before or []
        node.id = self.table.electron(name, key, node.args, node.kwargs,
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
            if isinstance(node.electron, Sublattice):
                tasks[node.key] = self._sublattice_task(node, what)
                continue
            sliced = function_source(node.electron.function)
            if sliced.module is not None and sliced.module not in modules:
                modules.append(sliced.module)
            given = dict(node.kwargs)
            bash = self.hook(node.electron, "deps_bash")
            before = self.hook(node.electron, "call_before")
            after = self.hook(node.electron, "call_after")
            plan = fs.plan(node.electron.files, what) if node.electron.files else None
            if plan is not None:
                given["files"] = plan.kwarg  # as Covalent passes them
                self.uploads.update(plan.uploads)
                if plan.kept:
                    self.kept[node.key] = plan.kept
                if plan.mirror:
                    before = [DepsCall(fs.mirror_files, args=[plan.mirror])] + list(before)
            args = _encoded(list(node.args), what, "args")
            kwargs = _encoded(given, what, "kwargs")
            source, name = sliced.source, sliced.name
            if bash or before or after or values.has_marker([args, kwargs]):
                source, name = hooks.wrap(source, name, bash, before, after)
            task = {
                "name": "%s(%d)" % (node.electron.function.__name__, node.id),
                "function": {"source": source, "name": name},
                "args": args,
                "kwargs": kwargs,
            }
            if node.after:
                task["after"] = list(node.after)
            if plan is not None:
                task["files"] = plan.files
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

    def _sublattice_task(self, node, what):
        """The task that builds a sublattice's graph where it runs and returns it (sublattice.py);
        it runs in the image of the electron's settings, with the lattice's pip requirements."""
        lattice = node.electron.lattice
        source, name, extra = sublattice.task_source(lattice, self.backends)
        # its own deps_bash, call_before and call_after run around the graph's building, as
        # around Covalent's; the calling lattice's defaults are its electrons'
        bash, before, after = (getattr(node.electron, n) or []
                               for n in ("deps_bash", "call_before", "call_after"))
        if bash or before or after:
            source, name = hooks.wrap(source, name, bash, before, after)
            extra = list(extra) + hooks.requirements(before + after)
        task = {
            "name": "%s%s(%d)" % (sublattice.PREFIX, lattice.__name__, node.id),
            "function": {"source": source, "name": name},
            "args": _encoded(list(node.args), what, "args"),
            "kwargs": _encoded(dict(node.kwargs), what, "kwargs"),
        }
        if node.after:
            task["after"] = list(node.after)
        task.update(self._environment(node))
        extra = list(extra) + requirements_of(lattice.deps_pip)
        if extra:
            image = task.setdefault("image", {})
            have = list(image.get("requirements", []))
            image["requirements"] = have + [r for r in extra if r not in have]
        return task

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
def wait(child: Any, parents: Any) -> Any:
    """``ct.wait(child, parents)``: inside a lattice being dispatched, the electron whose result
    ``child`` is waits for the electrons of ``parents`` (one result or a list of them) to complete
    without taking their results (the task's ``after``); returns ``child``. Outside one it only
    returns ``child``, as in Covalent."""
    if _builder() is None or not isinstance(child, Proxy):
        return child
    return child.wait_for(parents)


def run_sublattice(module, target, settings, backends, args, kwargs):
    """In a sublattice's task: builds the graph of the lattice ``target`` of ``module`` (the
    slice of its module the task carries) with the task's inputs, and returns it as the
    sub-workflow whose output is the lattice's result. Its node table goes to stdout on one line,
    for ``sublattice_result`` (results.py)."""
    import json

    from batch_executor_task import SubWorkflow  # the runner's, in every task

    found = getattr(module, target)
    if isinstance(found, Sublattice):
        found = found.lattice
    if not isinstance(found, Lattice):  # ct.lattice(f) called, not written as a decorator
        found = Lattice(found, settings.get("executor"), settings.get("deps_pip") or None)
        found.__name__ = settings.get("name") or found.__name__
    graph = _Graph(found, backends)
    body, _ = graph.build(values.decode(list(args)), values.decode(dict(kwargs)))
    print(sublattice.NODES + json.dumps(graph.table.to_json()))
    return SubWorkflow(body["tasks"], {"$task": OUTPUT_KEY}, name=body["name"])


# ---- dispatching and results -------------------------------------------------------------------

_clients = {}
_modules_of_dispatch = {}
_kept_of_dispatch = {}  # dispatch id -> {node key: [(index, local path)]}: files to write back
_graphs_of_dispatch = {}


def _client(dispatcher_addr=None):
    url = dispatcher_addr
    if url and "://" not in url:
        url = "http://" + url
    url = url or os.environ.get("BATCH_EXECUTOR_URL") or None
    if url not in _clients:
        _clients[url] = Client(url)
    return _clients[url]


_backends_of: Dict[Any, Optional[List[str]]] = {}


def _backends(client: Client) -> Optional[List[str]]:
    """The backends the service runs, asked once per client; None when it does not say."""
    if client not in _backends_of:
        try:
            listed = client.executor().get("backends")
            _backends_of[client] = [b["name"] for b in listed] if listed else None
        except Exception:  # an older service, or one that does not answer now: as before
            return None
    return _backends_of[client]


def dispatch(orig_lattice: "Lattice", dispatcher_addr: Optional[str] = None,
             **_ignored: Any) -> Callable[..., str]:
    """``dispatch(lattice)(*args, **kwargs)``: sends the lattice's workflow to the service; returns
    its dispatch id (the workflow's id) at once."""
    if not isinstance(orig_lattice, Lattice):
        raise TypeError("dispatch takes a @lattice, not %r" % (orig_lattice,))

    @functools.wraps(orig_lattice.function)
    def submit(*args, **kwargs):
        client = _client(dispatcher_addr)
        graph = _Graph(orig_lattice, _backends(client))
        body, modules = graph.build(args, kwargs)
        for upload, path in graph.uploads.items():
            stored = client.upload(fs.load_bytes(path))
            if stored.get("id") != upload:
                raise RuntimeError("%s changed while the lattice was dispatched" % path)
        workflow = client.submit_workflow(body)
        if graph.kept:
            _kept_of_dispatch[workflow.id] = graph.kept
        _modules_of_dispatch[workflow.id] = modules
        _graphs_of_dispatch[workflow.id] = (graph.table, graph.inputs)
        nodes.save(workflow.id, graph.table, graph.inputs)
        return workflow.id

    return submit


def dispatch_sync(orig_lattice: "Lattice", dispatcher_addr: Optional[str] = None,
                  **_ignored: Any) -> Callable[..., Result]:
    """``dispatch_sync(lattice)(*args, **kwargs)``: dispatches and waits; returns the Result."""
    submit = dispatch(orig_lattice, dispatcher_addr)

    @functools.wraps(orig_lattice.function)
    def run(*args, **kwargs):
        return get_result(submit(*args, **kwargs), wait=True, dispatcher_addr=dispatcher_addr)

    return run


def sync(dispatch_id: Union[str, List[str]]) -> None:
    """Returns once the dispatch (or each of a list of them) has ended, as Covalent's ``sync``:
    held requests, never a busy poll."""
    if isinstance(dispatch_id, str):
        ids = [dispatch_id]
    elif isinstance(dispatch_id, list):
        ids = dispatch_id
    else:
        raise RuntimeError("dispatch_id must be a string or a list, not a %s"
                           % type(dispatch_id).__name__)
    client = _client()
    for one in ids:
        client.workflow(one).wait()


def _write_kept_files(client, dispatch_id, info):
    """Writes the files each succeeded electron's transfers kept to their local paths, once."""
    kept = _kept_of_dispatch.get(dispatch_id)
    if not kept or not info:
        return
    for key, files in list(kept.items()):
        view = (info.get("tasks") or {}).get(key)
        if view and view.get("status") == "SUCCEEDED":
            fs.write_kept(client, view["id"], files)
            del kept[key]


def get_result(dispatch_id: str, wait: bool = False, dispatcher_addr: Optional[str] = None,
               status_only: bool = False, *, results_dir: Optional[str] = None,
               workflow_output: bool = True, intermediate_outputs: bool = True,
               sublattice_results: bool = True, qelectron_db: bool = False,
               timeout: Optional[float] = None) -> Result:
    """The Result of a dispatch; with ``wait=True`` once the workflow has ended (held requests,
    never a busy poll). As in Covalent, ``workflow_output=False`` leaves the lattice's output
    out (``result`` is None) and ``intermediate_outputs=False`` the electrons' (their
    ``output`` is None) and ``sublattice_results=False`` a sublattice node's
    ``sublattice_result`` (None); ``results_dir`` and ``qelectron_db`` are accepted."""
    client = _client(dispatcher_addr)
    workflow = client.workflow(dispatch_id)
    if wait:
        workflow.wait(timeout)
    else:
        workflow.refresh()
    _write_kept_files(client, str(dispatch_id), workflow.info)
    return Result(client, workflow.info, _modules_of_dispatch.get(str(dispatch_id), []),
                  fetch=not status_only, graph=_graphs_of_dispatch.get(str(dispatch_id)),
                  workflow_output=workflow_output, intermediate_outputs=intermediate_outputs,
                  sublattice_results=sublattice_results)



__all__ = [
    "AWSBatchExecutor", "DepsBash", "DepsCall", "DepsPip", "OtherExecutor", "Electron", "Lattice", "Proxy", "RESULT_STATUS", "Result",
    "ElectronResult", "Status", "Sublattice", "dispatch", "dispatch_sync", "electron", "get_result", "lattice",
]
