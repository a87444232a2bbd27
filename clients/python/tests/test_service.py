"""The client end to end against a running batch-executor (PythonClientIT starts the packaged
service and runs these with BATCH_EXECUTOR_URL and BATCH_EXECUTOR_TOKEN set)."""

import hashlib
import os
import subprocess
import sys
import tempfile
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import batch_executor as ct  # noqa: E402
import sample_lattice as s  # noqa: E402
from batch_executor import Client  # noqa: E402

URL = os.environ.get("BATCH_EXECUTOR_URL")
WAIT = 240  # seconds a test waits for a task at most: the first builds its environment image


@unittest.skipUnless(URL, "needs a running service: set BATCH_EXECUTOR_URL and "
                          "BATCH_EXECUTOR_TOKEN (PythonClientIT starts one)")
class TasksTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client = Client()

    def test_a_json_result(self):
        task = self.client.submit(s.add, 1, 2)

        self.assertEqual(task.wait(WAIT), "SUCCEEDED")
        self.assertEqual(task.result(), 3)
        self.assertEqual(task.status, "SUCCEEDED")
        self.assertEqual(task.info["executor"]["vcpu"], 1.0, "the electron's executor travels")
        kinds = [e["kind"] for e in task.events()]
        self.assertIn("STATUS", kinds)

    def test_a_pickled_result_is_unpickled_here_with_the_class_of_its_module(self):
        point = self.client.submit(s.make_point, 3, 4)
        numbers = self.client.submit(s.a_set, 3)

        value = point.result(WAIT)
        self.assertIsInstance(value, s.Point)
        self.assertEqual((value.x, value.y), (3, 4))
        self.assertEqual(numbers.result(WAIT), {0, 1, 2})
        described = self.client.request("GET", point.path + "/result")
        self.assertTrue(described["pickled"])
        self.assertTrue(described["type"].endswith(".Point"), described)

    def test_a_pickle_is_checked_against_the_digest_in_the_task_view_before_it_is_unpickled(self):
        point = self.client.submit(s.make_point, 5, 6)
        self.assertEqual(point.result(WAIT).x, 5)
        digests = point.info["result_sha256"]
        self.assertEqual(hashlib.sha256(point.result_bytes()).hexdigest(), digests["result.pickle"])

        # the view says another digest than the bytes the service serves have: never unpickled
        altered = ct.TaskHandle(self.client, point.id, dict(point.info))
        altered.info["result_sha256"] = dict(digests, **{"result.pickle": "0" * 64})
        with self.assertRaises(ct.ResultAltered) as raised:
            altered.result()
        self.assertIn("result.pickle", str(raised.exception))
        self.assertIn(point.id, str(raised.exception))

    def test_a_value_that_cannot_be_pickled_is_described(self):
        task = self.client.submit(s.a_lock)

        with self.assertRaises(ct.ResultNotAvailable) as raised:
            task.result(WAIT)
        self.assertIn("_thread.lock", str(raised.exception))

    def test_a_raising_task_raises_task_failed_with_the_remote_traceback(self):
        task = self.client.submit(s.raises, "out of cheese")

        with self.assertRaises(ct.TaskFailed) as raised:
            task.result(WAIT)
        failed = raised.exception
        self.assertEqual(failed.status, "FAILED")
        self.assertEqual(failed.remote_type, "RuntimeError")
        self.assertEqual(failed.remote_message, "out of cheese")
        self.assertIn("helper_that_raises", failed.remote_traceback)
        self.assertIn("RuntimeError: out of cheese", str(failed))
        self.assertIn("Remote traceback:", str(failed))

    def test_logs_are_followed_as_they_come_and_read_afterwards(self):
        task = self.client.submit(s.slow_printer, 4, 0.5)

        followed = [line for line in task.follow_logs() if line.startswith("line ")]

        self.assertEqual(followed, ["line 0", "line 1", "line 2", "line 3"])
        self.assertEqual(task.info["status"], "SUCCEEDED")
        self.assertEqual([l for l in task.logs().splitlines() if l.startswith("line ")], followed)
        self.assertEqual(task.result(), 4)

    def test_cancel_stops_a_running_task(self):
        task = self.client.submit(s.slow_printer, 600, 0.2)
        lines = task.follow_logs()
        self.assertEqual(next(lines), "line 0")  # it runs
        lines.close()

        task.cancel()

        self.assertEqual(task.wait(WAIT), "CANCELLED")
        with self.assertRaises(ct.TaskCancelled):
            task.result()
        self.assertEqual(task.cancel(), "CANCELLED", "a second cancel changes nothing")

    def test_requirements_the_base_image_satisfies_need_no_network(self):
        task = self.client.submit(s.boto3_version, requirements=["boto3"])

        self.assertRegex(task.result(WAIT), r"^\d+\.\d+")

    def test_the_cli_lists_shows_prints_and_cancels(self):
        task = self.client.submit(s.slow_printer, 2, 0)
        task.wait(WAIT)

        def cli(*args):
            return subprocess.run(
                [sys.executable, "-m", "batch_executor"] + list(args), capture_output=True,
                text=True, timeout=120, env=dict(os.environ, PYTHONPATH=os.path.dirname(HERE)),
            )

        listed = cli("tasks", "--size", "200")
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertIn(task.id, listed.stdout)
        shown = cli("show", task.id)
        self.assertIn('"status": "SUCCEEDED"', shown.stdout)
        self.assertEqual(cli("result", task.id).stdout.strip(), "2")
        self.assertEqual(cli("logs", task.id).stdout, "line 0\nline 1\n")
        self.assertEqual(cli("logs", "-f", task.id).stdout, "line 0\nline 1\n")
        refused = cli("cancel", task.id)
        self.assertEqual((refused.returncode, refused.stdout.strip()), (0, "SUCCEEDED"))
        missing = cli("show", str(uuid.uuid4()))
        self.assertEqual(missing.returncode, 1)
        self.assertIn("404 task-not-found", missing.stderr)


