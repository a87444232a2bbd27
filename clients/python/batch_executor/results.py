"""A dispatch's result as Covalent's ``get_result`` gives it: the lattice's output, its status and
times, its inputs, and per node (Covalent's numbering, nodes.py) the dictionary Covalent's
``Result.get_node_result`` has.

A node's ``stdout`` and ``stderr`` are what its task's code wrote to each, as the runner kept them
apart (``GET /api/v1/tasks/{id}/logs?stream=stdout|stderr``); for a task that has none kept apart
(one that ended without a result), ``stdout`` is its whole output and ``stderr`` empty.
"""

import datetime
import json
from typing import Any, Dict, List, Optional, Union

from . import nodes
from .client import TaskHandle
from .nodes import OUTPUT_KEY
from .statuses import _WORKFLOW_STATUS, RESULT_STATUS, covalent_status
from .errors import BatchExecutorError, TaskFailed
from .sublattice import NODES, PREFIX


class ElectronResult:
    """One electron's task in a dispatch: ``key``, ``node_id``, ``task_id``, ``status``, and once
    asked for, ``result`` (its return value), ``error``, ``start_time``, ``end_time``, ``stdout``.
    ``electron_result["output"]`` (any key of ``node_result()``) reads as Covalent's node dict."""

    def __init__(self, client, key, view, modules, node_id=None, name=None, outputs=True):
        self.key = key
        self.node_id = node_id
        self.node_name = name or key
        self.task_id = view["id"]
        self.status = covalent_status(view["status"])
        self.status_reason = view.get("status_reason")
        self.handle = TaskHandle(client, view["id"], modules=modules)
        self._outputs = outputs
        self._fetched = False
        self._result = None
        self._error = None
        self._times = None
        self._stdout = None
        self._stderr = None
        self._sublattice = None  # a callable giving the Result of its sub-workflow, if any
        self._sublattice_result = None

    @property
    def sublattice_result(self) -> Optional["Result"]:
        """For a sublattice's node, the Result of the sub-workflow it ran (its tasks are this
        task's, under its key); None for another node, or when not asked for."""
        if self._sublattice is not None and self._sublattice_result is None:
            self._sublattice_result = self._sublattice()
        return self._sublattice_result

    def __repr__(self):
        return "<ElectronResult %s %s>" % (self.key, self.status)

    def _fetch(self):
        if self._fetched:
            return
        self._fetched = True
        if self.status == RESULT_STATUS.COMPLETED:
            if self._outputs:
                self._result = self.handle.result()
        elif self.status in (RESULT_STATUS.FAILED, RESULT_STATUS.CANCELLED):
            try:
                self.handle.result()
            except TaskFailed as failed:
                self._error = str(failed)

    @property
    def result(self) -> Any:
        self._fetch()
        return self._result

    output = result

    @property
    def error(self) -> Optional[str]:
        self._fetch()
        return self._error

    def _read_times(self):
        if self._times is None:
            view = self.handle.info if (self.handle.info or {}).get("created_at") else self.handle.refresh()
            start = None
            try:
                for event in self.handle.events():
                    if event.get("kind") == "STATUS" and event.get("to_status") == "RUNNING":
                        start = event.get("at")
                        break
            except BatchExecutorError:
                start = None
            started = nodes.parse_time(start) if start else None
            ended = nodes.parse_time(view.get("finished_at"))
            self._times = (started or nodes.parse_time(view.get("created_at")), ended)
        return self._times

    @property
    def start_time(self) -> Optional[datetime.datetime]:
        """When its task started running (a datetime; when it was created, if it never ran)."""
        return self._read_times()[0]

    @property
    def end_time(self) -> Optional[datetime.datetime]:
        """When its task ended (a datetime), None while it runs."""
        return self._read_times()[1]

    def _read_streams(self):
        if self._stdout is None:
            try:
                out = self.handle.logs("stdout")
                err = self.handle.logs("stderr") if out is not None else None
                if out is None or err is None:  # none kept apart: the whole output
                    out, err = self.handle.logs(), ""
            except BatchExecutorError:
                out, err = "", ""
            if self.node_name.startswith(PREFIX) and NODES in (out or ""):
                # the node table a sublattice's task writes for sublattice_result
                out = "".join(line for line in out.splitlines(True) if not line.startswith(NODES))
            self._stdout, self._stderr = out, err
        return self._stdout, self._stderr

    @property
    def stdout(self) -> str:
        """What the task's code wrote to stdout (its whole output when none was kept apart)."""
        return self._read_streams()[0]

    @property
    def stderr(self) -> str:
        """What the task's code wrote to stderr (a traceback among it, when it raised)."""
        return self._read_streams()[1]

    def node_result(self) -> Dict[str, Any]:
        """Covalent's dictionary of this node."""
        return {
            "node_id": self.node_id,
            "node_name": self.node_name,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "status": self.status,
            "output": self.result,
            "error": self.error,
            "sublattice_result": self.sublattice_result,
            "stdout": self.stdout,
            "stderr": self.stderr,
        }

    def __getitem__(self, name):
        return self.node_result()[name]


