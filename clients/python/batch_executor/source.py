"""The source that travels with a task: the function's own source without the client's decorators,
and what it needs from its module — the imports it uses (never the client's own) and the top-level
functions, classes and constants it refers to, found with ``ast`` and ``symtable``; the module is
never run. Top-level statements that do work (calls, prints, ``if __name__ == "__main__":``)
never travel.

A function whose module file cannot be read (a notebook cell, an interactive session) falls back to
``inspect.getsource``; what it refers to is then found among its globals.
"""

import ast
import builtins
import importlib.util
import inspect
import linecache
import math
import sys
import symtable
import textwrap
import types

from .errors import SourceError

CLIENT_PACKAGE = "batch_executor"
_BUILTINS = frozenset(dir(builtins)) | {"__file__", "__name__", "__doc__", "__builtins__",
                                        "__spec__", "__loader__", "__package__"}


class Sliced:
    """What travels: ``source`` (a module), ``name`` (the function to call in it), the
    ``module`` the function came from here (to find its classes when a result is unpickled), and
    the pip ``requirements`` the source needs beyond the function's own (cloudpickle, for a
    function that travels pickled)."""

    def __init__(self, source, name, module, requirements=()):
        self.source = source
        self.name = name
        self.module = module
        self.requirements = list(requirements)

    def __repr__(self):
        return "Sliced(name=%r, source=%r)" % (self.name, self.source)


_cache = {}


def function_source(fn):
    """The source that runs ``fn`` in a task, or a SourceError saying why there is none."""
    original = fn
    fn = getattr(fn, "function", fn)  # an electron: the function it wraps
    fn = inspect.unwrap(fn)
    if not isinstance(fn, types.FunctionType):
        raise SourceError(
            "%r is not a Python function defined with def; only such functions can travel as "
            "source" % (original,)
        )
    if fn.__name__ == "<lambda>":
        return pickled_source(fn, "a lambda has no name to call in a task")
    if fn.__code__.co_freevars:
        return pickled_source(
            fn, "function %s uses %s of the function it is defined in (a closure)"
            % (fn.__qualname__, ", ".join(repr(v) for v in fn.__code__.co_freevars)))
    key = (fn.__code__, fn.__module__)
    if key not in _cache:
        try:
            _cache[key] = _slice(fn)
        except SourceError as error:
            if not getattr(error, "picklable", False):
                raise
            return pickled_source(fn, str(error))
    return _cache[key]


def pickled_source(fn, why):
    """A source that carries ``fn`` pickled with cloudpickle (by value, with what it uses from its
    module), for a function whose source cannot travel (a closure, a lambda, a function of an
    interactive session); the task then needs cloudpickle too (same major version). Without
    cloudpickle here, a SourceError says why and what to do."""
    try:
        import cloudpickle
    except ImportError:
        raise SourceError(
            "%s, which cannot travel as source; define it at the top level of a module, or "
            "install cloudpickle (pip install cloudpickle) so that it travels pickled" % (why,)
        ) from None
    import base64
    import keyword

    module = sys.modules.get(fn.__module__)
    by_value = (module is not None and fn.__module__ != "__main__"
                and hasattr(cloudpickle, "register_pickle_by_value")
                and not _is_client_module(fn.__module__))
    if by_value:
        cloudpickle.register_pickle_by_value(module)
    try:
        data = cloudpickle.dumps(fn, protocol=4)
    except Exception as error:
        raise SourceError("%s; cloudpickle cannot pickle it either: %s: %s"
                          % (why, type(error).__name__, error)) from None
    finally:
        if by_value:
            cloudpickle.unregister_pickle_by_value(module)
    name = fn.__name__
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_batch_executor"):
        name = "pickled_function"
    major = cloudpickle.__version__.split(".")[0]
    source = (
        "import base64\n"
        "import cloudpickle\n\n"
        "# %s travels pickled with cloudpickle %s (its source cannot travel)\n"
        "_batch_executor_function = cloudpickle.loads(base64.b64decode(\n    %r))\n\n\n"
        "def %s(*args, **kwargs):\n"
        "    return _batch_executor_function(*args, **kwargs)\n"
        % (fn.__qualname__, cloudpickle.__version__, base64.b64encode(data).decode("ascii"), name)
    )
    return Sliced(source, name, module, ["cloudpickle>=%s,<%d" % (major, int(major) + 1)])