@unittest.skipUnless(URL, "needs a running service: set BATCH_EXECUTOR_URL and "
                          "BATCH_EXECUTOR_TOKEN (PythonClientIT starts one)")
class LatticeTest(unittest.TestCase):
    def test_a_three_step_lattice_passes_an_object_of_a_class_only_the_middle_task_defines(self):
        dispatch_id = ct.dispatch(s.load_train_score)(3, 2)

        result = ct.get_result(dispatch_id, wait=True)

        self.assertEqual(result.status, ct.status.COMPLETED, result.error)
        self.assertEqual(result.result["score"], {"prediction": 4.0, "class": "Model"})
        self.assertIsInstance(result.result["model"], s.Model)
        self.assertEqual(result.result["model"].weights, [1 / 3, 2 / 3, 1.0])
        outputs = result.get_all_node_outputs()
        self.assertEqual(outputs["load(0)"], [1, 2, 3])
        self.assertEqual(outputs[":parameter:3(1)"], 3)
        self.assertIsInstance(outputs["train(2)"], s.Model)
        self.assertEqual(result.get_node_result("score").status, ct.status.COMPLETED)

    def test_dispatch_sync_waits(self):
        result = ct.dispatch_sync(s.two_steps)(1, 2)

        self.assertEqual(result.status, ct.Result.COMPLETED)
        self.assertEqual(result.result, 5)

    def test_deps_pip_with_a_requirement_the_base_image_satisfies(self):
        result = ct.dispatch_sync(s.with_requirements)()

        self.assertEqual(result.status, ct.status.COMPLETED, result.error)
        self.assertRegex(result.result, r"^\d+\.\d+")

    def test_a_failing_electron_fails_the_dispatch_with_its_error(self):
        result = ct.dispatch_sync(s.failing)(7)

        self.assertEqual(result.status, ct.status.FAILED)
        self.assertIsNone(result.result)
        self.assertIn("electron fails", result.error)
        self.assertIn("ValueError: cannot use 7", result.error)
        self.assertEqual(result.get_node_result("add").status, ct.status.CANCELLED)

    def test_indexes_unpacking_attributes_and_operators_cost_no_task_of_their_own(self):
        result = ct.dispatch_sync(s.operations)(1)

        self.assertEqual(result.status, ct.status.COMPLETED, result.error)
        self.assertEqual(result.result, {"sum": 12, "tail": [3], "less": True, "x": 1, "neg": -2})
        # one task per electron called, and the one that gathers the return value: nothing else
        self.assertEqual(sorted(result.workflow["tasks"]),
                         ["add", "lattice.result", "pair", "pair-2", "point"])

    def test_an_unsupported_proxy_operation_is_refused_before_anything_is_sent(self):
        client = Client()
        name = "tests_a_proxy"
        before = [w["id"] for w in client.workflows(size=20)["items"] if w.get("name") == name]

        with self.assertRaises(ct.UnsupportedOperation) as raised:
            ct.dispatch(s.tests_a_proxy)(1)

        self.assertIn("a truth test (if, while, and, or, not) on the result of electron add",
                      str(raised.exception))
        after = [w["id"] for w in client.workflows(size=20)["items"] if w.get("name") == name]
        self.assertEqual(after, before)