class TransportGraph:
    """The part of Covalent's transport graph a result reads: ``get_node_value(node_id, key)``
    for the keys of a node's result (``name``, ``output``, ``status``, ``start_time``,
    ``end_time``, ``error``, ``stdout``, ``stderr``, ``sublattice_result``) and ``value`` (a
    parameter's)."""

    def __init__(self, result):
        self._result = result

    def get_node_value(self, node_id: int, key: str) -> Any:
        node = self._result._node(node_id)
        if key == "name":
            return node["name"]
        if key == "value":
            return node.get("value")
        if node["kind"] == "electron" and key in ("status", "output", "error", "stdout", "stderr",
                                                  "sublattice_result"):
            # read only what is asked for: the times and the logs each cost a request
            electron = self._result._electron(node["key"])
            return {"status": lambda: electron.status, "output": lambda: electron.result,
                    "error": lambda: electron.error, "stdout": lambda: electron.stdout,
                    "stderr": lambda: electron.stderr,
                    "sublattice_result": lambda: electron.sublattice_result}[key]()
        return self._result.get_node_result(node_id)[key]

    def get_nodes(self) -> List[int]:
        return [n["id"] for n in self._result.table.nodes if n is not None]


class LatticeView:
    """``result.lattice``: its ``__name__`` and ``transport_graph``."""

    def __init__(self, result):
        self.__name__ = result.lattice_name
        self.transport_graph = TransportGraph(result)


