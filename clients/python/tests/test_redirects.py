"""The token goes only where it was meant to: a redirect to another origin does not carry it."""

import http.server
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from batch_executor import Client  # noqa: E402

TOKEN = "redirect-test-token-000000000001"


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers every GET with {} and keeps the Authorization header it was sent."""

    seen = None

    def do_GET(self):  # noqa: N802 (http.server's naming)
        type(self).seen.append((self.path, self.headers.get("Authorization")))
        if self.path.startswith("/to/"):
            self.send_response(302)
            self.send_header("Location", self.path[len("/to/"):].replace("|", "/"))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _serve():
    handler = type("Recorder", (_Recorder,), {"seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, handler


class RedirectTest(unittest.TestCase):
    def setUp(self):
        self.service, self.service_seen = _serve()
        self.other, self.other_seen = _serve()
        for server in (self.service, self.other):
            self.addCleanup(server.server_close)
            self.addCleanup(server.shutdown)
        self.client = Client(url="http://127.0.0.1:%d" % self.service.server_port, token=TOKEN)

    def test_a_redirect_to_another_origin_goes_without_the_token(self):
        target = "http://127.0.0.1:%d|landed" % self.other.server_port

        self.client.request("GET", "/to/" + target)

        self.assertEqual(self.service_seen.seen, [("/to/" + target, "Bearer " + TOKEN)])
        self.assertEqual(self.other_seen.seen, [("/landed", None)])

    def test_a_redirect_within_the_service_keeps_it(self):
        self.client.request("GET", "/to/|landed")

        self.assertEqual(
            self.service_seen.seen,
            [("/to/|landed", "Bearer " + TOKEN), ("/landed", "Bearer " + TOKEN)],
        )


if __name__ == "__main__":
    unittest.main()
