"""The programs of programs.py, modelled on Covalent's functional tests and how-to guides,
dispatched to a running service; each test checks what the Covalent test it follows checks (the
path of that test is named), or says where this service differs. PythonClientIT runs them."""

import datetime
import os
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import batch_executor as ct  # noqa: E402
import programs as p  # noqa: E402
from batch_executor.sublattice import NODES as NODES_LINE  # noqa: E402

URL = os.environ.get("BATCH_EXECUTOR_URL")
WAIT = 300  # seconds a dispatch may take at most: all are sent at once and share the machine

#: Every program, dispatched at once in setUpClass so that they run side by side.
DISPATCHES = {
    "two_prefixes": (p.two_prefixes, (), {"name": "q"}),
    "greeting": (p.greeting, ("Hello", "World"), {}),
    "arithmetic": (p.arithmetic, (2, 4), {}),
    "nested_iterables": (p.nested_iterables, (), {}),
    "positional_and_keywords": (p.positional_and_keywords, (1, 2), {"c": 3}),
    "with_deps_bash": (p.with_deps_bash, (), {"x": 5}),
    "with_call_before_and_after": (p.with_call_before_and_after, (p.NOTE,), {}),
    "injected_value": (p.injected_value, (2,), {}),
    "injected_values": (p.injected_values, (), {}),
    "every_kind_of_argument": (p.every_kind_of_argument, (1, 2, 3, 4), {"c": 5, "d": 6, "e": 7}),
    "leaf_failure": (p.leaf_failure, (), {}),
    "printing": (p.printing, (1, 2), {}),
    "items_of_a_result": (p.items_of_a_result, (), {}),
    "greetings_workflow": (p.greetings_workflow, (), {}),
    "deps_workflow": (p.deps_workflow, (), {}),
    "reports_errors": (p.reports_errors, (), {}),
    "goes_on_after_a_failure": (p.goes_on_after_a_failure, (1,), {}),
    "granular": (p.granular, (), {"a": 1, "b": 2}),
    "add_multiply": (p.add_multiply, (), {"x": 2, "y": 3}),
    "waits_for_one": (p.waits_for_one, (), {}),
    "waits_for_several": (p.waits_for_several, (), {}),
    "waits_with_ct_wait": (p.waits_with_ct_wait, (), {}),
    "intermediate_failure": (p.intermediate_failure, (5,), {}),
    "electron_takes_positional": (p.electron_takes_positional, (), {"a": 1, "b": 2}),
    "lattice_takes_positional": (p.lattice_takes_positional, (1, 2), {}),
    "redispatched": (p.redispatched, (1, 2), {}),
    "sublatticing": (p.sublatticing, (1, 2), {}),
    "dynamic": (p.dynamic, (2,), {}),
    "nested_sublattices": (p.nested_sublattices, ([1, 2],), {}),
    "transfer_before": (p.transfer_before, (), {}),
    "transfer_after": (p.transfer_after, (), {}),
    "transfer_with_kwargs": (p.transfer_with_kwargs, (), {}),
    "my_workflow": (p.my_workflow, (), {}),
}


@unittest.skipUnless(URL, "needs a running service: set BATCH_EXECUTOR_URL and "
                          "BATCH_EXECUTOR_TOKEN (PythonClientIT starts one)")
class CovalentProgramsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ids = {name: ct.dispatch(lattice)(*args, **kwargs)
                   for name, (lattice, args, kwargs) in DISPATCHES.items()}

    def result(self, name, **options):
        return ct.get_result(self.ids[name], wait=True, timeout=WAIT, **options)

    # tests/functional_tests/basic_dispatcher_test.py (test_dispatcher_functional)
    def test_basic_dispatcher(self):
        self.assertEqual(self.result("two_prefixes").result, "aqbq")
        with self.assertRaises(RuntimeError):
            ct.dispatch(p.raises_while_built)("z")

    # tests/functional_tests/qa_basic_workflow_test.py
    def test_qa_basic_workflow(self):
        result = self.result("greeting")
        self.assertEqual(result.result, "Hello, World!")
        self.assertEqual(result.status, "COMPLETED")

    # tests/functional_tests/electron_return_value_test.py (arithmetic, reversed, two results)
    def test_electron_return_values(self):
        self.assertEqual(self.result("arithmetic").result,
                         [3, 1, 2, 2.0, 3, -1, 2, 0.5, 6, -2, 8, 0.5])

    # tests/functional_tests/workflow_stack_test.py (test_electron_takes_nested_iterables)
    def test_nested_iterables(self):
        self.assertEqual(self.result("nested_iterables").result, [[0, 1], [2, 3]])

    # tests/functional_tests/workflow_stack_test.py (test_positional_args_integration)
    def test_positional_and_keyword_arguments(self):
        self.assertEqual(self.result("positional_and_keywords").result, 15)

    # tests/functional_tests/workflow_stack_test.py (test_electron_deps_bash): the file the
    # command made is looked for in the task's container, where the command ran
    def test_deps_bash(self):
        self.assertEqual(self.result("with_deps_bash").result, [5, True])

    # tests/functional_tests/workflow_stack_test.py (test_electron_deps_call_before)
    def test_call_before_and_call_after(self):
        result = self.result("with_call_before_and_after")
        self.assertIsNone(result.error)
        self.assertEqual(result.result, (True, "Hello"))

    # tests/functional_tests/workflow_stack_test.py (test_electron_deps_inject_calldep_retval)
    def test_a_call_befores_value_is_injected(self):
        self.assertEqual(self.result("injected_value").result, (2, 5))

    # tests/functional_tests/workflow_stack_test.py
    # (test_electron_deps_inject_non_unique_calldep_retvals)
    def test_values_of_one_keyword_are_gathered(self):
        self.assertEqual(self.result("injected_values").result, [1, 2, 3])

    # tests/functional_tests/workflow_stack_test.py (test_all_parameter_types_in_lattice)
    def test_every_kind_of_parameter(self):
        result = self.result("every_kind_of_argument")
        self.assertEqual(result.inputs["args"], (1, 2, 3, 4))
        self.assertEqual(result.inputs["kwargs"], {"c": 5, "d": 6, "e": 7})
        self.assertEqual(result.result, (10, (3, 4), {"d": 6, "e": 7}))

    # tests/functional_tests/workflow_stack_test.py (test_leaf_electron_failure)
    def test_a_leaf_failure_fails_the_dispatch(self):
        result = self.result("leaf_failure")
        self.assertEqual(result.status, ct.Result.FAILED)
        self.assertEqual(result.lattice.transport_graph.get_node_value(0, "status"),
                         ct.Result.FAILED)

    # tests/functional_tests/workflow_stack_test.py (test_stdout_stderr_redirection)
    def test_what_an_electron_printed(self):
        results = self.result("printing").get_all_node_results()
        stdout = [r["stdout"] for r in results if r["stdout"]][0]
        stderr = [r["stderr"] for r in results if r["stderr"]][0]
        self.assertEqual(stdout, "1\n")
        self.assertEqual(stderr, "2\n")

    # tests/functional_tests/workflow_stack_test.py (test_electron_getitem)
    def test_items_of_a_result(self):
        self.assertEqual(self.result("items_of_a_result").result, [2, 3, 5])

    # tests/functional_tests/qa_call_deps_retval_test.py
    def test_qa_call_deps_retval(self):
        result = self.result("greetings_workflow")
        self.assertEqual(result.result, ["hey, whats up?", "hello", "howdy"])
        self.assertEqual(result.status, "COMPLETED")

    # tests/functional_tests/qa_deps_workflow_test.py: a DepsBash among call_before
    def test_qa_deps_workflow(self):
        result = self.result("deps_workflow")
        self.assertEqual(result.status, "COMPLETED", result.error)
        self.assertEqual(result.result[0], "/tmp\n")  # HOME in a task container
        self.assertEqual(int(result.result[1]), 3)

    # tests/functional_tests/error_reporting_test.py (test_task_runtime_error_reporting)
    def test_error_reporting(self):
        result = self.result("reports_errors")
        self.assertEqual(result.status, ct.Result.FAILED)
        graph = result.lattice.transport_graph
        self.assertEqual(graph.get_node_value(0, "status"), ct.Result.FAILED)
        self.assertIn("Hello from Task 0", graph.get_node_value(0, "stdout"))
        self.assertIn("RuntimeError", graph.get_node_value(0, "error"))
        self.assertIn("Error 0", graph.get_node_value(0, "error"))
        self.assertEqual(graph.get_node_value(1, "status"), ct.Result.COMPLETED)
        self.assertEqual(graph.get_node_value(1, "stdout").strip(), "Hello from Task 1")

    # tests/functional_tests/workflow_failure_test.py: a task that does not depend on the failed
    # one still runs (graph: 0 fails; 2 -> 1 -> 3 -> 4)
    def test_the_rest_runs_after_an_unrelated_failure(self):
        deadline = time.monotonic() + WAIT
        while True:
            graph = self.result("goes_on_after_a_failure").lattice.transport_graph
            status = graph.get_node_value(4, "status")
            if status in (ct.Result.COMPLETED, ct.Result.CANCELLED) or time.monotonic() > deadline:
                break
            time.sleep(2)
        self.assertEqual(graph.get_node_value(0, "status"), ct.Result.FAILED)
        self.assertEqual(status, ct.Result.COMPLETED)
        self.assertEqual(graph.get_node_value(4, "output"), 8)
        self.assertEqual(graph.get_node_value(2, "output"), 1)

    # tests/functional_tests/results_manager_test.py (test_granular_get_result, with an electron
    # where Covalent has a sublattice; test_get_result_nonexistent)
    def test_granular_get_result(self):
        nothing = self.result("granular", workflow_output=False, intermediate_outputs=False,
                              sublattice_results=False)
        self.assertIsNone(nothing.result)
        self.assertIsNone(nothing.get_node_result(0)["output"])
        outputs = self.result("granular", workflow_output=True, intermediate_outputs=False)
        self.assertEqual(outputs.result, 3)
        self.assertIsNone(outputs.get_node_result(0)["sublattice_result"])
        self.assertIsNone(outputs.get_node_result(0)["output"])
        everything = self.result("granular", workflow_output=True, intermediate_outputs=True)
        self.assertEqual(everything.get_node_result(0)["output"], 3)
        with self.assertRaises(ct.ApiError) as missing:
            ct.get_result("nonexistent", wait=False)
        self.assertEqual(missing.exception.status, 404)

    # doc/source/how_to/collection/query_electron_execution_result.ipynb
    def test_how_to_query_electron_results(self):
        result = self.result("add_multiply")
        outputs = result.get_all_node_outputs()
        self.assertEqual(outputs, {"add(0)": 5, ":parameter:2(1)": 2, ":parameter:3(2)": 3,
                                   "multiply(3)": 15, ":parameter:3(4)": 3,
                                   ":postprocess:reconstruct(5)": 15})
        node = result.get_node_result(node_id=0)
        self.assertEqual(sorted(node), sorted([
            "node_id", "node_name", "start_time", "end_time", "status", "output", "error",
            "sublattice_result", "stdout", "stderr"]))
        self.assertEqual((node["node_id"], node["node_name"], node["status"], node["output"]),
                         (0, "add", ct.status.COMPLETED, 5))
        self.assertIsNone(node["error"])
        self.assertIsInstance(node["start_time"], datetime.datetime)
        self.assertIsNotNone(node["start_time"].tzinfo)
        self.assertLessEqual(node["start_time"], node["end_time"])
        self.assertEqual(result.lattice.transport_graph.get_node_value(3, "output"), 15)

    # doc/source/how_to/collection/query_lattice_execution_result.ipynb, and get_result from
    # another process: the node ids and parameters come from the dispatch's cache file there
    def test_how_to_query_lattice_results_from_another_process(self):
        result = self.result("add_multiply")
        self.assertEqual(result.result, 15)
        self.assertIsInstance(result.end_time - result.start_time, datetime.timedelta)
        script = ("import batch_executor as ct\n"
                  "r = ct.get_result(%r, wait=True)\n"
                  "print(r.result, r.get_node_result(3)['output'], r.inputs['kwargs'],\n"
                  "      sorted(r.get_all_node_outputs()))\n" % (self.ids["add_multiply"],))
        env = dict(os.environ, PYTHONPATH=os.path.dirname(HERE))
        done = subprocess.run([sys.executable, "-c", script], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env=env, timeout=120)
        self.assertEqual(done.returncode, 0, done.stdout)
        self.assertIn("15 15 {'x': 2, 'y': 3}", done.stdout.decode())
        self.assertIn("':parameter:2(1)'", done.stdout.decode())

    # doc/source/how_to/orchestration/wait_for_another_electron.ipynb (both examples)
    def test_how_to_wait_for_another_electron(self):
        self.assertEqual(self.result("waits_for_one").result, 1500)
        self.assertEqual(self.result("waits_for_several").result, 1500)

    # tests/functional_tests/workflow_stack_test.py (test_wait_for)
    def test_wait(self):
        result = self.result("waits_with_ct_wait")
        self.assertEqual(result.status, ct.Result.COMPLETED, result.error)
        waiting = result.get_node_result(node_id=6)
        self.assertEqual(waiting["node_name"], "cubed")
        self.assertGreater(waiting["start_time"], result.get_node_result(node_id=0)["end_time"])
        self.assertGreater(waiting["start_time"], result.get_node_result(node_id=2)["end_time"])
        self.assertEqual(result.result, 1500)
        self.assertEqual(p.waits_with_ct_wait(), 1500)  # called directly: the same value

    # tests/functional_tests/workflow_stack_test.py (test_intermediate_electron_failure)
    def test_an_intermediate_failure_fails_the_dispatch(self):
        result = self.result("intermediate_failure")
        self.assertEqual(result.status, ct.Result.FAILED)
        self.assertEqual(result.lattice.transport_graph.get_node_value(0, "status"),
                         ct.Result.FAILED)

    # tests/functional_tests/workflow_stack_test.py (test_electrons_with_positional_args,
    # test_lattice_with_positional_args)
    def test_positional_arguments(self):
        self.assertEqual(self.result("electron_takes_positional").result, 3)
        self.assertEqual(self.result("lattice_takes_positional").result, 3)

    # doc/source/how_to/execution/synchronize_lattice.ipynb: a lattice of one electron, dispatched
    # three times, synchronized on one, two, then all of them
    def test_how_to_synchronize_lattices(self):
        dispatch_ids = [ct.dispatch(p.plus_five)(x=x) for x in [1, 2, 3]]
        ct.sync(dispatch_ids[0])
        self.assertEqual(ct.get_result(dispatch_ids[0]).status, ct.Result.COMPLETED)
        ct.sync(dispatch_ids[:2])
        ct.sync(dispatch_ids)
        self.assertEqual([ct.get_result(d).result for d in dispatch_ids], [6, 7, 8])
        with self.assertRaises(RuntimeError):
            ct.sync(42)

    # tests/functional_tests/workflow_stack_test.py (test_sublatticing)
    def test_sublatticing(self):
        result = self.result("sublatticing")
        self.assertIsNone(result.error)
        self.assertEqual(result.status, ct.Result.COMPLETED)
        self.assertEqual(result.result, 3)
        self.assertEqual(result.get_node_result(0)["node_name"], ":sublattice:summed_ab")
        self.assertEqual(result.get_node_result(0)["sublattice_result"].result, 3)
        self.assertIsNone(self.result("sublatticing", sublattice_results=False)
                          .get_node_result(0)["sublattice_result"])

    # covalent/_workflow/electron.py (a sublattice is built where it runs, with its inputs'
    # values): the sublattice branches on one input and loops over range() of another, both
    # results of electrons
    def test_a_sublattice_branches_and_loops_on_results(self):
        result = self.result("dynamic")
        self.assertEqual(result.status, ct.Result.COMPLETED, result.error)
        self.assertEqual(result.result, [5, -9])
        small = result.get_node_result("grow_or_shrink").sublattice_result
        self.assertEqual(small.status, ct.Result.COMPLETED)
        self.assertEqual(small.result, 5)
        keys = ["square_of", "square_of-2", "square_of-3"]
        self.assertEqual(sorted(small.electrons), keys + ["totalled"])
        self.assertEqual([small.get_node_result(k).result for k in keys], [0, 1, 4])
        self.assertEqual(small.get_node_result(7)["output"], [0, 1, 4])  # its list node
        large = result.get_node_result("grow_or_shrink-2").sublattice_result
        self.assertEqual((large.result, sorted(large.electrons)), (-9, ["negated", "totalled"]))
        self.assertNotIn(NODES_LINE, result.get_node_result("grow_or_shrink").stdout)

    # tests/functional_tests/qa_sublattice_stress_test.py (a sublattice that calls sublattices)
    def test_nested_sublattices(self):
        result = self.result("nested_sublattices")
        self.assertEqual(result.status, ct.Result.COMPLETED, result.error)
        self.assertEqual(result.result, 17)
        twice = result.get_node_result("inflate_twice").sublattice_result
        self.assertEqual(twice.result, [1, 16])
        once = twice.get_node_result("inflate").sublattice_result
        self.assertEqual(once.result, [1, 4])
        self.assertEqual(once.get_node_result(0)["node_name"], "square_of")

    # tests/functional_tests/file_transfer_test.py (test_local_file_transfer, BEFORE and AFTER):
    # the client's source is uploaded, placed in the task's container, and the destination the
    # task left written back here once the result is read
    def test_local_file_transfer(self):
        for name, dest in (("transfer_before", p.FT_DEST_BEFORE),
                           ("transfer_after", p.FT_DEST_AFTER)):
            with self.subTest(name):
                workflow_result = self.result(name)
                self.assertEqual(workflow_result.status, "COMPLETED")
                with open(dest) as f:
                    self.assertEqual(f.read(), p.MOCK_CONTENTS)
                os.unlink(dest)

    # tests/functional_tests/file_transfer_test.py (test_local_file_transfer_with_kwargs_single)
    def test_local_file_transfer_with_kwargs_single(self):
        workflow_result = self.result("transfer_with_kwargs")
        ft = p.FT_KWARGS
        self.assertEqual(len(workflow_result.result), 1)
        self.assertEqual(workflow_result.result, [(ft.from_file.filepath, ft.to_file.filepath)])
        os.unlink(p.FT_DEST_KWARGS)  # there, as the Covalent test expects

    # doc/source/how_to/coding/file_transfers_for_workflows_local.ipynb: the task reads the
    # source in its container and writes the destination, which is here once the result is read
    def test_how_to_transfer_local_files(self):
        result = self.result("my_workflow")
        result_filepath = result.result
        self.assertEqual(result_filepath, p.HOWTO_DEST)
        with open(result_filepath, "r") as f:
            self.assertEqual(f.read(), p.file_content)

    # doc/source/how_to/coding/file_transfers_to_from_s3.ipynb: S3 transfers run on AWS Batch
    # only; on the local backend the dispatch is refused naming the field
    def test_s3_transfers_are_refused_on_the_local_backend(self):
        with self.assertRaises(ct.ApiError) as refused:
            ct.dispatch(p.s3_workflow)()
        self.assertEqual(refused.exception.status, 400)
        self.assertEqual(refused.exception.kind, "file-transfer-not-supported")
        self.assertIn("files[0].s3", str(refused.exception))

    def test_at_least_25_of_covalents_programs_run(self):
        # the dispatches above, plus raises_while_built, plus_five and not_top_level
        self.assertGreaterEqual(len(DISPATCHES) + 3, 25)

    # tests/functional_tests/workflow_stack_test.py (test_decorated_function), with a closure, a
    # lambda and a class defined in a function: they travel pickled with cloudpickle, and without
    # it here dispatching is refused naming the fix
    def test_functions_that_are_not_top_level(self):
        try:
            import cloudpickle  # noqa: F401
        except ImportError:
            with self.assertRaises(ct.SourceError) as refused:
                ct.dispatch(p.not_top_level)()
            self.assertIn("pip install cloudpickle", str(refused.exception))
            return
        result = ct.dispatch_sync(p.not_top_level)()
        self.assertEqual(result.status, ct.Result.COMPLETED, result.error)
        self.assertEqual(result.result, [25, 12, 2, 3])

    # doc/source/how_to/execution/redispatch.ipynb: case I (a redefined task), case II (reusing the
    # previous results: the first task is not run again) and case III (new input parameters, which
    # a re-run here cannot take: the workflow keeps the arguments it was dispatched with)
    def test_how_to_redispatch(self):
        self.assertEqual(self.result("redispatched").result, 1.5)
        first = self.ids["redispatched"]

        case_1 = ct.redispatch(first, replace_electrons={"task_2": p.task_2_redefined})()
        result = ct.get_result(case_1, wait=True, timeout=WAIT)
        self.assertEqual((result.status, result.result), (ct.status.COMPLETED, 6))

        case_2 = ct.redispatch(first, replace_electrons={"task_2": p.task_2_redefined},
                               reuse_previous_results=True)()
        result = ct.get_result(case_2, wait=True, timeout=WAIT)
        self.assertEqual((result.status, result.result), (ct.status.COMPLETED, 6))
        tasks = ct.Client().workflow(case_2).refresh()["tasks"]
        earlier = ct.Client().workflow(first).refresh()["tasks"]
        self.assertEqual(tasks["task_1"]["reused_from"], earlier["task_1"]["id"])
        self.assertIsNone(tasks["task_2"]["reused_from"])
        self.assertEqual(result.get_node_result(0)["output"], 3)

        with self.assertRaises(ct.UnsupportedOperation):
            ct.redispatch(first, replace_electrons={"task_2": p.task_2_redefined},
                          reuse_previous_results=True)(3, 4)
        with self.assertRaises(ValueError):
            ct.redispatch(first, replace_electrons={"no_such_task": p.task_2_redefined})()

    # tests/functional_tests/workflow_cancellation_test.py (test_cancel_task): node 2 (the second
    # sleeping_task) is cancelled, node 0 completes, and the dispatch ends CANCELLED
    def test_cancel_one_task(self):
        dispatch_id = ct.dispatch(p.two_sleeps)(3)
        time.sleep(0.1)

        ct.cancel(dispatch_id, task_ids=[2])

        result = ct.get_result(dispatch_id, wait=True, timeout=WAIT)
        self.assertEqual(result.get_node_result(0)["status"], ct.status.COMPLETED)
        self.assertEqual(result.get_node_result(2)["status"], ct.status.CANCELLED)
        self.assertEqual(result.status, ct.status.CANCELLED)
        with self.assertRaises(ValueError):
            ct.cancel(dispatch_id, task_ids=[1])  # a parameter node, not an electron


if __name__ == "__main__":
    unittest.main()
