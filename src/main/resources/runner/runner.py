"""batch-executor task runner.

Part of every task image. It reads the call (payload.json: source, function name, args, kwargs),
loads the function from its source, calls it, and writes result.json: the return value, or the exception's type,
message and traceback. A value that JSON cannot carry is kept as result.pickle, described in
result.json by its type and repr. Only the standard library is needed; boto3 is used when the
result has to go to S3 (BATCH_EXECUTOR_RESULT_S3_URI) or an input comes from there.

Where the payload comes from: a baked image has it at /batch-executor/payload.json; an environment
image (staged payload) gets it from the local backend in BATCH_EXECUTOR_PAYLOAD_JSON when it is
small, else as the file BATCH_EXECUTOR_PAYLOAD names, copied before the container starts into the
container's own volume (its root filesystem is read-only there, and the runner not root); on AWS
Batch it reads it from S3, where BATCH_EXECUTOR_PAYLOAD_S3_URI names it. Nothing here needs a
network on the local backend: its containers have none.

In a workflow, an argument {"$task": "<key>"} stands for the result of that task, with the operations
of its "path" applied when it has one (an index, slice, attribute or operator: see apply_path);
BATCH_EXECUTOR_INPUTS maps each key to where that task's result.json (and result.pickle, for a
value JSON cannot carry) can be read, a directory or an s3:// prefix.

The source runs as a module of its own, named after the source's digest
(__batch_executor_task_<digest>__), so that values of the classes it defines can be pickled. A
pickled result names the modules its pickle refers to, with their sources, in result.json
("modules"); a task that takes it as input loads those modules under the same names before it
unpickles it, so a value whose class only the producing task defines is usable downstream, in a
task whose source does not define it.

A sweep's payload carries its axes, {"sweep": {"product": {"<name>": [values], ...}}}: this run
computes the combination at AWS_BATCH_JOB_ARRAY_INDEX (a child of an array job) or
BATCH_EXECUTOR_SWEEP_INDEX (the local backend) from them (sweep_combination: the names in the order
given, the last varying fastest, the order the service's Sweep defines), adds it to kwargs, and its
S3 result goes under sweep/<index>/. A payload written for a sweep accepted before payloads carried
the axes lists every combination ({"sweep": [combination, ...]}): that run takes the one at its
index. An exception of the function is then that combination's
outcome, not a failure of the run: the runner exits 0.

Digests: the service gives the payload's SHA-256 in BATCH_EXECUTOR_PAYLOAD_SHA256 and, for a
workflow task, the SHA-256 of each input's result files as it collected them in
BATCH_EXECUTOR_INPUT_SHA256 ({"<key>": {"result.json": ..., "result.pickle": ...}}); both travel in
the environment the service sets, never through the object store. A payload or an input that does
not match is refused before anything of it is used: result.json says so (error type PayloadAltered
or InputAltered, naming it) and the runner exits 65, which is never retried.

A workflow task may return a sub-workflow: an instance of SubWorkflow, which task code imports from
the module batch_executor_task (registered by the runner before the source runs). result.json is then
{"ok": true, "workflow": {"tasks": {...}, "output": ..., "name": ...}}: the tasks as the body of
POST /api/v1/workflows has them, and the output, a JSON value whose {"$task": key} references stand
for those tasks' results. A plain dict is never taken for one. The service adds the tasks to the
running workflow and the task's value becomes the output once they end.

What the task writes through sys.stdout and sys.stderr (print, tracebacks, a logging handler on
a stream) goes to the container's output as before, and a copy of each is kept apart: stdout.txt
and stderr.txt beside result.json (and with it to S3), each at most BATCH_EXECUTOR_MAX_LOG_SIZE
bytes (16 MiB unless the service says): its first and last halves, with one line between them
saying how much was dropped. Output written to the file descriptors directly (a subprocess, os.write)
is in the container's output only.

A task's files (payload "files", each {"path", "order", "upload" or "s3"}): before the function
runs, each of order "before" is placed at its path — an upload of the client's, read beside the
payload (UPLOADS_DIR, copied in by the local backend; uploads/ beside the payload in S3 on AWS
Batch) and checked against its id, the SHA-256 of its bytes, or an S3 object read with the job's
role. Once the function returned, each of order "after" is written to its S3 URI, or, without one,
kept for the client as file-<index> beside result.json, at most BATCH_EXECUTOR_MAX_KEPT_FILE_SIZE
bytes (the service's max-result-size; unbounded when not set). A file that cannot be placed fails the
task before the function runs (FileTransferFailed); one the function did not leave, or a kept one
over the bound (KeptFileTooLarge), fails it after.

Exit codes: 0 the function returned; 65 the function (or its module source) raised, or the runner
refused its payload or an input; 66 the runner itself could not do its job (unreadable payload,
result not storable).
"""

