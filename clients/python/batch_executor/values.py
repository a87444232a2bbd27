"""Arguments JSON cannot carry as they are — tuples, dicts with keys that are not strings, sets,
objects — sent so that the function gets the same Python values.

Such a value travels inside a marker object the service stores as plain JSON (it never decodes
it): ``{"__batch_executor_tuple__": [...]}`` for a tuple, ``{"__batch_executor_dict__": [[key,
value], ...]}`` for a dict with other keys, ``{"__batch_executor_pickle__": "<base64>"}`` for
anything else (its pickle). References to other tasks' results may stand inside the first two. A
task whose arguments hold a marker runs a small wrapper, generated here and sent with its source,
that turns markers back into values before calling the function (``DECODER`` is its text).
"""

import base64
import math
import pickle

from .proxy import Proxy

TUPLE = "__batch_executor_tuple__"
DICT = "__batch_executor_dict__"
PICKLE = "__batch_executor_pickle__"
MARKERS = (TUPLE, DICT, PICKLE)

#: What decodes markers in a task (and here): the text travels in the generated source. Its names
#: start with ``_batch_executor_`` so that they never meet the user's.
DECODER = '''
def _batch_executor_find(name):
    import sys as _sys
    module = _sys.modules.get(__name__)
    found = module
    for part in name.split("."):
        found = getattr(found, part)
    return found


def _batch_executor_unpickle(data):
    import io as _io
    import pickle as _pickle

    class _Unpickler(_pickle.Unpickler):
        # a class of the client's module is found in this source, which carries what the
        # function uses, when that module is not installed here
        def find_class(self, module, name):
            try:
                return super().find_class(module, name)
            except (ImportError, AttributeError):
                try:
                    return _batch_executor_find(name)
                except AttributeError:
                    raise _pickle.UnpicklingError(
                        "an argument holds a %s.%s, which neither an installed module nor the "
                        "task's source defines" % (module, name))

    return _Unpickler(_io.BytesIO(data)).load()


def _batch_executor_decode(value):
    if isinstance(value, list):
        return [_batch_executor_decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1:
            (key, inner), = value.items()
            if key == "__batch_executor_tuple__" and isinstance(inner, list):
                return tuple(_batch_executor_decode(v) for v in inner)
            if key == "__batch_executor_dict__" and isinstance(inner, list):
                return {_batch_executor_decode(k): _batch_executor_decode(v) for k, v in inner}
            if key == "__batch_executor_pickle__" and isinstance(inner, str):
                import base64 as _base64
                return _batch_executor_unpickle(_base64.b64decode(inner))
        return {k: _batch_executor_decode(v) for k, v in value.items()}
    return value
'''

_decoder = {"__name__": __name__}
exec(compile(DECODER, "<batch-executor decoder>", "exec"), _decoder)


def decode(value):
    """A value with its markers turned back into Python values (unpickling runs code: only values
    of your own)."""
    return _decoder["_batch_executor_decode"](value)


def _is_plain_json(value):
    if value is None or isinstance(value, (bool, str, int)):
        return True
    return isinstance(value, float) and math.isfinite(value)


def encode(value, reference=None, what="a value", path="value"):
    """``value`` as JSON, markers where JSON would change it; ``reference(proxy)`` gives the JSON
    of a workflow proxy (a reference) where one stands."""
    if isinstance(value, Proxy):
        if reference is None:
            raise TypeError("%s: %s is a workflow proxy, only valid inside a lattice" % (what, path))
        return reference(value)
    if _is_plain_json(value):
        return value
    if isinstance(value, list):
        return [encode(v, reference, what, "%s[%d]" % (path, i)) for i, v in enumerate(value)]
    if isinstance(value, tuple) and type(value) is tuple:
        return {TUPLE: [encode(v, reference, what, "%s[%d]" % (path, i))
                        for i, v in enumerate(value)]}
    if type(value) is dict:
        if all(isinstance(k, str) for k in value) and not (len(value) == 1 and next(iter(value)) in MARKERS):
            return {k: encode(v, reference, what, "%s[%r]" % (path, k)) for k, v in value.items()}
        return {DICT: [[encode(k, reference, what, "%s key" % path),
                        encode(v, reference, what, "%s[%r]" % (path, k))] for k, v in value.items()]}
    try:
        data = pickle.dumps(value, protocol=4)
    except Exception as error:
        kind = type(value)
        raise TypeError(
            "%s: %s is a %s.%s, which neither JSON nor pickle can carry (%s: %s)"
            % (what, path, kind.__module__, kind.__qualname__, type(error).__name__, error)
        ) from None
    return {PICKLE: base64.b64encode(data).decode("ascii")}


def has_marker(value):
    """True when the encoded ``value`` holds a marker (its task needs the decoding wrapper)."""
    if isinstance(value, list):
        return any(has_marker(v) for v in value)
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in MARKERS:
            return True
        return any(has_marker(v) for v in value.values())
    return False
