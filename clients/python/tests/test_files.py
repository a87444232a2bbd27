"""File transfers (fs.py) without a service: what a lattice's electrons with ``files=`` send —
the task's files, the ``files`` argument as Covalent passes it, the uploads — and what is refused."""

import hashlib
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import batch_executor as ct  # noqa: E402

DIR = tempfile.mkdtemp(prefix="batch-executor-files-")
SOURCE = os.path.join(DIR, "source.txt")
DEST = os.path.join(DIR, "dest.txt")
with open(SOURCE, "w") as _f:
    _f.write("hello")
ID = hashlib.sha256(b"hello").hexdigest()


@ct.electron(files=[ct.fs.FileTransfer(SOURCE, DEST)])
def copy_before(files=[]):
    return files


@ct.electron(files=[ct.fs.FileTransfer(SOURCE, DEST, order=ct.fs.Order.AFTER)])
def copy_after(files=[]):
    return files


@ct.electron(files=[ct.fs.TransferFromRemote("s3://my-bucket/in.csv", "/tmp/in.csv",
                                             strategy=ct.fs_strategies.S3()),
                    ct.fs.TransferToRemote("s3://my-bucket/out.csv", "/tmp/out.csv",
                                           strategy=ct.fs_strategies.S3())])
def with_s3(files=[]):
    return files


@ct.lattice
def before_flow():
    return copy_before()


@ct.lattice
def after_flow():
    return copy_after()


@ct.lattice
def s3_flow():
    return with_s3()


def task_of(lattice, key):
    body = lattice.build_graph()
    return body["tasks"][key]


class FileTransferTest(unittest.TestCase):
    def test_a_local_transfer_before_uploads_the_source_places_it_and_keeps_the_destination(self):
        graph = ct.covalent._Graph(before_flow)
        body, _ = graph.build((), {})
        task = body["tasks"]["copy_before"]

        self.assertEqual(task["files"], [
            {"path": DEST, "upload": ID},
            {"path": DEST, "order": "after"},
        ])
        self.assertEqual(graph.uploads, {ID: SOURCE})
        self.assertEqual(graph.kept, {"copy_before": [(1, DEST)]})
        # the files argument is Covalent's: [(from, to)], a tuple that travels as one
        self.assertIn("files", task["kwargs"])
        self.assertEqual(ct.values.decode(task["kwargs"])["files"], [(SOURCE, DEST)])

    def test_a_local_transfer_after_places_the_source_at_its_path_and_keeps_it(self):
        graph = ct.covalent._Graph(after_flow)
        body, _ = graph.build((), {})

        self.assertEqual(body["tasks"]["copy_after"]["files"], [
            {"path": SOURCE, "upload": ID},
            {"path": SOURCE, "order": "after"},
        ])
        self.assertEqual(graph.kept, {"copy_after": [(1, DEST)]})

    def test_s3_transfers_are_the_tasks_and_the_function_gets_the_local_paths(self):
        graph = ct.covalent._Graph(s3_flow)
        body, _ = graph.build((), {})
        task = body["tasks"]["with_s3"]

        self.assertEqual(task["files"], [
            {"path": "/tmp/in.csv", "s3": "s3://my-bucket/in.csv"},
            {"path": "/tmp/out.csv", "s3": "s3://my-bucket/out.csv", "order": "after"},
        ])
        self.assertEqual(graph.uploads, {})
        self.assertEqual(task["kwargs"]["files"], ["/tmp/in.csv", "/tmp/out.csv"])

    def test_other_strategies_are_refused_naming_what_is_supported(self):
        refused = [
            ct.fs.FileTransfer(SOURCE, DEST, strategy=ct.fs_strategies.Rsync(host="example.org")),
            ct.fs.TransferFromRemote("https://example.org/a.csv", "/tmp/a.csv"),
            ct.fs.TransferFromRemote("gs://bucket/a.csv", "/tmp/a.csv",
                                     strategy=ct.fs_strategies.GCloud()),
            ct.fs.TransferFromRemote(SOURCE, "/tmp/a.csv"),  # rsync over ssh
        ]
        for transfer in refused:
            with self.subTest(transfer=transfer):
                with self.assertRaises(ct.UnsupportedOperation) as caught:
                    ct.fs.plan([transfer], "electron e")
                self.assertIn("s3:// transfers with strategy S3 on AWS Batch", str(caught.exception))

    def test_a_missing_source_before_the_run_is_an_error_at_dispatch(self):
        with self.assertRaises(FileNotFoundError):
            ct.fs.plan([ct.fs.FileTransfer(os.path.join(DIR, "none"), DEST)], "electron e")

    def test_covalents_checks_of_a_transfer_hold(self):
        with self.assertRaises(ValueError):
            ct.fs.FileTransfer("s3://a/b", "s3://c/d", strategy=ct.fs_strategies.S3())
        with self.assertRaises(AttributeError):
            ct.fs.FileTransfer("s3://a/b", "/tmp/x")  # no strategy for S3


if __name__ == "__main__":
    unittest.main()