import json
import math
import os
import sys
import types

# pickle and traceback are imported where they are needed: most calls return a value JSON
# carries, and a container's start-up is part of every task's time

PAYLOAD = os.environ.get("BATCH_EXECUTOR_PAYLOAD", "/batch-executor/payload.json")
OUT_DIR = os.environ.get("BATCH_EXECUTOR_OUTPUT_DIR", "/tmp/batch-executor/out")
EXIT_RAISED = 65
EXIT_RUNNER_FAILED = 66
SWEEP_INDEX = None  # set by main() for a run of a sweep
TASK_MODULE_PREFIX = "__batch_executor_task_"
LOADED_SOURCES = {}  # the name of every task module loaded in this run -> its source
WORKFLOW_KEY = "workflow"  # the key of result.json that carries a returned sub-workflow
UPLOADS_DIR = "/batch-executor-files/uploads"  # the local backend copies a task's uploads here
KEPT_FILE_PREFIX = "file-"  # file-<index>: a file the task's files keep for the client
KEPT_FILES = {}  # the kept files' names -> their bytes, written beside result.json
TASK_API_MODULE = "batch_executor_task"  # what task code imports SubWorkflow from


class SubWorkflow(object):
    """A workflow a task returns: its tasks (key -> the task as POST /api/v1/workflows takes it,
    with {"$task": key} references to each other) and its output (a JSON value whose references
    stand for those tasks' results), which becomes the returning task's value."""

    def __init__(self, tasks, output, name=None):
        self.tasks = tasks
        self.output = output
        self.name = name

    def document(self):
        document = {"tasks": self.tasks, "output": self.output}
        if self.name is not None:
            document["name"] = self.name
        if not is_json(document):
            raise TypeError(
                "a SubWorkflow's tasks, output and name must be JSON values (dicts keyed by"
                " strings, lists, strings, numbers, booleans, None)")
        return document


def register_task_api():
    """Makes ``from batch_executor_task import SubWorkflow`` work in task code."""
    module = types.ModuleType(TASK_API_MODULE)
    module.SubWorkflow = SubWorkflow
    sys.modules[TASK_API_MODULE] = module


def task_module_name(source):
    digest = sha256_hex(source.encode("utf-8", "surrogatepass"))
    return "%s%s__" % (TASK_MODULE_PREFIX, digest[:20])


def is_task_module_name(name):
    return (
        isinstance(name, str)
        and name.startswith(TASK_MODULE_PREFIX)
        and name.endswith("__")
        and name[len(TASK_MODULE_PREFIX):-2].isalnum()
    )


def load_task_module(name, source, filename):
    """The module of a task's source, executed once per run and registered under name, so that
    pickle finds the classes and functions it defines."""
    module = sys.modules.get(name)
    if module is not None:
        return module
    module = types.ModuleType(name)
    sys.modules[name] = module
    try:
        exec(compile(source, filename, "exec"), module.__dict__)
    except BaseException:
        del sys.modules[name]
        raise
    LOADED_SOURCES[name] = source
    return module


def modules_of(pickled):
    """The task modules (name -> source) that a pickle refers to by name."""
    return {
        name: source
        for name, source in LOADED_SOURCES.items()
        if name.encode("ascii") in pickled
    }


