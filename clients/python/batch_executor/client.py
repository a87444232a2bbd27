"""The HTTP client of batch-executor: submit functions, wait for them, read results and logs."""

import codecs
import hashlib
import hmac
import io
import json
import math
import os
import pickle
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from . import hooks, values
from .deps import executor_settings, requirements_of
from .errors import (
    ApiError,
    ResultAltered,
    ResultNotAvailable,
    ServiceUnreachable,
    TaskCancelled,
    TaskFailed,
    Unauthorized,
    WaitTimeout,
)
from .source import function_source

DEFAULT_URL = "http://127.0.0.1:8080"
DEFAULT_CACHE_DIR = "/tmp/covalent"
TASKS = "/api/v1/tasks"
WORKFLOWS = "/api/v1/workflows"
FINAL = ("SUCCEEDED", "FAILED", "CANCELLED")
MAX_HELD_WAIT = 60  # seconds the service holds an answer at most
TASK_MODULE_PREFIX = "__batch_executor_task_"


def token_file() -> str:
    """Where the service keeps the token it made: ``<cache_dir>/api-token``."""
    cache_dir = os.environ.get("BATCH_EXECUTOR_AWSBATCH_CACHE_DIR") or DEFAULT_CACHE_DIR
    return os.path.join(cache_dir, "api-token")


def find_token(token: Optional[str] = None) -> Tuple[Optional[str], Optional[str], List[str]]:
    """The token to send, where it came from, and every place looked at (for a 401's message)."""
    looked = []
    if token:
        return token, "the token argument", looked
    looked.append("the token argument (not given)")
    env = os.environ.get("BATCH_EXECUTOR_TOKEN")
    if env and env.strip():
        return env.strip(), "BATCH_EXECUTOR_TOKEN", looked
    looked.append("BATCH_EXECUTOR_TOKEN (not set)")
    path = token_file()
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read().strip()
        if text:
            return text, path, looked
        looked.append("%s (empty)" % path)
    except OSError as error:
        looked.append("%s (%s)" % (path, error.strerror or error))
    return None, None, looked


def _origin(url):
    parts = urllib.parse.urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return parts.scheme.lower(), (parts.hostname or "").lower(), parts.port or default


class _SameOriginCredentials(urllib.request.HTTPRedirectHandler):
    """Follows redirects as urllib does, but sends the token only to the origin it was meant for.

    urllib copies every header of a request onto the redirected one: a redirect to another host
    (or scheme or port) would hand that host the client's bearer token. Here the redirected
    request keeps ``Authorization`` only when scheme, host and port are those of the original.
    """

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and _origin(newurl) != _origin(req.full_url):
            for name in [k for k in new.headers if k.lower() == "authorization"]:
                del new.headers[name]
            new.unredirected_hdrs.pop("Authorization", None)
        return new