def _picklable(error):
    """Marks a SourceError that cloudpickle can get round."""
    error.picklable = True
    return error


def _slice(fn):
    name = fn.__name__
    module = sys.modules.get(fn.__module__)
    filename = fn.__code__.co_filename
    lines = linecache.getlines(filename, fn.__globals__)
    module_file = getattr(module, "__file__", None) if module is not None else None
    if lines and module_file and _same_file(filename, module_file):
        text = "".join(lines)
        try:
            tree = ast.parse(text, filename)
        except SyntaxError:
            tree = None
        if tree is not None:
            node = _find_def(tree, fn)
            if node is not None and node in tree.body:
                slicer = ModuleSlicer(text, tree, filename, fn.__globals__)
                return Sliced(slicer.slice(node), name, module)
    return Sliced(GlobalsSlicer(fn).slice(), name, module)


def lattice_source(fn):
    """The source of the module slice around ``fn`` (a sublattice's function, or the electron a
    lattice wraps) that builds its graph in a task: as ``function_source``'s, but keeping the
    client's imports and decorators, which the client sent along serves there (sublattice.py).
    Only a function defined at the top level of a module file has one; else a SourceError."""
    fn = inspect.unwrap(getattr(fn, "function", fn))
    if not isinstance(fn, types.FunctionType):
        raise SourceError("%r is not a Python function defined with def" % (fn,))
    module = sys.modules.get(fn.__module__)
    filename = fn.__code__.co_filename
    lines = linecache.getlines(filename, fn.__globals__)
    module_file = getattr(module, "__file__", None) if module is not None else None
    if lines and module_file and _same_file(filename, module_file):
        text = "".join(lines)
        tree = ast.parse(text, filename)
        node = _find_def(tree, fn)
        if node is not None and node in tree.body:
            slicer = ModuleSlicer(text, tree, filename, fn.__globals__, keep_client=True)
            return Sliced(slicer.slice(node), fn.__name__, module)
    raise SourceError(
        "sublattice %s: its graph is built in a task from its module's source, and only a "
        "function defined at the top level of a module file has one; define it there"
        % (fn.__qualname__,))


def _same_file(a, b):
    import os

    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _find_def(tree, fn):
    """The def of ``fn`` in ``tree``: its name, at the line where its code starts (or the only def
    of that name)."""
    first = fn.__code__.co_firstlineno
    candidates = [
        node
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == fn.__name__
    ]
    for node in candidates:
        if first in {node.lineno} | {d.lineno for d in node.decorator_list}:
            return node
    return candidates[0] if len(candidates) == 1 else None


def _is_client_module(name):
    return name == CLIENT_PACKAGE or name.startswith(CLIENT_PACKAGE + ".")


def _root_name(expr):
    """The name a decorator expression starts from: ``ct`` of ``@ct.electron(executor=x)``."""
    while True:
        if isinstance(expr, ast.Call):
            expr = expr.func
        elif isinstance(expr, ast.Attribute):
            expr = expr.value
        elif isinstance(expr, ast.Subscript):
            expr = expr.value
        else:
            break
    return expr.id if isinstance(expr, ast.Name) else None


def _global_names(source, filename="<source>"):
    """The names ``source`` (a module) reads from its global scope, found with symtable."""
    try:
        table = symtable.symtable(source, filename, "exec")
    except SyntaxError as error:
        raise SourceError("cannot analyse the source of %s: %s" % (filename, error))
    names = set()

    def visit(t, top):
        for symbol in t.get_symbols():
            if not symbol.is_referenced():
                continue
            if top or symbol.is_global() or (
                t.get_type() == "class" and not symbol.is_local() and not symbol.is_free()
            ):
                names.add(symbol.get_name())
        for child in t.get_children():
            visit(child, False)

    visit(table, True)
    return names


