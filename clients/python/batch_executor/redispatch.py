"""Covalent's ``redispatch`` and ``cancel`` on the service's re-runs and partial cancels.

``redispatch(dispatch_id, replace_electrons=None, reuse_previous_results=False)`` answers a
callable, as Covalent's does; calling it asks ``POST /api/v1/workflows/{id}/rerun`` for a new run of
the dispatch and returns the new dispatch id. ``replace_electrons`` maps an electron's name (its
function's ``__name__``) to a new electron or function: every task of that electron runs the new
function with the arguments it had, in the image it had. ``reuse_previous_results`` keeps the results
of the tasks that completed and did not change; without it every task runs again, as in Covalent.

``cancel(dispatch_id, task_ids=None)`` cancels the whole dispatch, or with ``task_ids`` (Covalent's
node ids, see ``nodes``) those electrons and every electron that depends on them.
"""

from . import covalent, hooks, nodes
from .errors import UnsupportedOperation
from .source import function_source


def _electron_keys(info):
    """Each electron's node id -> its task key, from the task names (``name(id)``)."""
    table = nodes.from_task_names(info["tasks"])
    return {node["id"]: node["key"] for node in table.nodes if node is not None}


def _replacement(new):
    """The ``function`` of a task running ``new`` (an electron or a plain function), wrapped as the
    dispatch wraps a task's function, so that the arguments it is given are decoded alike."""
    electron = new if isinstance(new, covalent.Electron) else None
    function = electron.function if electron is not None else new
    if not callable(function):
        raise TypeError("replace_electrons maps electron names to electrons, not %r" % (new,))
    sliced = function_source(function)

    def hook(name):
        value = getattr(electron, name, None) if electron is not None else None
        return value or []

    source, name = hooks.wrap(sliced.source, sliced.name, hook("deps_bash"), hook("call_before"),
                              hook("call_after"))
    return {"function": {"source": source, "name": name}}, sliced.module


def _tasks_named(info, electron_name):
    keys = []
    for key, view in info["tasks"].items():
        match = nodes._NAME_WITH_ID.match(view.get("name") or "")
        if match and match.group(1) == electron_name:
            keys.append(key)
    return keys


def redispatch(dispatch_id, dispatcher_addr=None, replace_electrons=None,
               reuse_previous_results=False, **_ignored):
    """``redispatch(dispatch_id, ...)()``: a new run of the dispatch; returns its dispatch id.

    New lattice arguments are not supported: the service re-runs the workflow it has, whose
    electrons were bound to the first call's arguments when it was built."""
    replace_electrons = dict(replace_electrons or {})

    def func(*new_args, **new_kwargs):
        if new_args or new_kwargs:
            raise UnsupportedOperation(
                "redispatch with new lattice arguments: the workflow is re-run with the arguments"
                " it was dispatched with (dispatch the lattice again for new ones)")
        client = covalent._client(dispatcher_addr)
        earlier = str(dispatch_id)
        info = client.workflow(earlier).refresh()
        tasks = {}
        modules = list(covalent._modules_of_dispatch.get(earlier, []))
        for electron_name, new in replace_electrons.items():
            keys = _tasks_named(info, electron_name)
            if not keys:
                raise ValueError("dispatch %s has no electron named %r" % (earlier, electron_name))
            replacement, module = _replacement(new)
            if module is not None and module not in modules:
                modules.append(module)
            for key in keys:
                tasks[key] = replacement
        body = {"reuse": bool(reuse_previous_results)}
        if tasks:
            body["tasks"] = tasks
        answer = client.rerun_workflow(earlier, body)
        new_id = answer["id"]
        covalent._modules_of_dispatch[new_id] = modules
        graph = covalent._graphs_of_dispatch.get(earlier)
        if graph is None:
            graph = nodes.load(earlier)
        if graph is not None:
            covalent._graphs_of_dispatch[new_id] = graph
            nodes.save(new_id, graph[0], graph[1])
        return new_id

    return func


def cancel(dispatch_id, task_ids=None, dispatcher_addr=None):
    """Cancels the dispatch, or only the electrons ``task_ids`` names (Covalent's node ids) and
    every electron below them; returns a message saying what was asked, as Covalent's does."""
    client = covalent._client(dispatcher_addr)
    handle = client.workflow(str(dispatch_id))
    if not task_ids:
        handle.cancel()
        return "Dispatch %s cancelled" % dispatch_id
    keys = _electron_keys(handle.refresh())
    unknown = [i for i in task_ids if i not in keys]
    if unknown:
        raise ValueError("dispatch %s has no electron with node id %s" % (
            dispatch_id, ", ".join(str(i) for i in unknown)))
    handle.cancel(tasks=[keys[i] for i in task_ids])
    return "Cancelled tasks %s of dispatch %s" % (", ".join(str(i) for i in task_ids), dispatch_id)