class Client:
    """A connection to one batch-executor service.

    ``url`` defaults to ``BATCH_EXECUTOR_URL``, else ``http://127.0.0.1:8080``; ``token`` to
    ``BATCH_EXECUTOR_TOKEN``, else the token file the service writes (``<cache_dir>/api-token``,
    ``/tmp/covalent/api-token`` by default) when it is readable.
    """

    def __init__(self, url: Optional[str] = None, token: Optional[str] = None,
                 timeout: float = 30.0) -> None:
        self.url = (url or os.environ.get("BATCH_EXECUTOR_URL") or DEFAULT_URL).rstrip("/")
        self.token, self.token_source, self._looked = find_token(token)
        self.timeout = timeout
        host = urllib.parse.urlsplit(self.url).hostname or ""
        handlers = [_SameOriginCredentials()]
        if host in ("127.0.0.1", "localhost", "::1"):
            handlers.append(urllib.request.ProxyHandler({}))  # never through a proxy to loopback
        self._opener = urllib.request.build_opener(*handlers)

    def __repr__(self):
        return "Client(%r)" % (self.url,)

    # ---- HTTP -----------------------------------------------------------------------------------

    def request(self, method: str, path: str, body: Any = None,
                query: Optional[Dict[str, Any]] = None, accept: str = "application/json",
                headers: Optional[Dict[str, str]] = None, timeout: Optional[float] = None,
                stream: bool = False, retry: Optional[bool] = None,
                data: Optional[bytes] = None, refusals: int = 3) -> Any:
        """One call: the decoded JSON answer (or bytes, or text), or an ApiError.

        A ``503`` with ``Retry-After`` is tried again a few times for reads and for submissions
        (which carry an Idempotency-Key, so a repeat creates nothing twice). A ``429`` with
        ``Retry-After`` (a limit of the client's: nothing was done) is tried again the same way
        for any call. Either waits what ``Retry-After`` says, at most 10 s a time: a ``503`` (or a
        reset connection) is tried again 3 times at most, a ``429`` ``refusals`` times.
        """
        url = self.url + path
        if query:
            url += "?" + urllib.parse.urlencode(
                {k: v for k, v in query.items() if v is not None}, doseq=True
            )
        all_headers = {"Accept": accept, "User-Agent": "batch-executor-python"}
        if data is not None:  # raw bytes: an upload
            all_headers["Content-Type"] = "application/octet-stream"
        if self.token:
            all_headers["Authorization"] = "Bearer " + self.token
        if body is not None:
            data = json.dumps(body, allow_nan=False).encode("utf-8")
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        if retry is None:
            retry = method == "GET" or "Idempotency-Key" in all_headers
        refused = failed = 0  # 429s, and 503s or resets, so far
        while True:
            request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
            try:
                response = self._opener.open(request, timeout=timeout or self.timeout)
            except urllib.error.HTTPError as error:
                delay = _retry_after(error)
                if delay is not None and error.code == 429 and refused < refusals:
                    refused += 1
                elif delay is not None and error.code == 503 and retry and failed < 3:
                    failed += 1
                else:
                    raise self._problem(error, method, url)
                error.close()
                time.sleep(delay)
                continue
            except (urllib.error.URLError, OSError) as error:
                reason = getattr(error, "reason", error)
                if retry and failed < 3 and isinstance(reason, ConnectionResetError):
                    failed += 1
                    time.sleep(1)
                    continue
                raise ServiceUnreachable(self.url, reason)
            if stream:
                return response
            try:
                payload = response.read()
                content_type = response.headers.get("Content-Type", "")
            except (OSError, socket.timeout) as error:
                raise ServiceUnreachable(self.url, error)
            finally:
                response.close()
            if response.status == 204 or not payload:
                return None
            if "json" in content_type:
                return json.loads(payload.decode("utf-8"))
            if content_type.startswith("text/"):
                return payload.decode("utf-8", "replace")
            return payload

    def _problem(self, error, method, url):
        try:
            text = error.read().decode("utf-8", "replace")
        except OSError:
            text = ""
        finally:
            error.close()
        problem = None
        if text:
            try:
                problem = json.loads(text)
            except ValueError:
                problem = None
        if error.code == 401:
            return Unauthorized(401, problem, method, url, text, self.token_source, self._looked)
        return ApiError(error.code, problem, method, url, text)

    # ---- tasks ----------------------------------------------------------------------------------

    def submit(self, fn: Callable[..., Any], *args: Any, executor: Any = None,
               requirements: Any = None, base_image: Optional[str] = None,
               execution_profile: Optional[str] = None, **kwargs: Any) -> "TaskHandle":
        """Runs ``fn(*args, **kwargs)`` as a task; returns its :class:`TaskHandle` at once.

        ``fn`` travels as source (its own, without the client's decorators, and what it needs from
        its module). ``executor``: an :class:`AWSBatchExecutor`, a dict of its keys, or
        ``"awsbatch"``/``None`` for the service's defaults. ``requirements``: pip requirements
        (or a :class:`DepsPip`); ``base_image``: the image to build on (one the execution profile
        allows); ``execution_profile``: the operator's execution profile to run with (one of
        :meth:`executor`'s; ``None`` for the caller's default), over the executor's.
        """
        name = getattr(fn, "__name__", "task")
        around = ([], [], [])
        if getattr(type(fn), "_batch_executor_electron", False):  # an @electron: its settings
            executor = executor if executor is not None else fn.executor
            requirements = requirements if requirements is not None else fn.deps_pip
            around = (fn.deps_bash or [], fn.call_before or [], fn.call_after or [])
            fn = fn.function
        sliced = function_source(fn)
        what = "the arguments of %s" % name
        body = {
            "name": name,
            "function": {"source": sliced.source, "name": sliced.name},
            "args": values.encode(list(args), None, what, "args"),
            "kwargs": values.encode(dict(kwargs), None, what, "kwargs"),
        }
        if any(around) or values.has_marker([body["args"], body["kwargs"]]):
            source, function = hooks.wrap(sliced.source, sliced.name, *around)
            body["function"] = {"source": source, "name": function}
        settings = executor_settings(executor)
        if execution_profile is not None:
            settings["execution_profile"] = execution_profile
        if settings:
            body["executor"] = settings
        image = {}
        if base_image:
            image["base_image"] = base_image
        packages = requirements_of(requirements)
        packages += [r for r in sliced.requirements + hooks.requirements(around[1] + around[2])
                     if r not in packages]
        if packages:
            image["requirements"] = packages
        if image:
            body["image"] = image
        task = self.submit_task(body)
        return TaskHandle(self, task["id"], task, modules=[sliced.module])

    def submit_task(self, body: Dict[str, Any],
                    idempotency_key: Optional[str] = None) -> Dict[str, Any]:
        """``POST /api/v1/tasks`` with a request body as the API takes it; the task as answered."""
        key = idempotency_key or str(uuid.uuid4())
        return self.request("POST", TASKS, body=body, headers={"Idempotency-Key": key})

    def task(self, task_id: Union[str, uuid.UUID]) -> "TaskHandle":
        """A handle on a task by id."""
        return TaskHandle(self, str(task_id))

    def tasks(self, status: Optional[str] = None, cursor: Optional[str] = None,
              size: int = 50) -> Dict[str, Any]:
        """One page of the caller's tasks, newest first: ``{"items", "size", "next_cursor",
        "total", ...}``; pass ``next_cursor`` as ``cursor`` for the next page (None on the last)."""
        return self.request("GET", TASKS, query={"status": status, "cursor": cursor, "size": size})

    def all_tasks(self, status: Optional[str] = None,
                  size: int = 200) -> Iterator[Dict[str, Any]]:
        """Every one of the caller's tasks, newest first, read a page at a time by cursor: tasks
        submitted meanwhile are not among them, and none of the others is skipped or repeated."""
        return _follow(lambda cursor: self.tasks(status=status, cursor=cursor, size=size))

    # ---- workflows ------------------------------------------------------------------------------

    def submit_workflow(self, body: Dict[str, Any],
                        idempotency_key: Optional[str] = None) -> "WorkflowHandle":
        """``POST /api/v1/workflows`` with a request body as the API takes it; a WorkflowHandle."""
        key = idempotency_key or str(uuid.uuid4())
        answer = self.request("POST", WORKFLOWS, body=body, headers={"Idempotency-Key": key})
        return WorkflowHandle(self, answer["id"], answer)

    def rerun_workflow(
        self,
        workflow_id: Union[str, uuid.UUID],
        body: Optional[Dict[str, Any]] = None,
        idempotency_key: Optional[str] = None,
    ) -> Dict[str, Any]:
        """``POST /api/v1/workflows/{id}/rerun``: a new run of the workflow, reusing the results of
        unchanged tasks unless ``body`` says ``{"reuse": false}``; the new workflow as answered."""
        key = idempotency_key or str(uuid.uuid4())
        return self.request("POST", "%s/%s/rerun" % (WORKFLOWS, workflow_id), body=body or {},
                            headers={"Idempotency-Key": key})

    def workflow(self, workflow_id: Union[str, uuid.UUID]) -> "WorkflowHandle":
        """A handle on a workflow by id."""
        return WorkflowHandle(self, str(workflow_id))

    def workflows(self, status: Optional[str] = None, cursor: Optional[str] = None,
                  size: int = 50) -> Dict[str, Any]:
        """One page of the caller's workflows, newest first; ``next_cursor`` as ``cursor`` for the
        next page. ``total`` is counted up to 10,000 (``total_exact`` false beyond), not with a
        status; with a status a page may hold fewer than ``size`` and still have a next one."""
        return self.request("GET", WORKFLOWS,
                            query={"status": status, "cursor": cursor, "size": size})

    def all_workflows(self, status: Optional[str] = None,
                      size: int = 200) -> Iterator[Dict[str, Any]]:
        """Every one of the caller's workflows, newest first, read a page at a time by cursor."""
        return _follow(lambda cursor: self.workflows(status=status, cursor=cursor, size=size))

    def upload(self, data: bytes) -> Dict[str, Any]:
        """Uploads ``data`` for tasks (``POST /api/v1/files``): the upload's view, whose ``id``
        (the SHA-256 of the bytes) a task names in ``files[].upload``. The same bytes again are
        the same upload. Kept under this client's quota until deleted. An instance stores a
        client's uploads one at a time and refuses more than a few in flight (``429``
        ``too-many-uploads``, ``Retry-After: 1``): such a refusal is tried again for about 30 s,
        each time with the whole body."""
        return self.request("POST", "/api/v1/files", data=bytes(data), retry=True,
                            refusals=_UPLOAD_REFUSALS)

    def delete_upload(self, upload_id: str) -> None:
        """Deletes one of this client's uploads, freeing its bytes from the quota (refused while
        the client has too many uploads in flight: tried again as an upload is)."""
        self.request("DELETE", "/api/v1/files/" + upload_id, refusals=_UPLOAD_REFUSALS)

    def task_file(self, task_id: Union[str, uuid.UUID], index: int) -> bytes:
        """The file a task kept for the client: ``files[index]`` of order after, without s3."""
        data = self.request("GET", "/api/v1/tasks/%s/files/%d" % (task_id, index),
                            accept="application/octet-stream")
        if isinstance(data, str):  # a text/* answer: the bytes as they came
            data = data.encode("utf-8")
        return data if data is not None else b""

    def executor(self) -> Dict[str, Any]:
        """What the caller may choose: its execution profiles (the default first, each with its
        maxima and allowed base images) and the resources a task gets when it names none."""
        return self.request("GET", "/api/v1/executor")