def _bound_names(stmt):
    """The global names a top-level statement binds (descending into if/try/with/for blocks, not
    into function or class bodies)."""
    names = set()

    def targets(t):
        if isinstance(t, ast.Name):
            names.add(t.id)
        elif isinstance(t, (ast.Tuple, ast.List)):
            for e in t.elts:
                targets(e)
        elif isinstance(t, ast.Starred):
            targets(t.value)

    def visit(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name != "*":
                    names.add(alias.asname or alias.name.split(".")[0])
            return
        if isinstance(node, ast.Assign):
            for t in node.targets:
                targets(t)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.For, ast.AsyncFor)):
            targets(node.target)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if item.optional_vars is not None:
                    targets(item.optional_vars)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.stmt, ast.ExceptHandler)):
                visit(child)
            elif isinstance(child, ast.expr):
                for n in ast.walk(child):
                    if isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name):
                        names.add(n.target.id)

    visit(stmt)
    return names


def _client_imports(stmt):
    """The names that imports of the client bind in a top-level statement (also inside if/try)."""
    names = set()
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return names
    for node in ast.walk(stmt):
        if isinstance(node, ast.ImportFrom) and stmt_level_client(node):
            names |= _bound_names(node)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _is_client_module(alias.name):
                    names.add(alias.asname or alias.name.split(".")[0])
    return names


def _is_main_guard(stmt):
    """``if __name__ == "__main__":``"""
    if not isinstance(stmt, ast.If):
        return False
    test = stmt.test
    return (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Eq)
        and {_const_or_name(test.left), _const_or_name(test.comparators[0])}
        == {"name:__name__", "const:__main__"}
    )


def _const_or_name(expr):
    if isinstance(expr, ast.Name):
        return "name:" + expr.id
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return "const:" + expr.value
    return None


def _import_text(stmt, keep, package=None, keep_client=False):
    """An import statement with only the names in ``keep`` and never the client (unless
    ``keep_client``) (rebuilt from its parts); a relative import made absolute with ``package``,
    as there is no package where the task runs."""
    aliases = []
    for alias in stmt.names:
        bound = alias.asname or alias.name.split(".")[0]
        if isinstance(stmt, ast.Import) and _is_client_module(alias.name) and not keep_client:
            continue
        if alias.name == "*" or bound in keep:
            aliases.append(alias.name + (" as " + alias.asname if alias.asname else ""))
    if not aliases:
        return None
    if isinstance(stmt, ast.Import):
        return "import " + ", ".join(aliases)
    module = "." * stmt.level + (stmt.module or "")
    if stmt.level and package:
        try:
            module = importlib.util.resolve_name(module, package)
        except (ImportError, ValueError):
            pass
    return "from %s import %s" % (module, ", ".join(aliases))


