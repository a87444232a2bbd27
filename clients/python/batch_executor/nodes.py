"""The nodes of a dispatched lattice numbered as Covalent numbers its transport graph, and what
``Result.get_node_result(node_id)`` gives for each.

Covalent adds a node when an electron is called, then, for each argument in turn (positional, then
keyword), a parameter node for a plain value, or a collection node (``:electron_list:``,
``:electron_dict:``) followed by the nodes of its items; a result of another electron adds none.
An index, an attribute, unpacking or an operator on a result adds the node of Covalent's
``get_item``/``get_attr``/operator electron and the parameter node of its operand. Here those
operations cost no task (the receiving task applies them), but they get the same ids, and their
outputs are computed from the fetched value.

Only electron calls are tasks: each task's ``name`` is Covalent's ``name(id)``, so that another
process finds electron ids from the workflow alone. The other nodes (parameters, collections,
operations) and the lattice's inputs are known to the process that dispatched, and to others on
the same machine through a file per dispatch (``dispatch_cache_dir()``); elsewhere they are not.
"""

import datetime
import json
import operator
import os
import re

from . import values
from .proxy import Proxy

PARAMETER = ":parameter:"
LIST = ":electron_list:"
DICT = ":electron_dict:"
POSTPROCESS = ":postprocess:reconstruct"

#: The key of the task that computes a dispatched lattice's return value.
OUTPUT_KEY = "lattice.result"

