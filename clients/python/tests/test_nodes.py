"""Node ids as Covalent numbers them, node results computed here, values JSON cannot carry and the
generated wrapper that runs hooks — all without a service."""

import os
import sys
import tempfile
import types
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import batch_executor as ct  # noqa: E402
import sample_lattice as s  # noqa: E402
from batch_executor import hooks, nodes, values  # noqa: E402
from batch_executor.covalent import _Graph  # noqa: E402
from batch_executor.results import Result  # noqa: E402


def built(lattice, *args, **kwargs):
    graph = _Graph(lattice)
    body, _ = graph.build(args, kwargs)
    return graph, body


def run_task(task):
    """Runs a task's generated source here as the runner would: a module, its function called."""
    module = types.ModuleType("__batch_executor_task_test__")
    sys.modules[module.__name__] = module
    try:
        exec(compile(task["function"]["source"], "<task>", "exec"), module.__dict__)
        return getattr(module, task["function"]["name"])(*task["args"], **task.get("kwargs", {}))
    finally:
        del sys.modules[module.__name__]


@ct.electron
def collect(values, options):
    return [values, options]


@ct.lattice
def collections(x):
    return collect([x, s.add(x, 1)], {"k": 2})


@ct.electron
def echo(value):
    return value


@ct.lattice
def odd_values():
    return echo((1, 2)), echo({1: "one"}), echo({3, 4})


def prepare(prefix):
    return prefix + "-ready"


def after(path):
    with open(path, "a") as f:
        f.write("after\n")


class NumberingTest(unittest.TestCase):
    def test_an_electron_call_adds_its_node_then_its_parameters(self):
        # covalent/_workflow/electron.py: __call__ adds the electron's node, then
        # connect_node_with_others one node per argument, positional first
        graph, body = built(s.two_steps, 1, 2)
        names = [(n["id"], n["name"]) for n in graph.table.nodes]
        self.assertEqual(names, [(0, "add"), (1, ":parameter:1"), (2, ":parameter:2"),
                                 (3, "add"), (4, ":parameter:2"),
                                 (5, ":postprocess:reconstruct")])
        self.assertEqual([t["name"] for t in body["tasks"].values()],
                         ["add(0)", "add(3)", ":postprocess:reconstruct(5)"])

    def test_unpacking_and_operators_number_as_covalents_graph_does(self):
        # covalent tests/functional_tests/workflow_stack_test.py, test_two_iterations and
        # test_check_nodes: the node counts of the graphs built there
        @ct.electron
        def split(text, n):
            return text[:n], text[n:]

        @ct.lattice
        def midword(a, b, n):
            first, last = split(a, n)
            return first + b + last

        @ct.electron
        def identity(a):
            return a

        @ct.lattice
        def check(a, b):
            return identity(a=s.add(x=a, y=b))

        self.assertEqual(len(built(midword, "hello world", "beautiful", 6)[0].table.nodes), 11)
        self.assertEqual(len(built(check, 1, 2)[0].table.nodes), 5)

    def test_lists_and_dicts_are_collection_nodes_before_their_items(self):
        graph, _ = built(collections, 5)
        names = [n["name"] for n in graph.table.nodes]
        self.assertEqual(names, ["add", ":parameter:5", ":parameter:1", "collect",
                                 ":electron_list:", ":parameter:5", ":electron_dict:",
                                 ":parameter:2", ":postprocess:reconstruct"])
        self.assertEqual(graph.table.nodes[4]["items"], [5, 0])

    def test_operations_take_the_ids_of_covalents_get_item_get_attr_and_operator_electrons(self):
        graph, _ = built(s.operations, 1)
        names = [n["name"] for n in graph.table.nodes]
        self.assertEqual(names[:6], ["pair", ":parameter:1", ":pair()[0]", ":parameter:0",
                                     ":pair()[1]", ":parameter:1"])
        self.assertEqual(names[9:12], [":pair()[0]_*_10", ":parameter:10", "add"])
        self.assertEqual(names[15:17], [":point.__getattr__", ":parameter:x"])

    def test_a_keyword_a_call_before_fills_in_has_no_node(self):
        @ct.electron(call_before=[ct.DepsCall(prepare, args=["x"], retval_keyword="ready")])
        def uses(value, ready=None):
            return value, ready

        @ct.lattice
        def flow():
            return uses(1)

        graph, body = built(flow)
        self.assertEqual([n["name"] for n in graph.table.nodes], ["uses", ":parameter:1", ":postprocess:reconstruct"])
        self.assertEqual(run_task(body["tasks"]["uses"]), (1, "x-ready"))


