"""The Covalent-style surface without a service: executors, electrons, the graph a lattice makes,
and the operations a proxy refuses."""

import os
import sys
import unittest
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import batch_executor as ct  # noqa: E402
import sample_lattice as s  # noqa: E402


class ExecutorTest(unittest.TestCase):
    def test_the_original_keywords_are_taken_and_the_resources_sent(self):
        executor = ct.AWSBatchExecutor(vcpu=16, memory=16, time_limit=600, num_gpus=0,
                                       retry_attempts=2, poll_freq=5)

        self.assertEqual(executor.to_dict(), {"vcpu": 16, "memory": 16, "time_limit": 600,
                                              "num_gpus": 0, "retry_attempts": 2, "poll_freq": 5})
        self.assertEqual(executor.vcpu, 16)

    def test_an_execution_profile_is_chosen_by_name_and_sent(self):
        executor = ct.AWSBatchExecutor(execution_profile="gpu", num_gpus=1)

        self.assertEqual(executor.to_dict(), {"execution_profile": "gpu", "num_gpus": 1})

    def test_environment_and_secrets_are_sent_as_given(self):
        executor = ct.AWSBatchExecutor(environment={"GREETING": "hello"}, secrets=["DB_PASSWORD"])

        self.assertEqual(executor.to_dict(), {"environment": {"GREETING": "hello"},
                                              "secrets": ["DB_PASSWORD"]})

    def test_the_operators_aws_names_are_accepted_with_one_warning_and_not_sent(self):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            executor = ct.AWSBatchExecutor(
                s3_bucket_name="my-bucket", ecr_repo_name="my-repo",
                batch_job_definition_name="my-jobs", batch_queue="my-queue",
                batch_execution_role_name="ecsTaskExecutionRole",
                batch_job_role_name="arn:aws:iam::123456789012:role/Admin",
                batch_job_log_group_name="my-logs", region="us-east-1", vcpu=2)

        self.assertEqual(executor.to_dict(), {"vcpu": 2})
        self.assertEqual(len(caught), 1)
        message = str(caught[0].message)
        for key in ("region", "s3_bucket_name", "ecr_repo_name", "batch_job_definition_name",
                    "batch_queue", "batch_execution_role_name", "batch_job_role_name",
                    "batch_job_log_group_name", "execution_profile"):
            self.assertIn(key, message)
        self.assertNotIn("Admin", message)

    def test_it_is_also_where_covalents_examples_take_it_from(self):
        self.assertIs(ct.executor.AWSBatchExecutor, ct.AWSBatchExecutor)

    def test_a_misspelt_keyword_is_a_type_error_naming_it(self):
        with self.assertRaises(TypeError) as raised:
            ct.AWSBatchExecutor(vcpus=4)
        self.assertIn("'vcpus'", str(raised.exception))
        self.assertIn("did you mean 'vcpu'", str(raised.exception))

    def test_the_services_own_keys_are_accepted_with_a_warning_and_not_sent(self):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            executor = ct.AWSBatchExecutor(credentials="~/.aws/credentials", profile="default",
                                           region="us-east-1", cache_dir="/tmp/x", vcpu=2)
        self.assertEqual(executor.to_dict(), {"vcpu": 2})
        self.assertEqual(len(caught), 1)
        self.assertIn("credentials, profile, region, cache_dir", str(caught[0].message))

    def test_executors_of_other_kinds_never_break_a_module_and_run_on_the_default(self):
        import batch_executor.deps as module

        module._warned_executors.clear()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")

            @ct.electron(executor="dask")
            def on_dask(x):
                return x

            @ct.electron(executor=ct.executor.LocalExecutor())
            def on_local(x):
                return x

            @ct.electron(executor=ct.executor.SlurmExecutor(username="u", address="a"))
            def on_slurm(x):
                return x

            @ct.lattice(executor="local", workflow_executor="dask")
            def flow(x):
                return on_slurm(on_local(on_dask(x)))

            body, _ = flow.build_graph(1)

        self.assertEqual([t.get("executor") for t in body["tasks"].values()], [None] * 4)
        messages = sorted(str(w.message) for w in caught)
        self.assertEqual(len(messages), 3, messages)  # one per executor named, not per use
        self.assertIn("executor 'dask'", messages[0])
        self.assertIn("executor 'local'", messages[1])
        self.assertIn("executor 'slurm'", messages[2])
        self.assertIn("default execution profile", messages[0])
        self.assertEqual(ct.executor.LocalExecutor.short_name, "local")
        with self.assertRaises(AttributeError):
            ct.executor.not_an_executor

    def test_local_and_aws_batch_ask_for_their_backend_where_the_service_runs_it(self):
        from batch_executor import deps
        from batch_executor.covalent import executor_settings

        deps._warned_executors.discard("local")  # said once per name, maybe by another test
        both = ["local", "awsbatch"]
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no warning where the backend is run
            self.assertEqual(executor_settings("local", both), {"backend": "local"})
            self.assertEqual(executor_settings(ct.executor.LocalExecutor(), both),
                             {"backend": "local"})
            self.assertEqual(executor_settings("awsbatch", both), {"backend": "awsbatch"})
            self.assertEqual(executor_settings(ct.executor.AWSBatchExecutor(vcpu=2), both),
                             {"vcpu": 2, "backend": "awsbatch"})
            self.assertEqual(
                executor_settings(ct.executor.AWSBatchExecutor(execution_profile="gpu"), both),
                {"execution_profile": "gpu"}, "a profile names its backend itself")
            self.assertEqual(executor_settings("awsbatch", ["local"]), {})
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.assertEqual(executor_settings(ct.executor.LocalExecutor(), ["awsbatch"]), {})
        self.assertTrue(any("default execution profile" in str(w.message) for w in caught))