_SIGNS = {"add": "+", "sub": "-", "mul": "*", "matmul": "@", "truediv": "/", "floordiv": "//",
          "mod": "%", "pow": "**", "lshift": "<<", "rshift": ">>", "and": "&", "xor": "^",
          "or": "|", "eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_NAME_WITH_ID = re.compile(r"^(.*)\((\d+)\)$")


class NodeTable:
    """The nodes of one lattice being built, in Covalent's order."""

    def __init__(self):
        self.nodes = []

    def _add(self, **node):
        node["id"] = len(self.nodes)
        self.nodes.append(node)
        return node["id"]

    def name(self, node_id):
        return self.nodes[node_id]["name"]

    def electron(self, name, key, args, kwargs, injected=()):
        """An electron call: its node, then its arguments' nodes. Keywords a call_before fills in
        (``injected``) are not arguments of the call."""
        node_id = self._add(kind="electron", name=name, key=key)
        for value in args:
            self.connect(value)
        for keyword, value in kwargs.items():
            if keyword not in injected:
                self.connect(value)
        return node_id

    def connect(self, value):
        """The node whose output ``value`` is: a proxy's own, or a new parameter or collection
        node."""
        if isinstance(value, Proxy):
            return object.__getattribute__(value, "_id")
        if isinstance(value, list):
            node_id = self._add(kind="list", name=LIST)
            self.nodes[node_id]["items"] = [self.connect(v) for v in value]
            return node_id
        if isinstance(value, dict):
            node_id = self._add(kind="dict", name=DICT)
            self.nodes[node_id]["items"] = [[k, self.connect(v)] for k, v in value.items()]
            return node_id
        return self._add(kind="parameter", name=PARAMETER + str(value), value=value)

    def operation(self, parent, step, unpacked=False):
        """The node of an operation on the result of node ``parent`` and its operand's."""
        parent_name = self.name(parent) if parent is not None else "?"
        if "attr" in step:
            name, operand = ":%s.__getattr__" % parent_name, step["attr"]
        elif "index" in step:
            name, operand = ":%s.__getitem__" % parent_name, step["index"]
            if unpacked:
                name = ":%s()[%d]" % (parent_name, operand)
        elif "slice" in step:
            name, operand = ":%s.__getitem__" % parent_name, slice(*step["slice"])
        elif "right" in step or "left" in step:
            operand = step.get("right", step.get("left"))
            other = self._label(operand)
            sign = _SIGNS[step["op"]]
            if "left" in step and step["op"] not in ("add", "mul"):
                name = "%s_%s_%s" % (other, sign, parent_name)
            else:
                name = "%s_%s_%s" % (parent_name, sign, other)
        else:
            name, operand = ":%s.__%s__" % (parent_name, step["op"]), None
        unary = "op" in step and "right" not in step and "left" not in step
        kept = {k: v for k, v in step.items() if k in ("op", "attr", "slice")}
        if "index" in step:
            kept["index"] = True
        if "left" in step:
            kept["side"] = "left"
        node_id = self._add(kind="operation", name=name, parent=parent, step=kept)
        if not unary:
            self.nodes[node_id]["operand"] = self.connect(operand)
        return node_id

    def _label(self, operand):
        if isinstance(operand, Proxy):
            return self.name(object.__getattribute__(operand, "_id"))
        return operand

    def to_json(self):
        """The table as JSON (values JSON cannot carry as markers)."""
        out = []
        for node in self.nodes:
            node = dict(node)
            if "value" in node:
                node["value"] = _storable(node["value"])
            if node["kind"] == "dict":
                node["items"] = [[_storable(k), i] for k, i in node["items"]]
            out.append(node)
        return out


def _storable(value):
    try:
        return values.encode(value, lambda proxy: None)
    except TypeError:
        return {values.PICKLE: None}


def from_json(nodes):
    """A table stored with ``to_json``, its values decoded."""
    table = NodeTable()
    for node in nodes:
        node = dict(node)
        if "value" in node:
            node["value"] = values.decode(node["value"])
        if node["kind"] == "dict":
            node["items"] = [[values.decode(k), i] for k, i in node["items"]]
        table.nodes.append(node)
    return table


def from_task_names(tasks):
    """What the workflow's task names say: electron nodes only (the other nodes are unknown)."""
    table = NodeTable()
    found = {}
    for key, view in tasks.items():
        match = _NAME_WITH_ID.match(view.get("name") or "")
        if match:
            found[int(match.group(2))] = {"kind": "electron", "name": match.group(1), "key": key,
                                          "id": int(match.group(2))}
    if found:
        table.nodes = [found.get(i) for i in range(max(found) + 1)]
    return table


# ---- a cache per dispatch, for get_result in another process --------------------------------


def dispatch_cache_dir():
    """Where the node table and inputs of each dispatch are kept: ``BATCH_EXECUTOR_CLIENT_CACHE``,
    else ``~/.cache/batch-executor/dispatches``."""
    return os.environ.get("BATCH_EXECUTOR_CLIENT_CACHE") or os.path.join(
        os.path.expanduser("~"), ".cache", "batch-executor", "dispatches")


def save(dispatch_id, table, inputs):
    """Keeps what ``get_result`` needs in another process; a cache that cannot be written only
    loses that."""
    try:
        os.makedirs(dispatch_cache_dir(), mode=0o700, exist_ok=True)
        path = os.path.join(dispatch_cache_dir(), "%s.json" % dispatch_id)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            json.dump({"nodes": table.to_json(), "inputs": _storable(inputs)}, f)
        os.replace(path + ".tmp", path)
    except (OSError, TypeError, ValueError):
        pass


def load(dispatch_id):
    """``(table, inputs)`` kept for a dispatch, or None."""
    if not re.fullmatch(r"[0-9a-fA-F-]{1,64}", str(dispatch_id)):
        return None
    try:
        with open(os.path.join(dispatch_cache_dir(), "%s.json" % dispatch_id), encoding="utf-8") as f:
            stored = json.load(f)
        return from_json(stored["nodes"]), values.decode(stored["inputs"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


# ---- times ------------------------------------------------------------------------------------

_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$")


def parse_time(text):
    """An ISO-8601 timestamp of the service as an aware datetime (None stays None)."""
    if not isinstance(text, str):
        return None
    match = _TIME.match(text)
    if not match:
        return None
    base, fraction, zone = match.groups()
    moment = datetime.datetime.strptime(base, "%Y-%m-%dT%H:%M:%S")
    if fraction:
        moment = moment.replace(microsecond=int((fraction + "000000")[:6]))
    if zone in (None, "Z"):
        return moment.replace(tzinfo=datetime.timezone.utc)
    sign = 1 if zone[0] == "+" else -1
    offset = datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
    return moment.replace(tzinfo=datetime.timezone(sign * offset))


# ---- operations applied here, to compute an operation node's output --------------------------


def apply(step, value, operand):
    if "attr" in step:
        return getattr(value, step["attr"])
    if "slice" in step:
        return value[operand]
    if step.get("index"):
        return value[operand]
    name = step["op"]
    function = getattr(operator, name + "_" if name in ("and", "or") else name)
    if name in ("neg", "pos", "abs", "invert"):
        return function(value)
    if step.get("side") == "left":
        return function(operand, value)
    return function(value, operand)
