"""The exceptions of the batch-executor client."""


class BatchExecutorError(Exception):
    """Anything the client reports."""


class ServiceUnreachable(BatchExecutorError):
    """No answer from the service: nothing listens at the URL, the connection broke, or it timed out."""

    def __init__(self, url, reason):
        self.url = url
        self.reason = reason
        super().__init__(
            "cannot reach batch-executor at %s: %s (is the service running? "
            "the client takes its address from Client(url=...) or BATCH_EXECUTOR_URL)" % (url, reason)
        )


class ApiError(BatchExecutorError):
    """The service answered with an RFC 9457 problem (or another error status).

    Attributes: ``status`` (the HTTP status), ``type`` (the problem type URN), ``kind`` (its last
    part, e.g. ``invalid-request``), ``title``, ``detail``, ``errors`` (a list of ``{"field",
    "message"}`` naming every offending field), ``problem`` (the whole problem document), and
    ``method`` and ``url`` of the request.
    """

    def __init__(self, status, problem=None, method=None, url=None, text=None):
        problem = problem if isinstance(problem, dict) else {}
        self.status = status
        self.problem = problem
        self.type = problem.get("type")
        self.kind = self.type.rsplit(":", 1)[-1] if isinstance(self.type, str) else None
        self.title = problem.get("title")
        self.detail = problem.get("detail")
        errors = problem.get("errors")
        self.errors = errors if isinstance(errors, list) else []
        self.method = method
        self.url = url
        super().__init__(self._message(text))

    def _message(self, text):
        head = "%s %s" % (self.status, self.kind or "error")
        if self.title:
            head += " (%s)" % self.title
        parts = [head]
        if self.detail:
            parts.append(self.detail)
        elif text and not self.problem:
            parts.append(text.strip()[:500])
        for error in self.errors:
            if isinstance(error, dict):
                parts.append("%s: %s" % (error.get("field"), error.get("message")))
        message = ": ".join(parts[:2])
        if len(parts) > 2:
            message += "\n  " + "\n  ".join(parts[2:])
        if self.method and self.url:
            message += "\n  (%s %s)" % (self.method, self.url)
        return message


class Unauthorized(ApiError):
    """A 401: the token is missing or wrong. The message says where the client looked for it."""

    def __init__(self, status, problem=None, method=None, url=None, text=None, token_source=None,
                 looked=()):
        self.token_source = token_source
        self.looked = list(looked)
        super().__init__(status, problem, method, url, text)

    def _message(self, text):
        if self.token_source:
            why = ("the service refused the token from %s: it is not one of the service's tokens"
                   % self.token_source)
        else:
            why = "no token was sent: none found in %s" % "; ".join(self.looked)
        return (
            "401 unauthorized: %s. Give the token as Client(token=...), in BATCH_EXECUTOR_TOKEN, "
            "or in <cache_dir>/api-token, which the service writes when it has no tokens configured "
            "(cache_dir from BATCH_EXECUTOR_AWSBATCH_CACHE_DIR, else /tmp/covalent)%s"
            % (why, "\n  (%s %s)" % (self.method, self.url) if self.method and self.url else "")
        )


class TaskFailed(BatchExecutorError):
    """The task FAILED (or was CANCELLED) and so has no result.

    Attributes: ``task_id``, ``status``, ``reason`` (the task's status reason), and from the
    remote exception, when the function raised: ``remote_type``, ``remote_message`` and
    ``remote_traceback``.
    """

    def __init__(self, task_id, status, reason=None, error=None, name=None):
        error = error if isinstance(error, dict) else {}
        self.task_id = task_id
        self.status = status
        self.reason = reason
        self.error = error
        self.remote_type = error.get("type")
        self.remote_message = error.get("message")
        self.remote_traceback = error.get("traceback")
        what = "task %s" % task_id if not name else "task %s (%s)" % (task_id, name)
        if self.remote_type:
            message = "%s %s: %s: %s" % (what, status, self.remote_type, self.remote_message)
        else:
            message = "%s %s: %s" % (what, status, reason or "no reason given")
        if self.remote_traceback:
            message += "\n\nRemote traceback:\n" + self.remote_traceback.rstrip()
        super().__init__(message)


class TaskCancelled(TaskFailed):
    """The task was CANCELLED before it returned."""


class WaitTimeout(BatchExecutorError, TimeoutError):
    """A task or workflow did not end within the time a wait was given."""


class ResultNotAvailable(BatchExecutorError):
    """The task returned a value that could not be pickled; only its type and repr are known."""


class ResultAltered(BatchExecutorError):
    """A result's bytes do not match the SHA-256 the service recorded when it collected them: they
    were changed on the way or in the store, and are not unpickled."""


class SourceError(BatchExecutorError):
    """The source of a function cannot be found or cannot travel with its task."""


class UnsupportedOperation(BatchExecutorError, TypeError):
    """An operation on the result of an electron inside a lattice, which only exists once the
    workflow runs: it cannot be expressed in the workflow that is sent."""