class Result:
    """A dispatch as Covalent's ``get_result`` gives it: ``dispatch_id``, ``status``
    (``Result.COMPLETED``, ``FAILED``, ``CANCELLED``, ``RUNNING``), ``result`` (the lattice's
    return value, once COMPLETED), ``error``, ``inputs``, ``start_time``/``end_time``
    (datetimes), ``lattice.transport_graph``, and per node ``get_node_result(node_id)``,
    ``get_all_node_results()`` and ``get_all_node_outputs()``. ``get_node_result("key")`` with a
    task key (a string) gives that electron's ElectronResult."""

    NEW_OBJECT = RESULT_STATUS.NEW_OBJECT
    RUNNING = RESULT_STATUS.RUNNING
    COMPLETED = RESULT_STATUS.COMPLETED
    FAILED = RESULT_STATUS.FAILED
    CANCELLED = RESULT_STATUS.CANCELLED

    def __init__(self, client, workflow, modules=(), fetch=True, graph=None,
                 workflow_output=True, intermediate_outputs=True, sublattice_results=True):
        self.dispatch_id = workflow["id"]
        self.lattice_name = workflow.get("name")
        self.status = _WORKFLOW_STATUS.get(workflow["status"], RESULT_STATUS.RUNNING)
        self.start_time = nodes.parse_time(workflow.get("created_at"))
        self.end_time = nodes.parse_time(workflow.get("finished_at"))
        self.workflow = workflow
        tasks = workflow["tasks"]
        if graph is None:
            graph = nodes.load(self.dispatch_id)
        if graph is not None:
            self.table, self.inputs = graph
        else:
            self.table, self.inputs = nodes.from_task_names(tasks), None
        ids = {n["key"]: n for n in self.table.nodes if n is not None and n["kind"] == "electron"}
        self.electrons = {
            key: ElectronResult(client, key, view, modules,
                                ids[key]["id"] if key in ids else None,
                                ids[key]["name"] if key in ids else None,
                                intermediate_outputs)
            for key, view in tasks.items()
            if key != OUTPUT_KEY and "/" not in key  # a sub-workflow's tasks: sublattice_result
        }
        self._client = client
        self._modules = modules
        self._options = (fetch, workflow_output, intermediate_outputs)
        if sublattice_results:
            for key, electron in self.electrons.items():
                if electron.node_name.startswith(PREFIX) or any(
                        k.startswith(key + "/") for k in tasks):
                    electron._sublattice = (lambda k: lambda: self._sublattice(k))(key)
        self._output = (
            ElectronResult(client, OUTPUT_KEY, tasks[OUTPUT_KEY], modules,
                           ids[OUTPUT_KEY]["id"] if OUTPUT_KEY in ids else None,
                           nodes.POSTPROCESS, workflow_output)
            if OUTPUT_KEY in tasks
            else None
        )
        self._workflow_output = workflow_output
        self._values = {}
        self._result = None
        self.error = None
        self.lattice = LatticeView(self)
        if fetch:
            self._fetch()

    def _fetch(self):
        if self.status == RESULT_STATUS.COMPLETED and self._output is not None:
            if self._workflow_output:
                self._result = self._output.result
        elif self.status in (RESULT_STATUS.FAILED, RESULT_STATUS.CANCELLED):
            errors = []
            for key, e in self.electrons.items():
                if e.status == RESULT_STATUS.FAILED:
                    errors.append("electron %s: %s" % (key, e.error))
            if not errors and self._output is not None and self._output.status == RESULT_STATUS.FAILED:
                errors.append(self._output.error)
            self.error = "\n".join(errors) or (
                "the dispatch was cancelled" if self.status == RESULT_STATUS.CANCELLED else None)

    def __repr__(self):
        return "<Result %s %s %s>" % (self.lattice_name, self.dispatch_id, self.status)

    def _sublattice(self, key):
        """The Result of the sub-workflow the sublattice's task ``key`` ran: its tasks (keys under
        ``key/``), its status the task's, its nodes those the task wrote to its output (else what
        the tasks' names say)."""
        electron = self.electrons[key]
        view = self.workflow["tasks"][key]
        prefix = key + "/"
        tasks = {k[len(prefix):]: v for k, v in self.workflow["tasks"].items()
                 if k.startswith(prefix)}
        status = view["status"] if view["status"] in ("SUCCEEDED", "FAILED", "CANCELLED") else (
            "RUNNING")
        name = electron.node_name[len(PREFIX):] if electron.node_name.startswith(PREFIX) else key
        sub = {"id": "%s/%s" % (self.dispatch_id, key), "name": name, "status": status,
               "created_at": self.workflow.get("created_at"),
               "finished_at": view.get("finished_at") or (
                   self.workflow.get("finished_at") if status != "RUNNING" else None),
               "tasks": tasks}
        table = None
        if tasks:
            try:
                # its whole output: the stdout kept apart of a task whose result is its
                # sub-workflow's is that of the task giving it
                for line in (electron.handle.logs() or "").splitlines():
                    if line.startswith(NODES):
                        table = nodes.from_json(json.loads(line[len(NODES):]))
            except (BatchExecutorError, ValueError, KeyError, TypeError):
                table = None
        if table is None:
            table = nodes.from_task_names({k: v for k, v in tasks.items() if "/" not in k})
        fetch, workflow_output, intermediate_outputs = self._options
        return Result(self._client, sub, self._modules, fetch=fetch, graph=(table, None),
                      workflow_output=workflow_output, intermediate_outputs=intermediate_outputs)

    @property
    def result(self) -> Any:
        """The lattice's return value once COMPLETED, else None."""
        return self._result

    def _node(self, node_id):
        nodes_ = self.table.nodes
        if not isinstance(node_id, int) or not 0 <= node_id < len(nodes_) or nodes_[node_id] is None:
            known = [n["id"] for n in nodes_ if n is not None]
            raise KeyError(
                "dispatch %s has no node %r here (known: %s); parameter, collection and operation "
                "nodes are known to the process that dispatched and through its cache file (%s)"
                % (self.dispatch_id, node_id, known, nodes.dispatch_cache_dir()))
        return nodes_[node_id]

    def get_node_result(self, node_id: Union[int, str]) -> Any:
        """Covalent's dictionary of node ``node_id`` (an int): ``node_id``, ``node_name``,
        ``start_time``, ``end_time``, ``status``, ``output``, ``error``, ``sublattice_result``
        (for a sublattice's node the Result of its sub-workflow, else None), ``stdout``,
        ``stderr``. With a string, the ElectronResult of
        the electron whose task has that key (its function's name, ``name-2`` for the second
        call)."""
        if isinstance(node_id, str):
            return self.electrons[node_id]
        node = self._node(node_id)
        if node["kind"] == "electron":
            return self._electron(node["key"]).node_result()
        status, output, error, times = self._value(node_id)
        return {
            "node_id": node_id, "node_name": node["name"], "start_time": times[0],
            "end_time": times[1], "status": status, "output": output, "error": error,
            "sublattice_result": None, "stdout": "", "stderr": "",
        }

    def _electron(self, key):
        return self._output if key == OUTPUT_KEY else self.electrons[key]

    def _value(self, node_id):
        """(status, output, error, (start, end)) of a node that is not a task."""
        if node_id in self._values:
            return self._values[node_id]
        node = self._node(node_id)
        kind = node["kind"]
        created = (self.start_time, self.start_time)
        if kind == "electron":
            e = self._electron(node["key"])
            if e.status == RESULT_STATUS.COMPLETED:
                found = (e.status, e.result, None, (None, None))
            else:
                found = (e.status, None, e.error, (None, None))
        elif kind == "parameter":
            found = (RESULT_STATUS.COMPLETED, node.get("value"), None, created)
        else:
            inputs = []
            if kind in ("list", "dict"):
                inputs = [i for _, i in node["items"]] if kind == "dict" else list(node["items"])
            else:
                inputs = [node["parent"]] + ([node["operand"]] if "operand" in node else [])
            parts = [self._value(i) for i in inputs]
            waiting = [p for p in parts if p[0] != RESULT_STATUS.COMPLETED]
            if waiting:
                status = waiting[0][0]
                if status == RESULT_STATUS.FAILED:
                    status = RESULT_STATUS.CANCELLED
                found = (status, None, None, created)
            else:
                found = self._computed(node, [p[1] for p in parts], created)
        self._values[node_id] = found
        return found

    def _computed(self, node, inputs, created):
        if node["kind"] == "list":
            return RESULT_STATUS.COMPLETED, inputs, None, created
        if node["kind"] == "dict":
            return (RESULT_STATUS.COMPLETED, {k: v for (k, _), v in zip(node["items"], inputs)},
                    None, created)
        try:
            value = nodes.apply(node["step"], inputs[0], inputs[1] if len(inputs) > 1 else None)
        except Exception as error:
            return RESULT_STATUS.FAILED, None, "%s: %s" % (type(error).__name__, error), created
        return RESULT_STATUS.COMPLETED, value, None, created

    def get_all_node_results(self) -> List[Dict[str, Any]]:
        """Every node's dictionary (get_node_result), in node order."""
        return [self.get_node_result(n["id"]) for n in self.table.nodes if n is not None]

    def get_all_node_outputs(self) -> Dict[str, Any]:
        """Every node's output keyed ``"name(id)"``, as Covalent keys them."""
        return {"%s(%d)" % (n["name"], n["id"]): self._value(n["id"])[1]
                for n in self.table.nodes if n is not None}