def is_json(value, depth=0):
    """True when JSON carries the value as it is. A tuple is not (JSON would make it a list): it
    is pickled, so that it stays a tuple for the tasks and clients that read it."""
    if depth > 200:
        return False
    if value is None or isinstance(value, (bool, str)):
        return True
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(is_json(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_json(v, depth + 1) for k, v in value.items())
    return False


MESSAGE_IN_TRACEBACK = 4096


def format_traceback(message):
    """The traceback of the exception being handled, its message shortened where it is repeated.

    The message travels whole beside it; a message of megabytes repeated in the traceback (and in
    the output) would push the frames out of any bounded view of it.
    """
    import traceback

    text = traceback.format_exc()
    if len(message) > MESSAGE_IN_TRACEBACK:
        text = text.replace(
            message,
            "%s... [%d more characters]"
            % (message[:MESSAGE_IN_TRACEBACK], len(message) - MESSAGE_IN_TRACEBACK),
        )
    return text


def describe(value):
    kind = type(value)
    text = repr(value)
    if len(text) > 10000:
        text = text[:10000] + "..."
    return {"type": kind.__module__ + "." + kind.__qualname__, "repr": text}


class KeptStream:
    """Stands for sys.stdout or sys.stderr: everything written goes through to the original (the
    container's output keeps it all), and a copy is kept within a bound, its first and last halves."""

    def __init__(self, original, limit):
        self._original = original
        self._half = max(1, limit // 2)
        self._head = bytearray()
        self._tail = bytearray()
        self._received = 0

    def write(self, text):
        written = self._original.write(text)
        data = text.encode("utf-8", "replace") if isinstance(text, str) else bytes(text)
        self._received += len(data)
        room = self._half - len(self._head)
        if room > 0:
            self._head += data[:room]
            data = data[room:]
        if data:
            self._tail += data
            if len(self._tail) > 2 * self._half:
                del self._tail[:len(self._tail) - self._half]
        return written

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        self._original.flush()

    def __getattr__(self, name):
        return getattr(self._original, name)

    def kept(self):
        """What was written, within the bound: head, the line about what was dropped, tail."""
        tail = bytes(self._tail[-self._half:]) if len(self._tail) > self._half else bytes(self._tail)
        dropped = self._received - len(self._head) - len(tail)
        if dropped <= 0:
            return bytes(self._head) + tail
        line = (
            "[batch-executor: %d bytes dropped here; this stream keeps its first and last %d bytes]\n"
            % (dropped, self._half)
        ).encode("utf-8")
        if self._head and not self._head.endswith(b"\n"):
            line = b"\n" + line
        return bytes(self._head) + line + tail


KEPT_STREAMS = {}  # "stdout.txt"/"stderr.txt" -> KeptStream, once the task's code is about to run


def keep_streams():
    """From now on a copy of stdout and of stderr is kept for stdout.txt and stderr.txt."""
    try:
        limit = int(os.environ.get("BATCH_EXECUTOR_MAX_LOG_SIZE") or 16 * 1024 * 1024)
    except ValueError:
        limit = 16 * 1024 * 1024
    sys.stdout = KEPT_STREAMS["stdout.txt"] = KeptStream(sys.stdout, limit)
    sys.stderr = KEPT_STREAMS["stderr.txt"] = KeptStream(sys.stderr, limit)


def write_outputs(document, pickled):
    os.makedirs(OUT_DIR, exist_ok=True)
    files = {"result.json": json.dumps(document, allow_nan=False).encode("utf-8")}
    if pickled is not None:
        files["result.pickle"] = pickled
    for name, stream in KEPT_STREAMS.items():
        files[name] = stream.kept()
    files.update(KEPT_FILES)
    for name, data in files.items():
        with open(os.path.join(OUT_DIR, name), "wb") as f:
            f.write(data)
    target = os.environ.get("BATCH_EXECUTOR_RESULT_S3_URI")
    if target:
        if SWEEP_INDEX is not None:
            target = target.rstrip("/") + "/sweep/%d/" % SWEEP_INDEX
        upload_to_s3(target, files)


class InputUnavailable(Exception):
    """The result of a task this one depends on cannot be read."""


class Refused(Exception):
    """The payload or an input does not match the SHA-256 the service gave: it is not used."""

    def __init__(self, kind, message):
        Exception.__init__(self, message)
        self.kind = kind


# Python's own SHA-256 (built in, loaded at once) for what is small; hashlib's (OpenSSL: a
# library of its own to load, faster per byte) only for larger inputs
try:
    from _sha2 import sha256 as _small_sha256  # Python 3.12 and later
except ImportError:
    try:
        from _sha256 import sha256 as _small_sha256  # before 3.12
    except ImportError:
        _small_sha256 = None

SMALL_DIGEST = 1 << 20


def sha256_hex(data):
    if _small_sha256 is not None and len(data) <= SMALL_DIGEST:
        return _small_sha256(data).hexdigest()
    import hashlib

    return hashlib.sha256(data).hexdigest()


def check_payload(data, where):
    """Refuses payload bytes that do not match BATCH_EXECUTOR_PAYLOAD_SHA256 (when it is set)."""
    expected = os.environ.get("BATCH_EXECUTOR_PAYLOAD_SHA256")
    if not expected:
        return data
    actual = sha256_hex(data)
    if actual != expected.strip().lower():
        raise Refused(
            "PayloadAltered",
            "the payload (payload.json, read from %s) does not match the SHA-256 the service gave"
            " (expected %s, got %s): it was changed after it was written, and is not run"
            % (where, expected, actual),
        )
    return data


def input_digests():
    """BATCH_EXECUTOR_INPUT_SHA256: for each input key, the SHA-256 of its result files."""
    try:
        digests = json.loads(os.environ.get("BATCH_EXECUTOR_INPUT_SHA256") or "{}")
    except ValueError:
        digests = None
    if not isinstance(digests, dict):
        raise InputUnavailable("BATCH_EXECUTOR_INPUT_SHA256 is not a JSON object")
    return digests


def check_input(key, name, data, location):
    """Refuses an input's file (result.json, result.pickle) that does not match its digest. An
    input the service gave no digests for (its task ended before digests were kept) is taken as
    it is; a file the digests do not list, when they list others, is refused."""
    expected = input_digests().get(key)
    if expected is None:
        return data
    actual = sha256_hex(data)
    wanted = expected.get(name) if isinstance(expected, dict) else None
    if wanted is None or actual != str(wanted).lower():
        raise Refused(
            "InputAltered",
            "the input %r (%s of its task, read from %s) does not match the SHA-256 the service"
            " recorded when it collected it (expected %s, got %s): it was changed in the object"
            " store, and is not used" % (key, name, location, wanted, actual),
        )
    return data


class TransferFailed(InputUnavailable):
    """A file of the task's files cannot be placed before the function runs."""

    error_type = "FileTransferFailed"


def split_s3(uri):
    bucket, _, key = uri[len("s3://"):].partition("/")
    return bucket, key


def uploads_location():
    """Where the task's uploads are: beside the payload in S3 on AWS Batch, else UPLOADS_DIR."""
    payload = os.environ.get("BATCH_EXECUTOR_PAYLOAD_S3_URI")
    if payload:
        return payload.rsplit("/", 1)[0] + "/uploads"
    return os.environ.get("BATCH_EXECUTOR_UPLOADS_DIR") or UPLOADS_DIR


def place_files(files):
    """Places each file of order "before" at its path, before the function runs."""
    for index, item in enumerate(files):
        if item.get("order") == "after":
            continue
        path = item["path"]
        try:
            if item.get("upload"):
                where = uploads_location()
                data = read_input(where, item["upload"])
                if sha256_hex(data) != item["upload"]:
                    raise Refused(
                        "InputAltered",
                        "the upload %s for %s (read from %s) does not match its SHA-256: it was"
                        " changed in the object store, and is not used" % (item["upload"], path, where),
                    )
            else:
                bucket, key = split_s3(item["s3"])
                data = s3_client().get_object(Bucket=bucket, Key=key)["Body"].read()
            directory = os.path.dirname(path)
            if directory:
                os.makedirs(directory, exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        except Refused:
            raise
        except Exception as error:
            raise TransferFailed(
                "cannot place files[%d] at %s: %s: %s (on the local backend only /tmp is"
                " writable in a task's container)" % (index, path, type(error).__name__, error)
            )


class KeptFileTooLarge(Exception):
    """A file the task's files keep for the client is larger than the service takes."""


def take_files(files):
    """Takes each file of order "after" from its path once the function returned: to its S3 URI,
    or kept for the client (file-<index>). One the function did not leave raises, and so does a
    kept one over BATCH_EXECUTOR_MAX_KEPT_FILE_SIZE (it is neither read nor stored)."""
    bound = os.environ.get("BATCH_EXECUTOR_MAX_KEPT_FILE_SIZE")
    for index, item in enumerate(files):
        if item.get("order") != "after":
            continue
        path = item["path"]
        if not os.path.isfile(path):
            raise FileNotFoundError(
                "files[%d]: the task left no file at %s to transfer after it" % (index, path))
        size = os.path.getsize(path)
        if bound and not item.get("s3") and size > int(bound):
            raise KeptFileTooLarge(
                "files[%d]: the task left %s of %d bytes, more than the %s bytes the service keeps"
                " for the client (batch-executor.storage.max-result-size); write it to s3, or"
                " keep a smaller file" % (index, path, size, bound))
        with open(path, "rb") as f:
            data = f.read()
        if item.get("s3"):
            bucket, key = split_s3(item["s3"])
            s3_client().put_object(Bucket=bucket, Key=key, Body=data)
        else:
            KEPT_FILES[KEPT_FILE_PREFIX + str(index)] = data


def s3_client():
    import boto3  # only needed on AWS Batch

    from botocore.config import Config

    # a passing S3 error is tried again, with back-off, before the run gives up on it
    retries = {"max_attempts": 8, "mode": "standard"}
    endpoint = os.environ.get("BATCH_EXECUTOR_S3_ENDPOINT") or None
    if not endpoint:
        return boto3.client("s3", config=Config(retries=retries))
    # S3-compatible servers want path-style addressing
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        config=Config(s3={"addressing_style": "path"}, retries=retries),
    )
    # some S3-compatible servers answer "Expect: 100-continue" in a way older http.client
    # misreads; the bodies here are small, so do without it
    s3.meta.events.register("before-send.s3.PutObject", drop_expect_header)
    return s3


def read_input(location, name):
    if location.startswith("s3://"):
        bucket, _, prefix = location[len("s3://"):].partition("/")
        body = s3_client().get_object(Bucket=bucket, Key=prefix.rstrip("/") + "/" + name)["Body"]
        return body.read()
    with open(os.path.join(location, name), "rb") as f:
        return f.read()


def upstream(key, inputs, loaded):
    if key in loaded:
        return loaded[key]
    location = inputs.get(key)
    if location is None:
        raise InputUnavailable("no input is known for task %r" % (key,))
    try:
        data = read_input(location, "result.json")
    except Exception as error:
        raise InputUnavailable("cannot read the result of task %r: %s" % (key, error))
    check_input(key, "result.json", data, location)
    try:
        document = json.loads(data.decode("utf-8"))
    except Exception as error:
        raise InputUnavailable("cannot read the result of task %r: %s" % (key, error))
    if not document.get("ok"):
        raise InputUnavailable("task %r has no result" % (key,))
    if "value" in document:
        value = document["value"]
    elif document.get("pickled"):
        modules = document.get("modules") or {}
        for name, source in modules.items():
            # the producing task's own classes: loaded under the name its pickle refers to
            if not is_task_module_name(name) or not isinstance(source, str):
                continue
            try:
                load_task_module(name, source, "<source of task %s>" % (key,))
            except Exception as error:
                raise InputUnavailable(
                    "cannot load the source of task %r, which its pickled result needs: %s: %s"
                    % (key, type(error).__name__, error)
                )
        try:
            data = read_input(location, "result.pickle")
        except Exception as error:
            raise InputUnavailable(
                "cannot read the pickled result of task %r: %s: %s" % (key, type(error).__name__, error)
            )
        check_input(key, "result.pickle", data, location)
        try:
            import pickle

            value = pickle.loads(data)
        except Exception as error:
            raise InputUnavailable(
                "cannot load the pickled result of task %r: %s: %s" % (key, type(error).__name__, error)
            )
    else:
        raise InputUnavailable(
            "the result of task %r (%s) could not be pickled: %s"
            % (key, document.get("type"), document.get("pickle_error"))
        )
    loaded[key] = value
    return value


class OperationFailed(Exception):
    """An operation of a reference's path raised: reported as the task's error, under the type
    that operation raised."""

    def __init__(self, error_type, message):
        super().__init__(message)
        self.error_type = error_type


def is_reference(value):
    return (isinstance(value, dict) and isinstance(value.get("$task"), str)
            and len(value) == (2 if "path" in value else 1))


def apply_path(value, key, path, inputs, loaded, depth):
    """``value`` (the result of task ``key``) with the operations of a reference's path applied
    in order; the operands may be references themselves."""
    import operator

    shown = "the result of task %r" % (key,)
    for step in path:
        try:
            if "index" in step:
                index = resolve(step["index"], inputs, loaded, depth + 1)
                shown += "[%r]" % (index,)
                value = value[index]
            elif "slice" in step:
                bounds = step["slice"]
                shown += "[%s]" % ":".join("" if b is None else str(b) for b in bounds)
                value = value[slice(*bounds)]
            elif "attr" in step:
                shown += "." + step["attr"]
                value = getattr(value, step["attr"])
            else:
                name = step["op"]
                function = getattr(operator, name + "_" if name in ("and", "or") else name)
                if "right" in step:
                    value = function(value, resolve(step["right"], inputs, loaded, depth + 1))
                elif "left" in step:
                    value = function(resolve(step["left"], inputs, loaded, depth + 1), value)
                else:
                    value = function(value)
                shown = "%s(%s)" % (name, shown)
        except (InputUnavailable, Refused, OperationFailed):
            raise
        except Exception as error:
            raise OperationFailed(type(error).__name__, "%s: %s: %s"
                                  % (shown, type(error).__name__, error))
    return value


def resolve(value, inputs, loaded, depth=0):
    """The arguments with every {"$task": key} replaced by that task's result, and the operations
    of its "path" applied."""
    if depth > 1000:
        return value
    if isinstance(value, dict):
        if is_reference(value):
            result = upstream(value["$task"], inputs, loaded)
            if "path" in value:
                result = apply_path(result, value["$task"], value["path"], inputs, loaded, depth)
            return result
        return {k: resolve(v, inputs, loaded, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, inputs, loaded, depth + 1) for v in value]
    return value


def drop_expect_header(request, **_):
    request.headers.pop("Expect", None)


def sweep_combination(sweep, index):
    """The combination run index computes of the payload's "sweep", without listing the others.

    {"product": axes}: index is a mixed-radix number, one digit per name, the last name's the least
    significant (it varies fastest); each digit picks its name's value. A list: every combination,
    as payloads of sweeps accepted before the axes were sent carry them."""
    if isinstance(sweep, list):
        if not 0 <= index < len(sweep):
            raise IndexError("run %d of a sweep of %d runs" % (index, len(sweep)))
        return sweep[index]
    if not isinstance(sweep, dict) or set(sweep) != {"product"} or not isinstance(sweep["product"], dict):
        raise ValueError("the payload's sweep is neither {\"product\": axes} nor a list of combinations")
    axes = list(sweep["product"].items())
    runs = 1
    for _, values in axes:
        runs *= len(values)
    if not 0 <= index < runs:
        raise IndexError("run %d of a sweep of %d runs" % (index, runs))
    picked = [None] * len(axes)
    rest = index
    for position in range(len(axes) - 1, -1, -1):
        values = axes[position][1]
        rest, digit = divmod(rest, len(values))
        picked[position] = values[digit]
    return {name: value for (name, _), value in zip(axes, picked)}


def read_payload():
    # as bytes, decoded as the UTF-8 the service wrote, whatever locale the base image sets
    inline = os.environb.get(b"BATCH_EXECUTOR_PAYLOAD_JSON")
    if inline:
        return json.loads(check_payload(inline, "the environment").decode("utf-8"))
    location = os.environ.get("BATCH_EXECUTOR_PAYLOAD_S3_URI")
    if location:
        bucket, _, key = location[len("s3://"):].partition("/")
        data = s3_client().get_object(Bucket=bucket, Key=key)["Body"].read()
        return json.loads(check_payload(data, location).decode("utf-8"))
    with open(PAYLOAD, "rb") as f:
        data = f.read()
    return json.loads(check_payload(data, PAYLOAD).decode("utf-8"))


def refuse(error):
    """Reports a refused payload or input in result.json, and the exit code that says so."""
    print("batch-executor: %s" % (error,), file=sys.stderr)
    try:
        write_outputs({"ok": False, "error": {"type": error.kind, "message": str(error),
                                               "traceback": ""}}, None)
    except Exception:
        return EXIT_RUNNER_FAILED
    return EXIT_RAISED


def upload_to_s3(target, files):
    bucket, _, prefix = target[len("s3://"):].partition("/")
    s3 = s3_client()
    for name, data in files.items():
        s3.put_object(Bucket=bucket, Key=prefix.rstrip("/") + "/" + name, Body=data)


def main():
    global SWEEP_INDEX
    try:
        # there before the function runs, as where it may leave files to keep; on the local
        # engine the runner makes it in the volume the image's open directory gave the container
        os.makedirs(OUT_DIR, exist_ok=True)
        payload = read_payload()
        source = payload["source"]
        name = payload["function"]
        args = payload.get("args") or []
        kwargs = payload.get("kwargs") or {}
        files = payload.get("files") or []
        combination = {}
        if payload.get("sweep") is not None:
            SWEEP_INDEX = int(
                os.environ.get("AWS_BATCH_JOB_ARRAY_INDEX")
                or os.environ.get("BATCH_EXECUTOR_SWEEP_INDEX")
                or "0"
            )
            combination = sweep_combination(payload["sweep"], SWEEP_INDEX)
    except Refused as error:
        return refuse(error)
    except Exception as error:  # the image is broken, or the staged payload cannot be read
        print("batch-executor: cannot read the task payload: %r" % (error,), file=sys.stderr)
        return EXIT_RUNNER_FAILED

    keep_streams()
    try:
        inputs = json.loads(os.environ.get("BATCH_EXECUTOR_INPUTS") or "{}")
        loaded = {}
        args = resolve(args, inputs, loaded)
        kwargs = resolve(kwargs, inputs, loaded)
        kwargs.update(combination)
        place_files(files)
    except Refused as error:
        return refuse(error)
    except (InputUnavailable, OperationFailed) as error:
        print("batch-executor: %s" % (error,), file=sys.stderr)
        kind = getattr(error, "error_type", "InputUnavailable")
        try:
            write_outputs({"ok": False, "error": {"type": kind, "message": str(error),
                                                   "traceback": ""}}, None)
        except Exception:
            return EXIT_RUNNER_FAILED
        return EXIT_RAISED

    try:
        # a real module, registered, so that values of classes the source defines can be pickled
        # (and unpickled by a later task, which loads this source under the same name)
        register_task_api()
        module = load_task_module(task_module_name(source), source, "<task source>")
        function = getattr(module, name, None)
        if not callable(function):
            raise NameError("the source defines no function named %r" % (name,))
        value = function(*args, **kwargs)
        take_files(files)
        workflow = None
        if isinstance(value, SubWorkflow):
            if SWEEP_INDEX is not None:
                raise TypeError("a run of a sweep cannot return a SubWorkflow")
            workflow = value.document()
    except BaseException as error:  # the user's code raised: report it, do not retry it
        message = str(error)
        trace = format_traceback(message)
        document = {
            "ok": False,
            "error": {"type": type(error).__name__, "message": message, "traceback": trace},
        }
        print(trace, end="", file=sys.stderr)
        try:
            write_outputs(document, None)
        except Exception as store_error:
            print("batch-executor: cannot store the error: %r" % (store_error,), file=sys.stderr)
            return EXIT_RUNNER_FAILED
        return 0 if SWEEP_INDEX is not None else EXIT_RAISED

    try:
        if workflow is not None:
            write_outputs({"ok": True, WORKFLOW_KEY: workflow}, None)
        elif is_json(value):
            write_outputs({"ok": True, "value": value}, None)
        else:
            document = {"ok": True}
            document.update(describe(value))
            try:
                import pickle

                pickled = pickle.dumps(value, protocol=4)
                document["pickled"] = True
                modules = modules_of(pickled)
                if modules:
                    document["modules"] = modules
            except Exception as error:  # kept as its description, and why
                pickled = None
                document["pickled"] = False
                document["pickle_error"] = "%s: %s" % (type(error).__name__, error)
            write_outputs(document, pickled)
    except Exception as error:
        import traceback

        print("batch-executor: cannot store the result: %s" % (traceback.format_exc(),), file=sys.stderr)
        return EXIT_RUNNER_FAILED
    return 0


if __name__ == "__main__":
    sys.stdout.flush()
    sys.exit(main())
