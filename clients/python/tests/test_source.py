"""The source slicer on its own: what travels with a function, and what never does."""

import linecache
import os
import sys
import types
import unittest

try:
    import cloudpickle
except ImportError:
    cloudpickle = None

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import batch_executor as ct  # noqa: E402
import slicer_sample  # noqa: E402
from slicer_sample import scale, score  # noqa: E402
from batch_executor.source import function_source  # noqa: E402


def run(sliced, *args):
    """Runs sliced source as the runner does: as a module of its own."""
    module = types.ModuleType("sliced_" + sliced.name)
    exec(compile(sliced.source, "<sliced>", "exec"), module.__dict__)
    return getattr(module, sliced.name)(*args)


class ModuleFileTest(unittest.TestCase):
    def test_the_function_travels_with_the_classes_functions_constants_and_imports_it_needs(self):
        sliced = function_source(slicer_sample.train)
        source = sliced.source

        self.assertEqual(sliced.name, "train")
        self.assertTrue(source.startswith("from __future__ import annotations\n"), source)
        for needed in ("from fractions import Fraction", "class Base:", "class Model(Base):",
                       "def scale(value):", "SCALE = 3", "def train(xs):"):
            self.assertIn(needed, source)
        self.assertLess(source.index("class Base"), source.index("class Model"))
        model = run(sliced, [1, 2, 3])
        self.assertEqual(model.predict(2), 12)

    def test_the_clients_decorators_and_imports_and_top_level_work_never_travel(self):
        source = function_source(slicer_sample.train).source

        for absent in ("@ct.", "executor", "batch_executor", "import os", "import math",
                       "print(", "__main__", "WORKING_DIR", "IMPORTED", "dispatch", "functools",
                       "fastjson", "def score", "def pipeline"):
            self.assertNotIn(absent, source)

    def test_a_function_that_does_not_use_a_class_does_not_carry_it(self):
        source = function_source(slicer_sample.score).source

        self.assertIn("def score(model, x):", source)
        self.assertNotIn("class Model", source)
        self.assertNotIn("Fraction", source)

    def test_only_the_imported_names_used_travel_and_other_decorators_stay(self):
        source = function_source(slicer_sample.root).source

        self.assertIn("import math as m\n", source)
        self.assertNotIn("os", source.replace("functools", ""))
        self.assertIn("@functools.lru_cache(maxsize=None)\ndef root(x):", source)
        self.assertIn("import functools", source)
        self.assertEqual(run(function_source(slicer_sample.root), 16.0), 4.0)

    def test_a_guarded_import_travels_whole(self):
        sliced = function_source(slicer_sample.encode)

        self.assertIn("except ImportError:\n    fastjson = None", sliced.source)
        self.assertEqual(run(sliced, 1), "plain")

    def test_local_names_that_shadow_globals_pull_nothing_in(self):
        source = function_source(slicer_sample.shadowing).source

        self.assertNotIn("SCALE = 3", source)
        self.assertNotIn("def scale", source)

    def test_the_source_of_a_plain_function_and_of_an_electron_is_the_same(self):
        self.assertEqual(function_source(slicer_sample.train).source,
                         function_source(slicer_sample.train.function).source)
        self.assertIs(function_source(slicer_sample.train).module, slicer_sample)


class PackageTest(unittest.TestCase):
    def test_relative_imports_become_absolute_and_the_client_is_left_out_of_a_mixed_import(self):
        from sample_package import flows

        sliced = function_source(flows.relative)

        self.assertIn("import os\n", sliced.source)
        self.assertNotIn("batch_executor", sliced.source)
        self.assertIn("from sample_package import helpers\n", sliced.source)
        self.assertIn("from sample_package.helpers import double as twice\n", sliced.source)
        self.assertEqual(run(sliced, 2), 9)

    def test_a_function_that_uses_the_client_itself_is_refused_naming_it(self):
        from sample_package import flows

        with self.assertRaises(ct.SourceError) as raised:
            function_source(flows.uses_the_client)
        self.assertIn("uses 'ct', the batch_executor client", str(raised.exception))


