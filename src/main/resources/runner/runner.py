"""batch-executor task runner.

Baked into every task image next to payload.json. It loads the function from its source, calls it
with the baked-in arguments, and writes result.json: the return value, or the exception's type,
message and traceback. A value that JSON cannot carry is kept as result.pickle, described in
result.json by its type and repr. Only the standard library is needed; boto3 is used when the
result has to go to S3 (BATCH_EXECUTOR_RESULT_S3_URI).

Exit codes: 0 the function returned; 65 the function (or its module source) raised; 66 the runner
itself could not do its job (unreadable payload, result not storable).
"""

import base64
import json
import math
import os
import pickle
import sys
import traceback

PAYLOAD = os.environ.get("BATCH_EXECUTOR_PAYLOAD", "/batch-executor/payload.json")
OUT_DIR = os.environ.get("BATCH_EXECUTOR_OUTPUT_DIR", "/tmp/batch-executor/out")
EXIT_RAISED = 65
EXIT_RUNNER_FAILED = 66
ANNOUNCE_LIMIT = 1024 * 1024


def is_json(value, depth=0):
    """True when JSON carries the value as it is (tuples travel as arrays)."""
    if depth > 200:
        return False
    if value is None or isinstance(value, (bool, str)):
        return True
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, (list, tuple)):
        return all(is_json(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_json(v, depth + 1) for k, v in value.items())
    return False


def describe(value):
    kind = type(value)
    text = repr(value)
    if len(text) > 10000:
        text = text[:10000] + "..."
    return {"type": kind.__module__ + "." + kind.__qualname__, "repr": text}


def write_outputs(document, pickled):
    os.makedirs(OUT_DIR, exist_ok=True)
    files = {"result.json": json.dumps(document, allow_nan=False).encode("utf-8")}
    if pickled is not None:
        files["result.pickle"] = pickled
    for name, data in files.items():
        with open(os.path.join(OUT_DIR, name), "wb") as f:
            f.write(data)
    announce(files)
    target = os.environ.get("BATCH_EXECUTOR_RESULT_S3_URI")
    if target:
        upload_to_s3(target, files)


def announce(files):
    """Also prints small outputs, framed by the marker the service gave, as the last line of
    stdout: the local backend then reads them with the logs instead of copying them out of the
    container. Larger outputs are only in the files."""
    marker = os.environ.get("BATCH_EXECUTOR_RESULT_MARKER")
    if not marker or sum(len(d) for d in files.values()) > ANNOUNCE_LIMIT:
        return
    encoded = {name: base64.b64encode(data).decode("ascii") for name, data in files.items()}
    sys.stdout.flush()
    sys.stdout.write("\n%s %s\n" % (marker, json.dumps(encoded)))
    sys.stdout.flush()


def drop_expect_header(request, **_):
    request.headers.pop("Expect", None)


def upload_to_s3(target, files):
    import boto3  # only needed on AWS Batch

    bucket, _, prefix = target[len("s3://"):].partition("/")
    endpoint = os.environ.get("BATCH_EXECUTOR_S3_ENDPOINT") or None
    if endpoint:  # S3-compatible servers want path-style addressing
        from botocore.config import Config

        s3 = boto3.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}))
        # some S3-compatible servers answer "Expect: 100-continue" in a way older http.client
        # misreads; the bodies here are small, so do without it
        s3.meta.events.register("before-send.s3.PutObject", drop_expect_header)
    else:
        s3 = boto3.client("s3")
    for name, data in files.items():
        s3.put_object(Bucket=bucket, Key=prefix.rstrip("/") + "/" + name, Body=data)


def main():
    try:
        with open(PAYLOAD, "r", encoding="utf-8") as f:
            payload = json.load(f)
        source = payload["source"]
        name = payload["function"]
        args = payload.get("args") or []
        kwargs = payload.get("kwargs") or {}
    except Exception as error:  # the image itself is broken
        print("batch-executor: cannot read the task payload: %r" % (error,), file=sys.stderr)
        return EXIT_RUNNER_FAILED

    try:
        module = {"__name__": "__batch_executor_task__"}
        exec(compile(source, "<task source>", "exec"), module)
        function = module.get(name)
        if not callable(function):
            raise NameError("the source defines no function named %r" % (name,))
        value = function(*args, **kwargs)
    except BaseException as error:  # the user's code raised: report it, do not retry it
        document = {
            "ok": False,
            "error": {
                "type": type(error).__name__,
                "message": str(error),
                "traceback": traceback.format_exc(),
            },
        }
        traceback.print_exc()
        try:
            write_outputs(document, None)
        except Exception as store_error:
            print("batch-executor: cannot store the error: %r" % (store_error,), file=sys.stderr)
            return EXIT_RUNNER_FAILED
        return EXIT_RAISED

    try:
        if is_json(value):
            write_outputs({"ok": True, "value": value}, None)
        else:
            document = {"ok": True}
            document.update(describe(value))
            try:
                pickled = pickle.dumps(value, protocol=4)
                document["pickled"] = True
            except Exception as error:  # kept as its description, and why
                pickled = None
                document["pickled"] = False
                document["pickle_error"] = "%s: %s" % (type(error).__name__, error)
            write_outputs(document, pickled)
    except Exception as error:
        print("batch-executor: cannot store the result: %s" % (traceback.format_exc(),), file=sys.stderr)
        return EXIT_RUNNER_FAILED
    return 0


if __name__ == "__main__":
    sys.stdout.flush()
    sys.exit(main())