class ElectronTest(unittest.TestCase):
    def test_outside_a_lattice_an_electron_is_a_plain_call(self):
        self.assertEqual(s.add(1, 2), 3)
        self.assertEqual(s.load_train_score(3, 2)["score"]["prediction"], 4.0)

    def test_deps_pip_takes_packages_and_a_requirements_file(self):
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "requirements-sample.txt")
        with open(path, "w") as f:
            f.write("# comment\nnumpy==2.1.0  # pinned\n\nrequests\n")
        self.addCleanup(os.remove, path)

        deps = ct.DepsPip(packages=["boto3"], reqs_path=path)

        self.assertEqual(deps.packages, ["boto3", "numpy==2.1.0", "requests"])
        with self.assertRaises(ValueError):
            ct.DepsPip(packages=["--index-url=http://127.0.0.1/simple"])


class GraphTest(unittest.TestCase):
    def test_a_proxy_passed_on_becomes_a_reference_and_the_return_value_the_output(self):
        body, modules = s.load_train_score.build_graph(3, 2)
        tasks = body["tasks"]

        self.assertEqual(body["name"], "load_train_score")
        self.assertEqual(list(tasks), ["load", "train", "score", "lattice.result"])
        self.assertEqual(tasks["load"]["args"], [3])
        self.assertEqual(tasks["train"]["args"], [{"$task": "load"}])
        self.assertEqual(tasks["score"]["args"], [{"$task": "train"}, 2])
        self.assertEqual(tasks["lattice.result"]["args"],
                         [{"score": {"$task": "score"}, "model": {"$task": "train"}}])
        self.assertIn("class Model", tasks["train"]["function"]["source"])
        self.assertNotIn("class Model", tasks["score"]["function"]["source"])
        self.assertEqual(modules, [s])

    def test_each_call_is_a_task_of_its_own_with_its_executor(self):
        body, _ = s.two_steps.build_graph(1, 2)
        tasks = body["tasks"]

        self.assertEqual(list(tasks), ["add", "add-2", "lattice.result"])
        self.assertEqual(tasks["add-2"]["args"], [{"$task": "add"}, 2])
        self.assertEqual(tasks["add"]["executor"], {"vcpu": 1, "memory": 0.5, "time_limit": 300})

    def test_arguments_are_bound_when_the_electron_is_called(self):
        @ct.electron
        def identity(x):
            return x

        @ct.electron
        def combine(values):
            return sum(values)

        @ct.lattice
        def grows():
            values = [identity(1)]
            first = combine(values)
            values.append(identity(2))
            options = {"values": values}
            second = combine(values=options["values"])
            options["values"] = []
            return [first, second]

        tasks = grows.build_graph()[0]["tasks"]

        self.assertEqual(tasks["combine"]["args"], [[{"$task": "identity"}]])
        self.assertEqual(tasks["combine-2"]["kwargs"],
                         {"values": [{"$task": "identity"}, {"$task": "identity-2"}]})

    def test_deps_pip_become_the_images_requirements(self):
        body, _ = s.with_requirements.build_graph()

        self.assertEqual(body["tasks"]["boto3_version"]["image"], {"requirements": ["boto3"]})
        self.assertEqual(body["tasks"]["lattice.result"]["image"], {"requirements": ["boto3"]})

    def test_operations_on_a_proxy_become_the_path_of_its_reference(self):
        tasks = s.operations.build_graph(1)[0]["tasks"]

        self.assertEqual(list(tasks), ["pair", "pair-2", "point", "add", "lattice.result"])
        self.assertEqual(tasks["add"]["args"], [
            {"$task": "pair", "path": [{"index": 0}, {"op": "mul", "right": 10}]},
            {"$task": "pair", "path": [{"index": 1}]}])
        self.assertEqual(tasks["lattice.result"]["args"], [{
            "sum": {"$task": "add"},
            "tail": {"$task": "pair-2", "path": [{"slice": [1, None, None]}]},
            "less": {"$task": "pair", "path": [
                {"index": 0}, {"op": "lt", "right": {"$task": "pair", "path": [{"index": 1}]}}]},
            "x": {"$task": "point", "path": [{"attr": "x"}]},
            "neg": {"$task": "pair-2", "path": [{"index": 0}, {"op": "neg"}]},
        }])

    def test_a_reflected_operator_keeps_the_operand_on_its_side(self):
        @ct.lattice
        def reflected(x):
            return 10 - s.add(x, 1)

        output = reflected.build_graph(1)[0]["tasks"]["lattice.result"]
        self.assertEqual(output["args"], [{"$task": "add", "path": [{"op": "sub", "left": 10}]}])

    def test_an_operation_a_workflow_cannot_express_is_an_error_naming_it(self):
        with self.assertRaises(ct.UnsupportedOperation) as iterating:
            s.iterates_a_proxy.build_graph(1)
        self.assertIn("iteration (a for loop, list(), a starred unpacking) on the result of "
                      "electron pair in lattice iterates_a_proxy", str(iterating.exception))
        with self.assertRaises(ct.UnsupportedOperation) as truth:
            s.tests_a_proxy.build_graph(1)
        self.assertIn("a truth test (if, while, and, or, not)", str(truth.exception))
        self.assertIsInstance(truth.exception, TypeError)

    def test_a_value_neither_json_nor_pickle_can_carry_is_an_error_naming_where_it_is(self):
        import threading

        @ct.lattice
        def with_a_lock():
            return s.add(threading.Lock(), 3)

        with self.assertRaises(TypeError) as raised:
            with_a_lock.build_graph()
        self.assertIn("args[0] is a _thread.lock, which neither JSON nor pickle can carry",
                      str(raised.exception))

    def test_statuses_are_covalents(self):
        self.assertEqual(ct.status.COMPLETED, "COMPLETED")
        self.assertEqual(ct.Result.FAILED, ct.status.FAILED)
        self.assertEqual(str(ct.status.CANCELLED), "CANCELLED")
        self.assertFalse(ct.status.NEW_OBJECT)


if __name__ == "__main__":
    unittest.main()
