"""ct.wait and wait_for as the task's "after"; get_result's options skip the downloads they turn
off. Nothing is sent: the graph is built here, and results read from a recording client."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import batch_executor as ct  # noqa: E402
from batch_executor.covalent import _Graph  # noqa: E402
from batch_executor.results import Result  # noqa: E402


@ct.electron
def side_effect(n):
    return n


@ct.electron
def later(n):
    return n + 1


@ct.lattice
def waits():
    first = side_effect(1)
    second = side_effect(2)
    third = later(3).wait_for([first, second])
    fourth = ct.wait(later(4), first)
    return [third, fourth]


def built(lattice):
    graph = _Graph(lattice)
    body, _ = graph.build((), {})
    return graph, body


class WaitTest(unittest.TestCase):
    def test_wait_for_and_wait_make_the_tasks_after_and_add_no_node(self):
        graph, body = built(waits)
        tasks = body["tasks"]
        self.assertEqual(tasks["later"]["after"], ["side_effect", "side_effect-2"])
        self.assertEqual(tasks["later-2"]["after"], ["side_effect"])
        self.assertNotIn("after", tasks["side_effect"])
        self.assertEqual(tasks["later"]["args"], [3])
        names = [n["name"] for n in graph.table.nodes]
        self.assertEqual(names[:8], ["side_effect", ":parameter:1", "side_effect", ":parameter:2",
                                     "later", ":parameter:3", "later", ":parameter:4"])

    def test_outside_a_lattice_wait_returns_the_child(self):
        self.assertEqual(ct.wait(5, [1, 2]), 5)

    def test_wait_for_takes_only_results_of_electrons(self):
        @ct.lattice
        def wrong():
            return later(1).wait_for([2])

        with self.assertRaises(TypeError):
            built(wrong)


class RecordingClient:
    """Answers a task's reads as the service would, and records every path asked for."""

    timeout = 1

    def __init__(self):
        self.paths = []

    def request(self, method, path, query=None, accept=None, **_):
        self.paths.append(path + ("?stream=" + query["stream"] if query and "stream" in query else ""))
        if path.endswith("/result"):
            return 42
        if path.endswith("/events"):
            return []
        if path.endswith("/logs"):
            return "out\n"
        return {"id": path.rsplit("/", 1)[-1], "status": "SUCCEEDED",
                "created_at": "2026-12-06T10:00:00Z", "finished_at": "2026-12-06T10:00:09Z"}


WORKFLOW = {
    "id": "0b4a9a34-0000-0000-0000-000000000000", "name": "w", "status": "SUCCEEDED",
    "created_at": "2026-12-06T10:00:00Z", "finished_at": "2026-12-06T10:00:09Z",
    "tasks": {"add": {"id": "t-add", "name": "add(0)", "status": "SUCCEEDED"},
              "lattice.result": {"id": "t-out", "name": ":postprocess:reconstruct(1)",
                                 "status": "SUCCEEDED"}},
}


class GetResultOptionsTest(unittest.TestCase):
    def result(self, **options):
        client = RecordingClient()
        result = Result(client, WORKFLOW, graph=None, **options)
        return client, result

    def test_by_default_the_output_is_read_and_the_nodes_outputs_when_asked(self):
        client, result = self.result()
        self.assertEqual(result.result, 42)
        self.assertIn("/api/v1/tasks/t-out/result", client.paths)
        self.assertEqual(result.get_node_result(0)["output"], 42)
        self.assertIn("/api/v1/tasks/t-add/result", client.paths)

    def test_without_the_workflow_output_its_result_is_never_downloaded(self):
        client, result = self.result(workflow_output=False)
        self.assertIsNone(result.result)
        self.assertNotIn("/api/v1/tasks/t-out/result", client.paths)

    def test_without_intermediate_outputs_no_nodes_output_is_downloaded(self):
        client, result = self.result(intermediate_outputs=False)
        self.assertEqual(result.result, 42)
        self.assertIsNone(result.get_node_result(0)["output"])
        self.assertEqual(result.get_all_node_outputs()["add(0)"], None)
        self.assertNotIn("/api/v1/tasks/t-add/result", client.paths)

    def test_the_signature_is_covalents(self):
        import inspect

        parameters = inspect.signature(ct.get_result).parameters
        self.assertEqual(list(parameters)[:4], ["dispatch_id", "wait", "dispatcher_addr",
                                                "status_only"])
        for name, default in (("wait", False), ("status_only", False), ("workflow_output", True),
                              ("intermediate_outputs", True), ("sublattice_results", True),
                              ("qelectron_db", False), ("results_dir", None)):
            self.assertEqual(parameters[name].default, default, name)
        for name in ("workflow_output", "intermediate_outputs", "sublattice_results"):
            self.assertEqual(parameters[name].kind, inspect.Parameter.KEYWORD_ONLY, name)


if __name__ == "__main__":
    unittest.main()