class NestedTest(unittest.TestCase):
    def test_a_function_defined_in_a_function_takes_what_it_uses_from_its_globals(self):
        def nested(model, x):
            return score(model, x) + scale(x)

        sliced = function_source(nested)

        self.assertIn("from slicer_sample import score\n", sliced.source)
        self.assertIn("from slicer_sample import scale\n", sliced.source)
        self.assertIn("def nested(model, x):\n    return score(model, x) + scale(x)",
                      sliced.source)


class NotebookTest(unittest.TestCase):
    """A function of a notebook or IPython session: its source from inspect.getsource (the cells
    are in linecache), what it uses from the session's globals."""

    def cell(self, namespace, number, code):
        filename = "<ipython-input-%d-cell>" % number
        linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
        self.addCleanup(linecache.cache.pop, filename, None)
        exec(compile(code, filename, "exec"), namespace)

    def session(self):
        module = types.ModuleType("notebook_session")
        sys.modules[module.__name__] = module
        self.addCleanup(sys.modules.pop, module.__name__, None)
        namespace = module.__dict__
        self.cell(namespace, 1, "import batch_executor as ct\nimport statistics as st\n"
                                "OFFSET = 10\nLABELS = {'a': (1, 2)}\n")
        self.cell(namespace, 2, "class Point:\n    def __init__(self, x):\n        self.x = x\n")
        self.cell(namespace, 3, "def helper(p):\n    return p.x + OFFSET\n")
        self.cell(namespace, 4, "@ct.electron\ndef f(xs):\n"
                                "    return helper(Point(st.mean(xs))), LABELS['a']\n")
        return namespace

    def test_functions_classes_modules_and_constants_of_the_session_travel(self):
        namespace = self.session()
        sliced = function_source(namespace["f"])

        self.assertNotIn("ct.", sliced.source)
        for needed in ("import statistics as st", "OFFSET = 10", "LABELS = {'a': (1, 2)}",
                       "class Point:", "def helper(p):", "def f(xs):"):
            self.assertIn(needed, sliced.source)
        self.assertEqual(run(sliced, [1, 3]), (12, (1, 2)))

    def test_a_value_of_the_session_that_is_no_literal_is_a_clear_error(self):
        namespace = self.session()
        self.cell(namespace, 5, "data = object()\n")
        self.cell(namespace, 6, "def g():\n    return data\n")

        with self.assertRaises(ct.SourceError) as raised:
            function_source(namespace["g"])
        self.assertIn("'data'", str(raised.exception))

    def test_a_function_without_source_is_a_clear_error(self):
        namespace = {"__name__": "__main__"}
        exec(compile("def typed_in():\n    return 1\n", "<stdin>", "exec"), namespace)

        if cloudpickle is not None:  # it travels pickled instead
            self.assertIn("cloudpickle.loads", function_source(namespace["typed_in"]).source)
            return
        with self.assertRaises(ct.SourceError) as raised:
            function_source(namespace["typed_in"])
        self.assertIn("cannot find the source of function typed_in", str(raised.exception))
        self.assertIn("pip install cloudpickle", str(raised.exception))


class RefusedTest(unittest.TestCase):
    def test_a_closure_and_a_lambda_travel_pickled_with_cloudpickle_else_a_clear_error(self):
        def outer():
            y = 1

            def inner():
                return y + 1

            return inner

        if cloudpickle is None:
            with self.assertRaises(ct.SourceError) as closure:
                function_source(outer())
            self.assertIn("'y'", str(closure.exception))
            self.assertIn("pip install cloudpickle", str(closure.exception))
            with self.assertRaises(ct.SourceError):
                function_source(lambda: 1)
            return
        sliced = function_source(outer())
        self.assertIn("cloudpickle.loads", sliced.source)
        self.assertEqual(sliced.requirements[0].split(">=")[0], "cloudpickle")
        namespace = {}
        exec(sliced.source, namespace)
        self.assertEqual(namespace[sliced.name](), 2)
        self.assertEqual(function_source(lambda: 1).name, "pickled_function")

    def test_a_builtin_is_a_clear_error(self):
        with self.assertRaises(ct.SourceError):
            function_source(len)


if __name__ == "__main__":
    unittest.main()