class ResultTest(unittest.TestCase):
    def result_of(self, lattice, outputs, *args):
        graph, body = built(lattice, *args)
        tasks = {key: {"id": "t-" + key, "status": "SUCCEEDED", "name": task["name"]}
                 for key, task in body["tasks"].items()}
        workflow = {"id": "0f0e", "name": body["name"], "status": "SUCCEEDED", "tasks": tasks,
                    "created_at": "2026-12-06T10:00:00.5Z", "finished_at": "2026-12-06T10:01:00Z"}
        result = Result(None, workflow, fetch=False, graph=(graph.table, graph.inputs))
        for key, value in outputs.items():
            electron = result._electron(key)
            electron._fetched = True
            electron._result = value
        return result

    def test_outputs_of_every_node_keyed_as_covalent_keys_them(self):
        result = self.result_of(s.operations, {"pair": [1, 2], "pair-2": [2, 3],
                                               "point": s.Point(1, 2), "add": 12,
                                               "lattice.result": {"sum": 12}}, 1)
        outputs = result.get_all_node_outputs()
        self.assertEqual(outputs["pair(0)"], [1, 2])
        self.assertEqual(outputs[":parameter:1(1)"], 1)
        self.assertEqual(outputs[":pair()[1](4)"], 2)
        self.assertEqual(outputs[":pair()[0]_*_10(9)"], 10)
        self.assertEqual(outputs[":pair.__getitem__(12)"], [3])
        self.assertEqual(outputs[":point.__getattr__(15)"], 1)
        self.assertEqual(outputs["::pair.__getitem__.__neg__(19)"], -2)
        node = result.get_node_result(9)
        self.assertEqual((node["node_id"], node["status"], node["output"]), (9, "COMPLETED", 10))
        self.assertIsNone(node["sublattice_result"])
        self.assertEqual(result.lattice.transport_graph.get_node_value(1, "value"), 1)
        self.assertEqual(result.lattice.transport_graph.get_node_value(11, "name"), "add")
        self.assertEqual(result.inputs, {"args": (1,), "kwargs": {}})
        self.assertEqual(result.start_time.microsecond, 500000)
        self.assertEqual((result.end_time - result.start_time).total_seconds(), 59.5)
        self.assertEqual(result.get_node_result("add").node_id, 11)

    def test_another_process_finds_electron_ids_in_the_task_names(self):
        result = self.result_of(s.two_steps, {}, 1, 2)
        table = nodes.from_task_names(result.workflow["tasks"])
        self.assertEqual([n and (n["id"], n["key"]) for n in table.nodes],
                         [(0, "add"), None, None, (3, "add-2"), None, (5, "lattice.result")])

    def test_the_cache_file_gives_back_the_table_and_inputs(self):
        graph, _ = built(odd_values)
        with tempfile.TemporaryDirectory() as directory:
            os.environ["BATCH_EXECUTOR_CLIENT_CACHE"] = directory
            try:
                nodes.save("abc-1", graph.table, {"args": [(1, 2)], "kwargs": {}})
                table, inputs = nodes.load("abc-1")
            finally:
                del os.environ["BATCH_EXECUTOR_CLIENT_CACHE"]
        self.assertEqual(inputs, {"args": [(1, 2)], "kwargs": {}})
        self.assertEqual(table.nodes[1]["value"], (1, 2))
        self.assertEqual(table.nodes[6]["value"], {3, 4})
        self.assertEqual(table.nodes[3]["items"], [[1, 4]])


class _Handle:
    """A task handle's answers, as the service gives them."""

    info = None

    def refresh(self):
        self.info = {"created_at": "2026-12-06T10:00:00Z", "finished_at": "2026-12-06T10:00:09Z"}
        return self.info

    def events(self):
        return [{"at": "2026-12-06T10:00:00Z", "kind": "STATUS", "from_status": None,
                 "to_status": "WAITING"},
                {"at": "2026-12-06T10:00:04.25Z", "kind": "STATUS", "from_status": "QUEUED",
                 "to_status": "RUNNING"}]

    def logs(self, stream=None):
        return {None: "printed\nwarned\n", "stdout": "printed\n", "stderr": "warned\n"}[stream]