class ModuleSlicer:
    """Slices a module file's source around one of its top-level functions. With ``keep_client``
    (a sublattice, whose graph is built in its task by the client sent along, sublattice.py) the
    client's imports and decorators stay, and the other imports may fail there (``try``)."""

    def __init__(self, text, tree, filename, module_globals=None, keep_client=False):
        self.keep_client = keep_client
        self.text = text
        self.tree = tree
        self.filename = filename
        self.globals = module_globals or {}
        self.package = self.globals.get("__package__")
        self.client_names = set()
        self.future = []
        self.bindings = {}  # name -> indices of the top-level statements that bind it
        self.star_imports = []
        for index, stmt in enumerate(tree.body):
            if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
                self.future.append(index)
                continue
            self.client_names |= _client_imports(stmt)
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                module = stmt.module if isinstance(stmt, ast.ImportFrom) else None
                if stmt_level_client(stmt) and not keep_client:
                    continue
                if any(a.name == "*" for a in stmt.names) and not (module and _is_client_module(module)):
                    self.star_imports.append(index)
            if _is_main_guard(stmt):
                continue
            for name in _bound_names(stmt):
                self.bindings.setdefault(name, []).append(index)

    def is_client(self, decorator):
        """Whether a decorator is the client's (``@ct.electron``, ``@lattice(...)``)."""
        root = _root_name(decorator)
        if self.keep_client:
            return False
        return root is not None and (
            root in self.client_names or _is_client_object(self.globals.get(root))
        )

    def segment(self, node):
        return ast.get_source_segment(self.text, node)

    def statement_text(self, stmt, keep):
        """What of a top-level statement travels: a def or class without the client's decorators,
        an import with only the names needed, anything else as written."""
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            return _import_text(stmt, keep, self.package, self.keep_client)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            decorators = [
                "@" + self.segment(d) for d in stmt.decorator_list if not self.is_client(d)
            ]
            body = self.segment(stmt)
            # the statement's segment starts at "def"/"class" (Python 3.8+)
            return "\n".join(decorators + [body])
        return self.segment(stmt)

    def slice(self, target):
        index_of = {id(stmt): i for i, stmt in enumerate(self.tree.body)}
        included = {index_of[id(target)]}
        texts = {}
        needed = set()
        work = [index_of[id(target)]]
        unresolved = set()
        while work:
            index = work.pop()
            stmt = self.tree.body[index]
            text = self.statement_text(stmt, _bound_names(stmt))
            texts[index] = text
            if text is None:
                continue
            for name in _global_names(text, self.filename):
                if name in needed:
                    continue
                needed.add(name)
                if name in self.client_names and not self.keep_client:
                    raise SourceError(
                        "%s in %s uses %r, the batch_executor client, which does not travel with "
                        "the task" % (_what(target), self.filename, name)
                    )
                for i in self.bindings.get(name, ()):
                    if i not in included:
                        included.add(i)
                        work.append(i)
                if name not in self.bindings and name not in _BUILTINS:
                    unresolved.add(name)
        if unresolved:
            for i in self.star_imports:
                included.add(i)
        parts = [self.segment(self.tree.body[i]) for i in self.future]
        for i in sorted(included):
            stmt = self.tree.body[i]
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                text = _import_text(stmt, needed, self.package, self.keep_client)
                if text and self.keep_client and not stmt_level_client(stmt):
                    # what only the sublattice's electrons use need not be installed where its
                    # graph is built: their sources are sliced from this text, never run there
                    text = "try:\n    %s\nexcept ImportError:\n    pass" % text
            else:
                text = texts.get(i) or self.statement_text(stmt, needed)
            if text:
                parts.append(text)
        return "\n\n".join(parts) + "\n"


def stmt_level_client(stmt):
    """Whether an import statement imports the client itself."""
    if isinstance(stmt, ast.ImportFrom):
        return stmt.level == 0 and stmt.module is not None and _is_client_module(stmt.module)
    return all(_is_client_module(alias.name) for alias in stmt.names)


def _what(node):
    return "function %s" % node.name if hasattr(node, "name") else "the source"


def _is_literal(value, depth=0):
    if depth > 50:
        return False
    if value is None or isinstance(value, (bool, int, str, bytes)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if type(value) in (list, tuple, set, frozenset):
        return all(_is_literal(v, depth + 1) for v in value)
    if type(value) is dict:
        return all(_is_literal(k, depth + 1) and _is_literal(v, depth + 1) for k, v in value.items())
    return False


def _is_client_object(value):
    if isinstance(value, types.ModuleType):
        return _is_client_module(value.__name__)
    module = getattr(value, "__module__", None)
    if isinstance(module, str) and _is_client_module(module):
        return True
    module = getattr(type(value), "__module__", None)
    return isinstance(module, str) and _is_client_module(module)


def _class_source(cls):
    """The source of a class of a session without a module file (where inspect.getsource cannot
    find it): the class statement around one of its methods, in the cell the method came from."""
    for attribute in vars(cls).values():
        function = getattr(attribute, "__func__", attribute)
        if isinstance(attribute, property):
            function = attribute.fget
        code = getattr(function, "__code__", None)
        if code is None:
            continue
        lines = linecache.getlines(code.co_filename)
        if not lines:
            continue
        text = "".join(lines)
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ClassDef)
                and node.name == cls.__name__
                and node.lineno <= code.co_firstlineno <= node.end_lineno
            ):
                decorators = ["@" + ast.get_source_segment(text, d) for d in node.decorator_list]
                return textwrap.dedent("\n".join(decorators + [
                    " " * node.col_offset + ast.get_source_segment(text, node)]))
    return None


