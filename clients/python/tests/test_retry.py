"""A client limit's 429 and an unavailable service's 503 are tried again as Retry-After says, a
bounded number of times."""

import http.server
import json
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from batch_executor import ApiError, Client  # noqa: E402

TOKEN = "retry-test-token-0000000000000001"


class _Refusing(http.server.BaseHTTPRequestHandler):
    """Answers the first ``refusals`` requests with ``status`` and Retry-After: 0, then 202."""

    refusals = 0
    status = 429
    seen = None

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        type(self).seen.append(self.command)
        if len(type(self).seen) <= type(self).refusals:
            body = json.dumps({"type": "urn:problem-type:batch-executor:too-many-submissions",
                               "title": "Too many submissions", "status": self.status,
                               "detail": "send this one again after Retry-After"}).encode()
            self.send_response(self.status)
            self.send_header("Retry-After", "0")
            self.send_header("Content-Type", "application/problem+json")
        else:
            body = b'{"id": "accepted"}'
            self.send_response(202)
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = _answer  # noqa: N815 (http.server's naming)
    do_POST = _answer  # noqa: N815
    do_DELETE = _answer  # noqa: N815

    def log_message(self, *args):
        pass


class RetryTest(unittest.TestCase):
    def serve(self, refusals, status=429):
        handler = type("Refusing", (_Refusing,),
                       {"seen": [], "refusals": refusals, "status": status})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        client = Client(url="http://127.0.0.1:%d" % server.server_port, token=TOKEN)
        return client, handler

    def test_a_submission_refused_by_a_limit_is_sent_again_after_retry_after(self):
        client, handler = self.serve(refusals=2)

        answer = client.request("POST", "/api/v1/tasks", body={"name": "x"})

        self.assertEqual(answer, {"id": "accepted"})
        self.assertEqual(handler.seen, ["POST", "POST", "POST"])

    def test_a_limit_that_holds_is_raised_after_three_more_tries(self):
        client, handler = self.serve(refusals=100)

        with self.assertRaises(ApiError) as raised:
            client.request("POST", "/api/v1/tasks", body={"name": "x"})

        self.assertEqual(raised.exception.status, 429)
        self.assertEqual(len(handler.seen), 4)

    def test_an_upload_refused_while_the_clients_uploads_are_in_flight_is_tried_longer(self):
        client, handler = self.serve(refusals=12)

        answer = client.upload(b"some bytes")

        self.assertEqual(answer, {"id": "accepted"})
        self.assertEqual(handler.seen, ["POST"] * 13)

    def test_an_upload_still_refused_after_about_30_s_is_raised(self):
        client, handler = self.serve(refusals=100)

        with self.assertRaises(ApiError) as raised:
            client.upload(b"some bytes")

        self.assertEqual(raised.exception.status, 429)
        self.assertEqual(len(handler.seen), 30)

    def test_a_deletion_refused_while_the_clients_uploads_are_in_flight_is_tried_longer(self):
        client, handler = self.serve(refusals=6)

        client.delete_upload("0" * 64)

        self.assertEqual(handler.seen, ["DELETE"] * 7)

    def test_an_upload_met_by_an_unavailable_service_is_tried_three_more_times_only(self):
        client, handler = self.serve(refusals=100, status=503)

        with self.assertRaises(ApiError) as raised:
            client.upload(b"some bytes")

        self.assertEqual(raised.exception.status, 503)
        self.assertEqual(len(handler.seen), 4)

    def test_a_503_is_tried_again_only_where_a_repeat_is_safe(self):
        client, handler = self.serve(refusals=1, status=503)

        with self.assertRaises(ApiError):
            client.request("POST", "/api/v1/tasks", body={"name": "x"})
        self.assertEqual(handler.seen, ["POST"])

        self.assertEqual(client.request("GET", "/api/v1/tasks/x"), {"id": "accepted"})
        self.assertEqual(handler.seen, ["POST", "GET"])


if __name__ == "__main__":
    unittest.main()