@unittest.skipUnless(URL, "needs a running service: set BATCH_EXECUTOR_URL and "
                          "BATCH_EXECUTOR_TOKEN (PythonClientIT starts one)")
class BadInputTest(unittest.TestCase):
    def test_a_misspelt_executor_keyword_is_a_type_error_before_anything_is_sent(self):
        with self.assertRaises(TypeError) as raised:
            Client().submit(s.add, 1, 2, executor={"vcpus": 2})
        self.assertIn("'vcpus'", str(raised.exception))

    def test_a_problem_answer_carries_its_type_title_detail_and_field_errors(self):
        with self.assertRaises(ct.ApiError) as raised:
            Client().submit(s.add, 1, 2, executor={"vcpu": -1, "time_limit": 0})
        problem = raised.exception
        self.assertEqual(problem.status, 400)
        self.assertEqual(problem.type, "urn:problem-type:batch-executor:invalid-request")
        self.assertEqual(problem.kind, "invalid-request")
        self.assertTrue(problem.title)
        self.assertTrue(problem.detail)
        fields = {e["field"] for e in problem.errors}
        self.assertEqual(fields, {"executor.vcpu", "executor.time_limit"})
        self.assertIn("executor.vcpu", str(problem))

    def test_an_execution_profile_the_caller_may_not_use_is_refused_naming_those_it_may(self):
        mine = [p["name"] for p in Client().executor()["execution_profiles"]]
        with self.assertRaises(ct.ApiError) as raised:
            Client().submit(s.add, 1, 2, execution_profile="no-such-profile")
        problem = raised.exception
        self.assertEqual(problem.status, 400)
        self.assertEqual(problem.kind, "execution-profile-not-allowed")
        self.assertEqual([e["field"] for e in problem.errors], ["executor.execution_profile"])
        self.assertIn(mine[0], problem.errors[0]["message"])

    def test_an_unknown_task_is_a_404_problem(self):
        with self.assertRaises(ct.ApiError) as raised:
            Client().task(uuid.uuid4()).refresh()
        self.assertEqual((raised.exception.status, raised.exception.kind), (404, "task-not-found"))

    def test_a_wrong_token_is_a_401_that_says_where_it_came_from(self):
        with self.assertRaises(ct.Unauthorized) as raised:
            Client(token="not-a-token-of-this-service").tasks()
        self.assertIn("refused the token from the token argument", str(raised.exception))

    def test_a_missing_token_is_a_401_that_says_where_the_client_looked(self):
        with tempfile.TemporaryDirectory() as cache_dir:
            saved = {k: os.environ.pop(k, None)
                     for k in ("BATCH_EXECUTOR_TOKEN", "BATCH_EXECUTOR_AWSBATCH_CACHE_DIR")}
            os.environ["BATCH_EXECUTOR_AWSBATCH_CACHE_DIR"] = cache_dir
            try:
                client = Client()
            finally:
                os.environ.pop("BATCH_EXECUTOR_AWSBATCH_CACHE_DIR")
                os.environ.update({k: v for k, v in saved.items() if v is not None})
            with self.assertRaises(ct.Unauthorized) as raised:
                client.tasks()
        message = str(raised.exception)
        self.assertIn("no token was sent", message)
        self.assertIn("BATCH_EXECUTOR_TOKEN (not set)", message)
        self.assertIn(os.path.join(cache_dir, "api-token"), message)

    def test_a_service_that_does_not_answer_is_named(self):
        with self.assertRaises(ct.ServiceUnreachable) as raised:
            Client(url="http://127.0.0.1:9").tasks()
        self.assertIn("http://127.0.0.1:9", str(raised.exception))

    def test_a_function_without_source_is_refused_at_submission(self):
        with self.assertRaises(ct.SourceError):
            Client().submit(len)


if __name__ == "__main__":
    unittest.main()
