// A client generated from the service's OpenAPI document (typescript-fetch, in ./generated) runs
// add(1, 2) as a task and prints what it read: the task's final status, its result, and whether
// it was found paging the task list by cursor (one task a page, the newest first); then runs it as
// a workflow of one task and re-runs that, whose task is reused at once; then a workflow whose first
// task runs on the local engine and whose second, taking its result, on AWS Batch.
// Settings come from the environment: BATCH_EXECUTOR_URL, BATCH_EXECUTOR_TOKEN, BASE_IMAGE.
import {
  Configuration,
  ResponseError,
  TaskPage,
  TasksApi,
  TaskResponse,
  WorkflowResponse,
  WorkflowsApi,
} from "./generated";

// Node's process, declared here so that compiling needs no type package besides TypeScript
declare const process: { env: Record<string, string | undefined>; exitCode?: number };

const FINAL = ["SUCCEEDED", "FAILED", "CANCELLED"];

async function main(): Promise<void> {
  const configuration = new Configuration({
    basePath: process.env.BATCH_EXECUTOR_URL,
    accessToken: process.env.BATCH_EXECUTOR_TOKEN,
  });
  const tasks = new TasksApi(configuration);
  let task: TaskResponse = await tasks.submitTask({
    taskRequest: {
      name: "add",
      _function: { source: "def add(a, b):\n    return a + b\n", name: "add" },
      args: [1, 2],
      image: { baseImage: process.env.BASE_IMAGE },
    },
  });
  const deadline = Date.now() + 240_000;
  while (!FINAL.includes(String(task.status)) && Date.now() < deadline) {
    // a held request: answered as soon as the task ends, or after 30 seconds
    task = await tasks.getTask({ id: task.id!, wait: 30 });
  }
  if (task.status !== "SUCCEEDED") {
    throw new Error(`task ${task.id} ended ${task.status}: ${JSON.stringify(task.error)}`);
  }
  const result: unknown = await tasks.getTaskResult({ id: task.id! });
  let listed = false;
  let cursor: string | undefined = undefined;
  for (let pages = 0; pages < 20 && !listed; pages++) {
    const page: TaskPage = await tasks.listTasks({ size: 1, cursor });
    listed = (page.items ?? []).some((t) => t.id === task.id);
    if (page.nextCursor === null || page.nextCursor === undefined) break;
    cursor = page.nextCursor;
  }
  const workflowsApi = new WorkflowsApi(configuration);
  const rerun = await rerunOnce(workflowsApi, deadline);
  const mixed = await mixedOnce(workflowsApi, tasks, deadline);
  console.log(JSON.stringify({ status: task.status, result, listed, ...rerun, ...mixed }));
}

// add(1, 2) as a workflow of one task; once it succeeded, a re-run that reuses it
async function rerunOnce(
  workflows: WorkflowsApi,
  deadline: number,
): Promise<{ rerun: string; reused: boolean }> {
  let first: WorkflowResponse = await workflows.submitWorkflow({
    workflowRequest: {
      name: "add",
      tasks: {
        add: {
          _function: { source: "def add(a, b):\n    return a + b\n", name: "add" },
          args: [1, 2],
          image: { baseImage: process.env.BASE_IMAGE },
        },
      },
    },
  });
  while (first.status === "RUNNING" && Date.now() < deadline) {
    first = await workflows.getWorkflow({ id: first.id!, wait: 30 });
  }
  const second: WorkflowResponse = await workflows.rerunWorkflow({
    id: first.id!,
    rerunRequest: { reuse: true },
  });
  const reused = second.tasks?.["add"]?.reusedFrom === first.tasks?.["add"]?.id;
  return { rerun: String(second.status), reused: reused && second.rerunOf === first.id };
}

// add(1, 2) on the local engine, its result plus 10 on AWS Batch: a workflow that mixes backends
async function mixedOnce(
  workflows: WorkflowsApi,
  tasks: TasksApi,
  deadline: number,
): Promise<{ mixed: string; mixedResult: unknown; backends: string }> {
  const add = { source: "def add(a, b):\n    return a + b\n", name: "add" };
  let run: WorkflowResponse = await workflows.submitWorkflow({
    workflowRequest: {
      name: "mixed",
      tasks: {
        here: {
          _function: add,
          args: [1, 2],
          executor: { backend: "local" },
          image: { baseImage: process.env.BASE_IMAGE },
        },
        there: {
          _function: add,
          args: [{ $task: "here" }, 10],
          executor: { backend: "awsbatch" },
          image: { baseImage: process.env.BASE_IMAGE },
        },
      },
    },
  });
  while (run.status === "RUNNING" && Date.now() < deadline) {
    run = await workflows.getWorkflow({ id: run.id!, wait: 30 });
  }
  const there = run.tasks?.["there"]?.id;
  const mixedResult: unknown = there ? await tasks.getTaskResult({ id: there }) : undefined;
  const backends = await Promise.all(
    ["here", "there"].map(
      async (key) =>
        (await tasks.getTask({ id: run.tasks![key].id! })).executor?.backend ?? "none",
    ),
  );
  return { mixed: String(run.status), mixedResult, backends: backends.join(",") };
}

main().catch(async (e: unknown) => {
  // an error answer: its status and problem document
  const response = e instanceof ResponseError ? e.response : undefined;
  console.error(response ? `${response.status} ${await response.text()}` : e);
  process.exitCode = 1;
});
