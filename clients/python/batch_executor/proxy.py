"""What an electron call returns inside a lattice being dispatched: a ``Proxy`` for its result, and
the operations on it that travel with the reference (an index, an attribute, arithmetic) or are
refused (a truth test, ``len()``). The lattice being built in this thread is ``builder()``'s."""

import dis
import inspect
import threading

from .errors import UnsupportedOperation

_building = threading.local()


def builder():
    """The graph of the lattice being dispatched in this thread, or None."""
    return getattr(_building, "graph", None)


def path_of(proxy):
    """How a proxy reads in messages: ``result of add[0].x``."""
    return repr(proxy)


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
        graph = builder()
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

    def wait_for(self, electrons):
        """Makes the electron whose result this is wait for the electrons of ``electrons`` (a
        result of one, or a list of them) to complete, without taking their results, as
        Covalent's ``Electron.wait_for``; returns this result, and adds no node."""
        node = object.__getattribute__(self, "_node")
        graph = builder()
        if graph is None:
            return self
        parents = [electrons] if isinstance(electrons, Proxy) else list(electrons)
        for parent in parents:
            if not isinstance(parent, Proxy):
                raise TypeError("wait_for takes results of electrons called in this lattice, not %r"
                                % (parent,))
            key = object.__getattribute__(parent, "_node").key
            if key != node.key and key not in node.after:
                node.after.append(key)
        return self

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