# an upload refused for the client's uploads in flight (Retry-After: 1) is tried for about 30 s
_UPLOAD_REFUSALS = 29


def _retry_after(error):
    value = error.headers.get("Retry-After") if error.headers else None
    try:
        return min(10.0, max(0.0, float(value))) if value is not None else None
    except ValueError:
        return None


def _held(client, path, timeout):
    """GETs ``path`` with held waits (``?wait=``) until ``final(answer)`` or the timeout is over."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        left = MAX_HELD_WAIT if deadline is None else deadline - time.monotonic()
        seconds = max(0, min(MAX_HELD_WAIT, int(math.ceil(left))))
        answer = client.request("GET", path, query={"wait": seconds},
                                timeout=seconds + client.timeout)
        yield answer
        if deadline is not None and time.monotonic() >= deadline:
            return


class _Handle:
    """What the service has under ``<collection>/<id>``, read on demand and kept as ``info``."""

    _collection = None

    def __init__(self, client, id_, info=None):
        self.client = client
        self.id = id_
        self.info = info

    def __repr__(self):
        status = self.info.get("status") if self.info else "?"
        return "<%s %s %s>" % (type(self).__name__, self.id, status)

    @property
    def path(self):
        return "%s/%s" % (self._collection, self.id)

    def refresh(self) -> Dict[str, Any]:
        """As the service has it now (also kept as ``info``)."""
        self.info = self.client.request("GET", self.path)
        return self.info

    @property
    def status(self) -> str:
        """The current status (asks the service)."""
        return self.refresh()["status"]


class TaskHandle(_Handle):
    """A submitted task: ``id``, ``status``, ``wait()``, ``result()``, ``logs()``,
    ``follow_logs()``, ``cancel()``, ``events()``."""

    _collection = TASKS

    def __init__(self, client, task_id, info=None, modules=()):
        super().__init__(client, task_id, info)
        self._modules = list(modules)

    def wait(self, timeout: Optional[float] = None) -> str:
        """Waits until the task has ended, with held requests (never a busy poll); returns its
        final status. Raises WaitTimeout when it has not ended within ``timeout`` seconds."""
        if self.info and self.info.get("status") in FINAL:
            return self.info["status"]
        for answer in _held(self.client, self.path, timeout):
            self.info = answer
            if answer["status"] in FINAL:
                return answer["status"]
        raise WaitTimeout("task %s is still %s after %s s" % (self.id, self.info["status"], timeout))

    def error(self) -> Optional[Dict[str, Any]]:
        """Why the task failed: a dict of ``type``, ``message`` and ``traceback``, or None.

        The task's view carries only the type and the beginning of the message; this reads the
        whole error the service keeps (``GET /api/v1/tasks/{id}/error``).
        """
        summary = self.info.get("error")
        if not summary:
            return None
        try:
            return self.client.request("GET", self.path + "/error")
        except ApiError as error:
            if error.kind == "no-error":
                return None
            raise

    def result(self, timeout: Optional[float] = None) -> Any:
        """Waits for the task, then returns what the function returned.

        A value JSON cannot carry comes as its pickle and is unpickled here, in the client: read
        only results of your own tasks this way. Raises TaskFailed (with the remote exception's
        type, message and traceback) when the function raised, TaskCancelled when it was cancelled.
        """
        status = self.wait(timeout)
        if status != "SUCCEEDED":
            kind = TaskCancelled if status == "CANCELLED" else TaskFailed
            raise kind(self.id, status, self.info.get("status_reason"), self.error(),
                       self.info.get("name"))
        value = self.client.request("GET", self.path + "/result")
        if not _describes_pickle(value):
            return value
        if not value["pickled"]:
            raise ResultNotAvailable(
                "task %s returned a %s that could not be pickled: %s"
                % (self.id, value["type"], value["repr"])
            )
        try:
            data = self.client.request("GET", self.path + "/result",
                                       accept="application/octet-stream")
        except ApiError as error:
            if error.status == 406:  # a JSON value that merely looks like a description
                return value
            raise
        check_digest(data, self.info, "result.pickle", "the result of task %s" % self.id)
        return loads(data, self._modules)

    def result_bytes(self) -> bytes:
        """The pickle's bytes of a result JSON cannot carry, as the service keeps them, checked
        against the digest the task view gives (ResultAltered when they do not match)."""
        data = self.client.request("GET", self.path + "/result", accept="application/octet-stream")
        info = self.info if (self.info or {}).get("result_sha256") else self.refresh()
        return check_digest(data, info, "result.pickle", "the result of task %s" % self.id)

    def logs(self, stream: Optional[str] = None) -> Optional[str]:
        """What the task printed so far (stdout and stderr together, in order); empty while it has
        printed nothing. ``stream="stdout"`` or ``"stderr"``: that stream alone, as the runner kept
        it apart, once the task has ended; None when the service kept none for this task (it has
        not ended, ended without a result, or the service does not keep them apart)."""
        query = {"stream": stream} if stream is not None else None
        try:
            return self.client.request("GET", self.path + "/logs", query=query,
                                       accept="text/plain") or ""
        except ApiError as error:
            if error.kind == "no-logs":
                return "" if stream is None else None
            raise

    def follow_logs(self) -> Iterator[str]:
        """The task's output line by line as it comes, until the task has ended (one streamed
        ``?follow=true`` answer; taken up again where it was if that answer ends first)."""
        seen = 0  # characters given so far, newlines included
        while True:
            response = self.client.request("GET", self.path + "/logs", query={"follow": "true"},
                                           accept="text/plain", stream=True, timeout=3900)
            decoder = codecs.getincrementaldecoder("utf-8")("replace")
            received = 0  # characters of this answer
            pending = ""
            try:
                while True:
                    try:
                        chunk = response.read1(65536)
                    except (OSError, socket.timeout) as error:
                        raise ServiceUnreachable(self.client.url, error)
                    if not chunk:
                        break
                    text = decoder.decode(chunk)
                    start = received
                    received += len(text)
                    if received <= seen:
                        continue  # given before this answer was taken up again
                    pending += text[max(0, seen - start):]
                    *lines, pending = pending.split("\n")
                    for line in lines:
                        seen += len(line) + 1
                        yield line
            finally:
                response.close()
            pending += decoder.decode(b"", final=True)
            if self.refresh()["status"] in FINAL:
                if pending:
                    yield pending
                return
            # the answer ended (after an hour) before the task did: follow on; a partial line
            # comes again with the rest of it

    def cancel(self) -> str:
        """Asks the service to cancel the task; returns its status then (a task that had already
        ended keeps its final status)."""
        try:
            self.info = self.client.request("POST", self.path + "/cancel")
        except ApiError as error:
            if error.kind == "task-state-conflict":
                return self.refresh()["status"]
            raise
        return self.info["status"]

    def events(self) -> List[Dict[str, Any]]:
        """The task's history: every status change and what happened within one."""
        return self.client.request("GET", self.path + "/events")

    def delete(self) -> None:
        """Deletes the task that has ended, with everything it stored."""
        self.client.request("DELETE", self.path)


