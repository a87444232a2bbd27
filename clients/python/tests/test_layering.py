"""The client's modules import one another in layers: no module imports (at its top or inside a
function) one that imports it back, directly or through others."""

import ast
import os
import unittest

PACKAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "batch_executor")


def imports_of(path):
    """The package's modules that the module at ``path`` imports, anywhere in it."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read(), path)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level >= 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level >= 1:
                found.update(alias.name for alias in node.names)
            elif node.module and node.module.split(".")[0] == "batch_executor":
                parts = node.module.split(".")
                if len(parts) > 1:
                    found.add(parts[1])
                else:
                    found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "batch_executor" and len(parts) > 1:
                    found.add(parts[1])
    return found


def graph():
    modules = {name[:-3] for name in os.listdir(PACKAGE) if name.endswith(".py")}
    return {m: sorted(imports_of(os.path.join(PACKAGE, m + ".py")) & modules - {m})
            for m in sorted(modules)}


def circle(edges):
    """One import circle as the modules along it (the first repeated at the end), or None."""
    state = {}

    def visit(module, path):
        state[module] = 1
        path.append(module)
        for imported in edges.get(module, []):
            if state.get(imported) == 1:
                return path[path.index(imported):] + [imported]
            if imported not in state:
                found = visit(imported, path)
                if found:
                    return found
        path.pop()
        state[module] = 2
        return None

    for module in edges:
        if module not in state:
            found = visit(module, [])
            if found:
                return found
    return None


class LayeringTest(unittest.TestCase):
    def test_no_module_of_the_client_imports_one_that_imports_it_back(self):
        found = circle(graph())
        self.assertIsNone(found, "an import circle: %s" % " -> ".join(found or []))

    def test_a_circle_is_found_when_there_is_one(self):
        self.assertEqual(circle({"a": ["b"], "b": ["c"], "c": ["a"]}), ["a", "b", "c", "a"])
        self.assertIsNone(circle({"a": ["b"], "b": [], "c": ["a", "b"]}))

    def test_the_package_says_it_is_typed_and_ships_the_marker(self):
        self.assertTrue(os.path.isfile(os.path.join(PACKAGE, "py.typed")))
        with open(os.path.join(PACKAGE, "..", "pyproject.toml"), encoding="utf-8") as f:
            project = f.read()
        self.assertIn('batch_executor = ["py.typed"]', project)

    def test_the_version_has_one_source(self):
        import re

        import batch_executor

        with open(os.path.join(PACKAGE, "..", "pyproject.toml"), encoding="utf-8") as f:
            project = f.read()
        self.assertIn('dynamic = ["version"]', project)
        self.assertIn('version = {attr = "batch_executor.__version__"}', project)
        self.assertIsNone(re.search(r"(?m)^version\s*=\s*[\"']", project), "a second version")
        self.assertRegex(batch_executor.__version__, r"^\d+\.\d+\.\d+")


if __name__ == "__main__":
    unittest.main()