class ElectronTimesTest(unittest.TestCase):
    def test_a_node_starts_when_its_task_started_running(self):
        electron = ct.ElectronResult(None, "add", {"id": "t", "status": "SUCCEEDED"}, [], 0, "add")
        electron.handle = _Handle()
        electron._fetched, electron._result = True, 3

        node = electron.node_result()
        self.assertEqual(node["start_time"].isoformat(), "2026-12-06T10:00:04.250000+00:00")
        self.assertEqual(node["end_time"].isoformat(), "2026-12-06T10:00:09+00:00")
        self.assertEqual((node["output"], node["stdout"], node["stderr"]),
                         (3, "printed\n", "warned\n"))
        self.assertEqual(electron["node_name"], "add")


class _NothingApart(_Handle):
    """A task whose streams were not kept apart (it ended without a result)."""

    def logs(self, stream=None):
        return "all of it\n" if stream is None else None


class StreamsTest(unittest.TestCase):
    def test_without_streams_kept_apart_stdout_is_the_whole_output(self):
        electron = ct.ElectronResult(None, "add", {"id": "t", "status": "FAILED"}, [], 0, "add")
        electron.handle = _NothingApart()
        self.assertEqual((electron.stdout, electron.stderr), ("all of it\n", ""))


class ValuesTest(unittest.TestCase):
    def test_tuples_dicts_with_other_keys_and_sets_arrive_as_the_same_values(self):
        graph, body = built(odd_values)
        tasks = body["tasks"]
        self.assertEqual(tasks["echo"]["args"], [{values.TUPLE: [1, 2]}])
        self.assertEqual(tasks["echo-2"]["args"], [{values.DICT: [[1, "one"]]}])
        self.assertEqual(run_task(tasks["echo"]), (1, 2))
        self.assertEqual(run_task(tasks["echo-2"]), {1: "one"})
        self.assertEqual(run_task(tasks["echo-3"]), {3, 4})
        self.assertEqual(tasks["lattice.result"]["function"]["name"], hooks.WRAPPER)
        self.assertEqual(run_task(dict(tasks["lattice.result"], args=[{values.TUPLE: [1, 2, 3]}])),
                         (1, 2, 3))

    def test_a_task_without_such_values_is_sent_as_before(self):
        _, body = built(s.two_steps, 1, 2)
        self.assertEqual(body["tasks"]["add"]["function"]["name"], "add")


class HooksTest(unittest.TestCase):
    def test_bash_before_and_after_run_around_the_function(self):
        with tempfile.TemporaryDirectory() as directory:
            path = os.path.join(directory, "order")

            @ct.electron(deps_bash=ct.DepsBash(["echo bash >> %s" % path]),
                         call_after=ct.DepsCall(after, args=[path]))
            def main_step(p):
                with open(p, "a") as f:
                    f.write("function\n")
                return "done"

            @ct.lattice
            def flow():
                return main_step(path)

            task = built(flow)[1]["tasks"]["main_step"]
            self.assertEqual(run_task(task), "done")
            with open(path) as f:
                self.assertEqual(f.read(), "bash\nfunction\nafter\n")

    def test_a_failing_command_names_the_network_setting(self):
        @ct.electron(deps_bash="exit 3")
        def nothing():
            return 1

        @ct.lattice
        def flow():
            return nothing()

        with self.assertRaises(RuntimeError) as raised:
            run_task(built(flow)[1]["tasks"]["nothing"])
        self.assertIn("exited with status 3", str(raised.exception))
        self.assertIn("batch-executor.local.network", str(raised.exception))

    def test_the_lattices_hooks_are_those_of_electrons_that_set_none(self):
        @ct.lattice(deps_bash=["true"])
        def flow():
            return s.add(1, 2)

        task = built(flow)[1]["tasks"]["add"]
        self.assertEqual(task["function"]["name"], hooks.WRAPPER)
        self.assertEqual(run_task(task), 3)


if __name__ == "__main__":
    unittest.main()