class WorkflowHandle(_Handle):
    """A submitted workflow: ``id``, ``status``, ``wait()``, ``tasks``, ``cancel()``."""

    _collection = WORKFLOWS

    def wait(self, timeout: Optional[float] = None) -> str:
        """Waits until the workflow is no longer RUNNING; returns its status then."""
        if self.info and self.info.get("status") != "RUNNING":
            return self.info["status"]
        for answer in _held(self.client, self.path, timeout):
            self.info = answer
            if answer["status"] != "RUNNING":
                return answer["status"]
        raise WaitTimeout("workflow %s is still RUNNING after %s s" % (self.id, timeout))

    def tasks(self) -> Dict[str, "TaskHandle"]:
        """Its tasks by key, as TaskHandles."""
        info = self.info or self.refresh()
        return {key: TaskHandle(self.client, view["id"]) for key, view in info["tasks"].items()}

    def cancel(self, tasks: Optional[Iterable[str]] = None) -> str:
        """Cancels the workflow; with ``tasks`` (keys) only those tasks and every task below them.
        Returns the workflow's status then."""
        body = None if tasks is None else {"tasks": list(tasks)}
        self.info = self.client.request("POST", self.path + "/cancel", body=body)
        return self.info["status"]

    def delete(self) -> None:
        """Deletes the workflow that has ended, with its tasks."""
        self.client.request("DELETE", self.path)


