"""The client's check of a result's bytes against the digest in the task view, before unpickling."""

import hashlib
import os
import pickle
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from batch_executor import ResultAltered  # noqa: E402
from batch_executor.client import check_digest  # noqa: E402

UNPICKLED = []


class Tripwire:
    """Records it was unpickled: a check that let its bytes through would show here."""

    def __reduce__(self):
        return (UNPICKLED.append, ("unpickled",))


class CheckDigestTest(unittest.TestCase):
    def setUp(self):
        self.data = pickle.dumps(Tripwire())
        self.info = {"result_sha256": {"result.json": "a" * 64,
                                       "result.pickle": hashlib.sha256(self.data).hexdigest()}}

    def test_matching_bytes_pass(self):
        self.assertIs(check_digest(self.data, self.info), self.data)

    def test_changed_bytes_are_refused_before_anything_is_unpickled(self):
        UNPICKLED.clear()
        altered = self.data.replace(b"unpickled", b"unpickleD")
        with self.assertRaises(ResultAltered) as raised:
            pickle.loads(check_digest(altered, self.info, "result.pickle", "the result of task t"))
        self.assertEqual(UNPICKLED, [])
        self.assertIn("the result of task t (result.pickle)", str(raised.exception))
        self.assertIn(self.info["result_sha256"]["result.pickle"], str(raised.exception))

    def test_a_view_without_the_pickles_digest_refuses_it(self):
        with self.assertRaises(ResultAltered):
            check_digest(self.data, {"result_sha256": {"result.json": "a" * 64}})

    def test_a_task_that_ended_before_digests_were_kept_is_taken_as_it_is(self):
        self.assertIs(check_digest(self.data, {"result_sha256": None}), self.data)
        self.assertIs(check_digest(self.data, {}), self.data)


if __name__ == "__main__":
    unittest.main()
