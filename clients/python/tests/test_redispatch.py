"""What ct.redispatch and ct.cancel ask of the service, against a recording stand-in: the rerun
body (reuse, each replaced electron's tasks with the new function) and the keys of a partial
cancel, found from Covalent's node ids in the task names."""

import http.server
import json
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import batch_executor as ct  # noqa: E402

WORKFLOW = {
    "id": "0000-first", "status": "COMPLETED",
    "tasks": {
        "task_1": {"id": "t1", "name": "task_1(0)", "status": "SUCCEEDED"},
        "task_2": {"id": "t2", "name": "task_2(3)", "status": "SUCCEEDED"},
        "task_2-2": {"id": "t3", "name": "task_2(5)", "status": "SUCCEEDED"},
        "__output": {"id": "t4", "name": ":postprocess:reconstruct(7)", "status": "SUCCEEDED"},
    },
}


class _Service(http.server.BaseHTTPRequestHandler):
    seen = None

    def _answer(self, body):
        data = json.dumps(body).encode()
        self.send_response(202 if self.command == "POST" else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self._answer(WORKFLOW)

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        type(self).seen.append((self.path, body))
        self._answer(dict(WORKFLOW, id="0000-second"))

    def log_message(self, *args):
        pass


def task_2_redefined(a, b):
    return a * b


class RedispatchTest(unittest.TestCase):
    def setUp(self):
        handler = type("Service", (_Service,), {"seen": []})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        self.seen = handler.seen
        self.address = "http://127.0.0.1:%d" % server.server_port

    def test_a_replaced_electron_replaces_the_function_of_each_of_its_tasks(self):
        new_id = ct.redispatch("0000-first", dispatcher_addr=self.address,
                               replace_electrons={"task_2": ct.electron(task_2_redefined)},
                               reuse_previous_results=True)()

        self.assertEqual(new_id, "0000-second")
        path, body = self.seen[0]
        self.assertEqual(path, "/api/v1/workflows/0000-first/rerun")
        self.assertIs(body["reuse"], True)
        self.assertEqual(sorted(body["tasks"]), ["task_2", "task_2-2"])
        function = body["tasks"]["task_2"]["function"]
        self.assertIn("def task_2_redefined(a, b):", function["source"])
        self.assertNotIn("args", body["tasks"]["task_2"])

    def test_without_reuse_every_task_runs_and_an_unknown_electron_or_new_arguments_are_refused(self):
        ct.redispatch("0000-first", dispatcher_addr=self.address)()
        self.assertEqual(self.seen[0][1], {"reuse": False})
        with self.assertRaises(ValueError):
            ct.redispatch("0000-first", dispatcher_addr=self.address,
                          replace_electrons={"task_9": task_2_redefined})()
        with self.assertRaises(ct.UnsupportedOperation):
            ct.redispatch("0000-first", dispatcher_addr=self.address)(3, 4)
        self.assertEqual(len(self.seen), 1)

    def test_cancel_names_the_keys_of_the_node_ids_or_cancels_the_whole_dispatch(self):
        ct.cancel("0000-first", task_ids=[3, 5], dispatcher_addr=self.address)
        ct.cancel("0000-first", dispatcher_addr=self.address)

        self.assertEqual(self.seen[0], ("/api/v1/workflows/0000-first/cancel",
                                        {"tasks": ["task_2", "task_2-2"]}))
        self.assertEqual(self.seen[1], ("/api/v1/workflows/0000-first/cancel", None))
        with self.assertRaises(ValueError):
            ct.cancel("0000-first", task_ids=[1], dispatcher_addr=self.address)


if __name__ == "__main__":
    unittest.main()