def check_digest(data: bytes, info: Optional[Dict[str, Any]], name: str = "result.pickle",
                 what: str = "the result") -> bytes:
    """Returns ``data`` when it has the SHA-256 that the task view ``info`` gives for its result
    file ``name`` (``result_sha256``); raises ResultAltered when it does not, so that altered bytes
    are never unpickled. A task view without digests (a task that ended before the service kept
    them) is taken as it is."""
    digests = (info or {}).get("result_sha256")
    if not digests:
        return data
    expected = digests.get(name)
    actual = hashlib.sha256(data).hexdigest()
    if not isinstance(expected, str) or not hmac.compare_digest(actual, expected.lower()):
        raise ResultAltered(
            "%s (%s) does not match the SHA-256 the service recorded when it collected it"
            " (expected %s, got %s); it is not unpickled" % (what, name, expected, actual)
        )
    return data


def _describes_pickle(value):
    return (
        isinstance(value, dict)
        and set(value) == {"pickled", "type", "repr"}
        and isinstance(value["pickled"], bool)
    )


class _Unpickler(pickle.Unpickler):
    """Finds the classes (and functions) a task's source defined in the modules they came from
    here: the modules of the functions that were submitted, then ``__main__``."""

    def __init__(self, data, modules):
        super().__init__(io.BytesIO(data))
        self._modules = [m for m in modules if m is not None]
        main = sys.modules.get("__main__")
        if main is not None and main not in self._modules:
            self._modules.append(main)

    def find_class(self, module, name):
        if not module.startswith(TASK_MODULE_PREFIX):
            return super().find_class(module, name)
        for candidate in self._modules:
            found = candidate
            try:
                for part in name.split("."):
                    found = getattr(found, part)
            except AttributeError:
                continue
            return found
        raise pickle.UnpicklingError(
            "the result holds a %s, which the task's source defined; none of the modules it can "
            "come from here (%s) defines %s: import or define it before reading the result"
            % (name, ", ".join(getattr(m, "__name__", "?") for m in self._modules) or "none", name)
        )


