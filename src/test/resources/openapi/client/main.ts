// A client generated from the service's OpenAPI document (typescript-fetch, in ./generated) runs
// add(1, 2) as a task and prints what it read: the task's final status, its result, and whether
// it was found paging the task list by cursor (one task a page, the newest first).
// Settings come from the environment: BATCH_EXECUTOR_URL, BATCH_EXECUTOR_TOKEN, BASE_IMAGE.
import { Configuration, ResponseError, TaskPage, TasksApi, TaskResponse } from "./generated";

// Node's process, declared here so that compiling needs no type package besides TypeScript
declare const process: { env: Record<string, string | undefined>; exitCode?: number };

const FINAL = ["SUCCEEDED", "FAILED", "CANCELLED"];

async function main(): Promise<void> {
  const tasks = new TasksApi(
    new Configuration({
      basePath: process.env.BATCH_EXECUTOR_URL,
      accessToken: process.env.BATCH_EXECUTOR_TOKEN,
    }),
  );
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
  console.log(JSON.stringify({ status: task.status, result, listed }));
}

main().catch(async (e: unknown) => {
  // an error answer: its status and problem document
  const response = e instanceof ResponseError ? e.response : undefined;
  console.error(response ? `${response.status} ${await response.text()}` : e);
  process.exitCode = 1;
});
