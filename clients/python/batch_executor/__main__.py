"""The command line: ``python3 -m batch_executor tasks|show ID|logs [-f] ID|result ID|cancel ID``."""

import argparse
import json
import sys

from .client import Client
from .errors import ApiError, BatchExecutorError


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python3 -m batch_executor",
        description="Look at and control batch-executor tasks.",
    )
    parser.add_argument("--url", help="the service (default: BATCH_EXECUTOR_URL, else "
                                      "http://127.0.0.1:8080)")
    parser.add_argument("--token", help="the API token (default: BATCH_EXECUTOR_TOKEN, else "
                                        "<cache_dir>/api-token)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    tasks = commands.add_parser("tasks", help="list your tasks, newest first")
    tasks.add_argument("--status", help="only tasks in this status (e.g. RUNNING, FAILED)")
    tasks.add_argument("--size", type=int, default=50, help="how many (default 50)")
    tasks.add_argument("--cursor", help="go on from a listing that ended with 'more: --cursor X'")
    show = commands.add_parser("show", help="a task: status, settings, error")
    show.add_argument("id")
    show.add_argument("--events", action="store_true", help="also its history")
    logs = commands.add_parser("logs", help="what a task printed")
    logs.add_argument("-f", "--follow", action="store_true",
                      help="print the output as it comes, until the task has ended")
    logs.add_argument("id")
    result = commands.add_parser("result", help="what a task returned, as JSON")
    result.add_argument("id")
    result.add_argument("--pickle", metavar="FILE",
                        help="write the pickle of a value JSON cannot carry to FILE")
    cancel = commands.add_parser("cancel", help="cancel a task")
    cancel.add_argument("id")
    args = parser.parse_args(argv)

    client = Client(args.url, args.token)
    try:
        return run(client, args)
    except ApiError as error:
        print("error: %s" % (error,), file=sys.stderr)
        failure = error.problem.get("error") if isinstance(error.problem, dict) else None
        if isinstance(failure, dict) and failure.get("traceback"):
            print(failure["traceback"].rstrip(), file=sys.stderr)
        return 1
    except BatchExecutorError as error:
        print("error: %s" % (error,), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def run(client, args):
    if args.command == "tasks":
        page = client.tasks(status=args.status, cursor=args.cursor, size=args.size)
        rows = [("ID", "STATUS", "CREATED", "NAME")]
        for t in page["items"]:
            rows.append((t["id"], t["status"], t.get("created_at") or "", t.get("name") or ""))
        widths = [max(len(r[i]) for r in rows) for i in range(3)]
        for r in rows:
            print("  ".join(r[i].ljust(widths[i]) for i in range(3)) + "  " + r[3])
        if page.get("next_cursor"):
            print("(%d of %d; more: --cursor %s)"
                  % (len(page["items"]), page["total"], page["next_cursor"]))
        return 0
    task = client.task(args.id)
    if args.command == "show":
        print(json.dumps(task.refresh(), indent=2))
        if args.events:
            print(json.dumps(task.events(), indent=2))
        return 0
    if args.command == "logs":
        if args.follow:
            for line in task.follow_logs():
                print(line, flush=True)
        else:
            sys.stdout.write(task.logs())
        return 0
    if args.command == "result":
        try:
            value = client.request("GET", task.path + "/result")
        except ApiError as error:
            if error.kind == "task-failed" and isinstance(error.problem, dict):
                whole = task.error()  # the problem carries the start of the error only
                if whole:
                    error.problem["error"] = whole
            raise
        print(json.dumps(value, indent=2))
        if args.pickle:
            with open(args.pickle, "wb") as f:
                f.write(task.result_bytes())
            print("pickle written to %s" % args.pickle, file=sys.stderr)
        return 0
    if args.command == "cancel":
        print(task.cancel())
        return 0
    raise AssertionError(args.command)


if __name__ == "__main__":
    sys.exit(main())