class GlobalsSlicer:
    """For a function whose module file cannot be read: its source from ``inspect.getsource`` and
    what it refers to from its globals — modules as imports, functions and classes of the same
    session as their source, those of importable modules as imports, plain literals as
    assignments."""

    def __init__(self, fn):
        self.fn = fn
        self.globals = fn.__globals__
        self.home = fn.__module__
        self.imports = []
        self.constants = []
        self.definitions = []  # dependencies first
        self.done = set()

    def source_of(self, obj, what):
        try:
            return textwrap.dedent(inspect.getsource(obj))
        except (OSError, TypeError) as error:
            if isinstance(obj, type):
                found = _class_source(obj)
                if found:
                    return found
            raise _picklable(SourceError(
                "cannot find the source of %s (defined in %s): %s. Functions typed into an "
                "interactive interpreter have none; define them in a file or a notebook cell"
                % (what, getattr(getattr(obj, "__code__", None), "co_filename", "?"), error)
            ))

    def slice(self):
        name = self.fn.__name__
        self.add_definition(self.fn, name, "function %s" % self.fn.__qualname__)
        parts = []
        if self.imports:
            parts.append("\n".join(self.imports))
        if self.constants:
            parts.append("\n".join(self.constants))
        parts.extend(self.definitions)
        return "\n\n".join(parts) + "\n"

    def add_definition(self, obj, name, what):
        if name in self.done:
            return
        self.done.add(name)
        text = self.source_of(obj, what)
        try:
            tree = ast.parse(text)
        except SyntaxError as error:
            raise SourceError("cannot parse the source of %s: %s" % (what, error))
        node = tree.body[0] if tree.body else None
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            raise SourceError("the source found for %s is not its definition" % (what,))
        kept = []
        for d in node.decorator_list:
            root = _root_name(d)
            if root is not None and _is_client_object(self.globals.get(root)):
                continue
            kept.append("@" + ast.get_source_segment(text, d))
        definition = "\n".join(kept + [ast.get_source_segment(text, node)])
        for dependency in sorted(_global_names(definition, what)):
            if dependency != name:
                self.add_global(dependency, what)
        self.definitions.append(definition)

    def add_global(self, name, user):
        if name in self.done:
            return
        if name not in self.globals:
            self.done.add(name)
            return  # a builtin, or a NameError where it runs
        value = self.globals[name]
        if getattr(type(value), "_batch_executor_wraps", False):  # an @electron or @lattice
            value = value.function  # an electron called as a plain function where the task runs
        if _is_client_object(value):
            raise SourceError(
                "%s uses %r, the batch_executor client, which does not travel with the task"
                % (user, name)
            )
        if isinstance(value, types.ModuleType):
            self.done.add(name)
            real = value.__name__
            self.imports.append("import %s" % real if real == name else "import %s as %s" % (real, name))
            return
        if isinstance(value, (types.FunctionType, type)):
            module = getattr(value, "__module__", None)
            if module == self.home:
                self.add_definition(value, name, "%s %s" % (
                    "class" if isinstance(value, type) else "function", value.__qualname__))
                return
            self.done.add(name)
            qualname = getattr(value, "__qualname__", name)
            if module and "." not in qualname and "<" not in qualname:
                self.imports.append("from %s import %s%s" % (
                    module, qualname, "" if qualname == name else " as " + name))
                return
        elif _is_literal(value):
            self.done.add(name)
            self.constants.append("%s = %r" % (name, value))
            return
        kind = type(value)
        raise SourceError(
            "%s refers to %r, a %s.%s of this session, which cannot travel as source; pass it as "
            "an argument, or define it inside the function" % (user, name, kind.__module__, kind.__qualname__)
        )
