/**
 * Introspection of the running tasks.
 *
 * @module
 */
import type { TaskInfo } from "./backend.js";
import { currentNode, type WaitOptions } from "./context.js";
import { checkpoint } from "./checkpoint.js";

/**
 * The current task's id, parent id and name.
 *
 * @example
 * ```ts
 * tg.startSoon(async () => console.log(getCurrentTask().name), { name: "worker-1" });
 * ```
 */
export function getCurrentTask(options?: WaitOptions): TaskInfo {
  return currentNode(options, "getCurrentTask")._task.info();
}

/**
 * Every live task of the current run, parents before children.
 *
 * @example
 * ```ts
 * for (const t of getRunningTasks()) console.log(t.id, t.parentId, t.name);
 * ```
 */
export function getRunningTasks(options?: WaitOptions): TaskInfo[] {
  return currentNode(options, "getRunningTasks")._run.tasks().map((entry) => entry.task);
}

/**
 * Waits until every other task of the run is blocked (parked in a wait of ours or waiting on
 * I/O through one): the classic test helper for "let everything settle". A checkpoint.
 *
 * @example
 * ```ts
 * tg.startSoon(() => event.wait());
 * await waitAllTasksBlocked();
 * expect(event.statistics().tasksWaiting).toBe(1);
 * ```
 */
export async function waitAllTasksBlocked(options?: WaitOptions): Promise<void> {
  const node = currentNode(options, "waitAllTasksBlocked");
  await checkpoint(options);
  const run = node._run;
  const backend = run.backend;
  if (backend.waitAllTasksBlocked !== undefined) {
    await backend.waitAllTasksBlocked(node._task);
    return;
  }
  // Two quiet macrotask turns in a row: everyone else is parked and stays parked.
  let quiet = 0;
  while (quiet < 2) {
    await backend.macrotask();
    if (node._effCancelled) await checkpoint(options);
    quiet = run.parkedCount + run.externalWaits >= run.liveTasks - 1 ? quiet + 1 : 0;
  }
}