def loads(data: bytes, modules: Iterable[Any] = ()) -> Any:
    """Unpickles a result: a class the task's source defined is taken from ``modules`` (the
    modules of the submitted functions) or ``__main__``. Unpickle only results of your own tasks."""
    return _Unpickler(data, modules).load()


def json_value(value, what, path):
    """``value`` as the API takes it (JSON; tuples as arrays), or a TypeError naming the part of it
    that JSON cannot carry."""
    _check_json(value, what, path, 0)
    return value


def _check_json(value, what, path, depth):
    if depth > 200:
        raise TypeError("%s: %s is nested too deeply" % (what, path))
    if value is None or isinstance(value, (bool, str)):
        return
    if isinstance(value, int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise TypeError("%s: %s is %r, which JSON cannot carry" % (what, path, value))
        return
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_json(item, what, "%s[%d]" % (path, i), depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("%s: %s has the key %r; JSON keys are strings" % (what, path, key))
            _check_json(item, what, "%s[%r]" % (path, key), depth + 1)
        return
    kind = type(value)
    raise TypeError(
        "%s: %s is a %s.%s, which JSON cannot carry; arguments travel as JSON (numbers, strings, "
        "booleans, None, lists, dicts); pass what the function needs to build it instead"
        % (what, path, kind.__module__, kind.__qualname__)
    )


def _follow(read_page):
    """The items of every page, from the first, following next_cursor until there is none."""
    cursor = None
    while True:
        page = read_page(cursor)
        for item in page["items"]:
            yield item
        cursor = page.get("next_cursor")
        if not cursor:
            return
