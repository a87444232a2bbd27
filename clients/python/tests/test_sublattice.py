"""Sublattices without a service: ``ct.electron(lattice)`` is one task whose source carries the
client, builds the sublattice's graph in a clean interpreter (no batch_executor installed) with its
inputs' values and returns it as a SubWorkflow; a sub-workflow's tasks give the node's
``sublattice_result``."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import batch_executor as ct  # noqa: E402
import programs as p  # noqa: E402
from batch_executor import sublattice  # noqa: E402
from batch_executor.results import Result  # noqa: E402

#: What the runner gives task code, as far as these tasks use it.
STUB = ("class SubWorkflow(object):\n"
        "    def __init__(self, tasks, output, name=None):\n"
        "        self.tasks, self.output, self.name = tasks, output, name\n")

RUN = """
import json, sys, types
sys.path.insert(0, sys.argv[1])
source = open(sys.argv[2]).read()
module = types.ModuleType("__batch_executor_task_test__")
sys.modules[module.__name__] = module
exec(compile(source, "<task>", "exec"), module.__dict__)
args, kwargs = json.loads(sys.argv[4])
value = getattr(module, sys.argv[3])(*args, **kwargs)
if hasattr(value, "tasks"):
    value = {"tasks": value.tasks, "output": value.output, "name": value.name}
