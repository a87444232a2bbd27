"""The statuses of a dispatch and its electrons as Covalent names them, and the service's statuses
in those names."""



class Status(str):
    """A status as Covalent names it; compares equal to its name."""

    @property
    def STATUS(self):
        return str(self)

    def __bool__(self):
        return self != "NEW_OBJECT"

    def __repr__(self):
        return "Status(%s)" % str.__repr__(self)


class RESULT_STATUS:
    NEW_OBJECT = Status("NEW_OBJECT")
    RUNNING = Status("RUNNING")
    COMPLETED = Status("COMPLETED")
    FAILED = Status("FAILED")
    CANCELLED = Status("CANCELLED")


_WORKFLOW_STATUS = {
    "RUNNING": RESULT_STATUS.RUNNING,
    "SUCCEEDED": RESULT_STATUS.COMPLETED,
    "FAILED": RESULT_STATUS.FAILED,
    "CANCELLED": RESULT_STATUS.CANCELLED,
}
_TASK_STATUS = dict(_WORKFLOW_STATUS, WAITING=RESULT_STATUS.NEW_OBJECT,
                    QUEUED=RESULT_STATUS.NEW_OBJECT)


def covalent_status(service_status: str) -> Status:
    """The Covalent name of a service status (a task's or a workflow's)."""
    return _TASK_STATUS.get(service_status, RESULT_STATUS.RUNNING)