print("RESULT " + json.dumps(value))
"""


def run_task(task, args, kwargs=None):
    """Runs a task's source as the runner would, in an interpreter that cannot import the client
    (``-I``: no PYTHONPATH, no current directory); returns (value, stdout)."""
    with tempfile.TemporaryDirectory() as directory:
        with open(os.path.join(directory, "batch_executor_task.py"), "w") as f:
            f.write(STUB)
        with open(os.path.join(directory, "task.py"), "w") as f:
            f.write(task["function"]["source"])
        done = subprocess.run(
            [sys.executable, "-I", "-c", RUN, directory, os.path.join(directory, "task.py"),
             task["function"]["name"], json.dumps([args, kwargs or {}])],
            cwd=directory, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    if done.returncode != 0:
        raise AssertionError(done.stderr)
    lines = done.stdout.splitlines()
    return json.loads(lines[-1][len("RESULT "):]), "\n".join(lines[:-1])


class SublatticeTaskTest(unittest.TestCase):
    def test_a_sublattice_is_one_task_named_as_covalent_names_its_node(self):
        body = p.dynamic.build_graph(2)[0]
        self.assertEqual(list(body["tasks"]), ["count_for", "grow_or_shrink", "count_for-2",
                                               "grow_or_shrink-2", "lattice.result"])
        task = body["tasks"]["grow_or_shrink"]
        self.assertEqual(task["name"], ":sublattice:grow_or_shrink(2)")
        self.assertEqual(task["function"]["name"], sublattice.FUNCTION)
        self.assertEqual(task["args"], [2, {"$task": "count_for"}])

    def test_its_graph_is_built_where_it_runs_with_its_inputs_values(self):
        task = p.dynamic.build_graph(2)[0]["tasks"]["grow_or_shrink"]
        small, printed = run_task(task, [2, 3])
        self.assertEqual(small["output"], {"$task": "lattice.result"})
        self.assertEqual(small["name"], "grow_or_shrink")
        keys = ["square_of", "square_of-2", "square_of-3"]
        self.assertEqual(list(small["tasks"]), keys + ["totalled", "lattice.result"])
        self.assertEqual([small["tasks"][k]["args"] for k in keys], [[0], [1], [2]])
        self.assertIn(sublattice.NODES, printed)
        large, _ = run_task(task, [9, 3])
        self.assertEqual(list(large["tasks"]), ["negated", "totalled", "lattice.result"])
        # its electrons travel as any electron does: their source without the client
        self.assertNotIn("ct.electron", large["tasks"]["negated"]["function"]["source"])
        self.assertEqual(run_task(large["tasks"]["negated"], [9])[0], -9)

    def test_a_sublattice_in_a_sublattice_carries_the_client_on(self):
        task = p.nested_sublattices.build_graph([1, 2])[0]["tasks"]["inflate_twice"]
        outer, _ = run_task(task, [[1, 2]])
        self.assertEqual(outer["tasks"]["inflate-2"]["args"], [{"$task": "inflate"}])
        inner, _ = run_task(outer["tasks"]["inflate"], [[1, 2]])
        self.assertEqual([inner["tasks"][k]["args"] for k in ("square_of", "square_of-2")],
                         [[1], [2]])

    def test_a_lattice_made_by_a_call_is_a_sublattice_too(self):
        task = p.sublatticing.build_graph(1, 2)[0]["tasks"]["summed_ab"]
        self.assertEqual(task["name"], ":sublattice:summed_ab(0)")
        built, _ = run_task(task, [], {"a": 1, "b": 2})
        self.assertEqual(list(built["tasks"]), ["summed_ab", "lattice.result"])
        self.assertEqual(built["tasks"]["summed_ab"]["kwargs"], {"a": 1, "b": 2})

    def test_its_own_deps_bash_runs_where_its_graph_is_built(self):
        @ct.lattice
        def flow(n):
            return ct.electron(p.inflate, deps_bash="echo prepared")([n])

        task = flow.build_graph(3)[0]["tasks"]["inflate"]
        built, printed = run_task(task, [[3]])
        self.assertIn("prepared", printed)
        self.assertEqual(built["tasks"]["square_of"]["args"], [3])

    def test_its_own_settings_choose_its_image(self):
        @ct.lattice
        def flow(n):
            return ct.electron(p.inflate, deps_pip=["tabulate==0.9.0"])([n])

        task = flow.build_graph(3)[0]["tasks"]["inflate"]
        self.assertEqual(task["image"], {"requirements": ["tabulate==0.9.0"]})

    def test_outside_a_lattice_a_sublattice_is_a_plain_call(self):
        self.assertEqual(p.grow_or_shrink(2, 3), 5)
        self.assertEqual(p.grow_or_shrink(9, 3), -9)

    def test_a_sublattice_defined_in_a_function_is_refused_naming_why(self):
        @ct.lattice
        def local(x):
            return p.squared(x)

        @ct.lattice
        def flow(x):
            return ct.electron(local)(x)

        with self.assertRaises(ct.SourceError) as refused:
            flow.build_graph(1)
        self.assertIn("top level of a module file", str(refused.exception))


class _Logs:
    def __init__(self, stdout):
        self.stdout = stdout

    def logs(self, stream=None):
        return self.stdout


class SublatticeResultTest(unittest.TestCase):
    def test_the_sub_workflows_tasks_make_the_nodes_sublattice_result(self):
        graph = ct.covalent._Graph(p.dynamic)
        body, _ = graph.build((2,), {})
        tasks = {key: {"id": "t-" + key, "status": "SUCCEEDED", "name": task["name"]}
                 for key, task in body["tasks"].items()}
        inner = {"squared": "squared(0)", "totalled": "totalled(2)",
                 "lattice.result": ":postprocess:reconstruct(3)"}
        for key, name in inner.items():
            tasks["grow_or_shrink/" + key] = {"id": "t-s-" + key, "status": "SUCCEEDED",
                                              "name": name}
        workflow = {"id": "0f0e", "name": "dynamic", "status": "SUCCEEDED", "tasks": tasks,
                    "created_at": "2026-12-06T10:00:00Z", "finished_at": "2026-12-06T10:01:00Z"}
        result = Result(None, workflow, fetch=False, graph=(graph.table, graph.inputs))
        self.assertEqual(sorted(result.electrons), ["count_for", "count_for-2", "grow_or_shrink",
                                                    "grow_or_shrink-2"])
        node = result.get_node_result("grow_or_shrink")
        table = [{"kind": "electron", "name": "squared", "key": "squared", "id": 0},
                 {"kind": "parameter", "name": ":parameter:0", "value": 0, "id": 1},
                 {"kind": "electron", "name": "totalled", "key": "totalled", "id": 2},
                 {"kind": "electron", "name": ":postprocess:reconstruct",
                  "key": "lattice.result", "id": 3}]
        node.handle = _Logs("building\n" + sublattice.NODES + json.dumps(table) + "\n")
        sub = node.sublattice_result
        self.assertEqual((sub.dispatch_id, sub.lattice_name, sub.status),
                         ("0f0e/grow_or_shrink", "grow_or_shrink", ct.Result.COMPLETED))
        self.assertEqual(sorted(sub.electrons), ["squared", "totalled"])
        self.assertEqual(sub.get_node_result(1)["output"], 0)  # a parameter node: from stdout
        self.assertEqual(node.stdout, "building\n")
        self.assertEqual(result.get_node_result("grow_or_shrink-2").sublattice_result.electrons,
                         {})  # its view holds none of its tasks
        self.assertIsNone(result.get_node_result("count_for").sublattice_result)
        off = Result(None, workflow, fetch=False, graph=(graph.table, graph.inputs),
                     sublattice_results=False)
        self.assertIsNone(off.get_node_result("grow_or_shrink").sublattice_result)


if __name__ == "__main__":
    unittest.main()
