/**
 * The errors the strict backend fails a run with. Each message ends with the scheduling seed
 * in use, so a failure seen once under a shuffled order can be replayed.
 *
 * @module
 */
import type { TaskInfo } from "@anyio/core";

/** One line of a task tree, as `RunController.tasks()` reports it. */
export interface TaskTreeEntry {
  /** The task on this line. */
  readonly task: TaskInfo;
  /** 0 for the root task, 1 for its children… */
  readonly depth: number;
  /** What the task is parked on, or `null` if it is not in a core wait. */
  readonly waitingFor: string | null;
}

/** @internal "(strict backend, seed 7)" — the tail of every message, for replaying. */
export function scheduleNote(seed: number | undefined): string {
  return seed === undefined ? "(strict backend, FIFO order, no seed)" : `(strict backend, seed ${seed})`;
}

function label(task: TaskInfo): string {
  return `"${task.name}" (#${task.id})`;
}

/** @internal The task tree, indented by depth, one task per line. */
export function formatTaskTree(tasks: readonly TaskTreeEntry[]): string {
  return tasks
    .map((entry) => `${"  ".repeat(entry.depth + 1)}${label(entry.task)} — ${entry.waitingFor ?? "running (not in a core wait)"}`)
    .join("\n");
}

/**
 * Every task of the run is parked, no timer is pending and nothing outside the run is
 * awaited: nothing can ever wake any of them. `run()` rejects with this error (after the
 * tasks have been cancelled so their `finally` blocks ran) instead of hanging.
 *
 * @example
 * ```ts
 * import { DeadlockError } from "@anyio/backend-strict";
 * try {
 *   await run(main, { backend: strictBackend() });
 * } catch (err) {
 *   if (err instanceof DeadlockError) console.error(err.message); // names every blocked task
 * }
 * ```
 */
export class DeadlockError extends Error {
  /** Every live task when the deadlock was found, parents before children. */
  readonly tasks: readonly TaskTreeEntry[];
  /** The scheduling seed of the run, `undefined` for plain FIFO order. */
  readonly seed: number | undefined;

  constructor(tasks: readonly TaskTreeEntry[], seed: number | undefined) {
    const blocked = tasks.filter((entry) => entry.waitingFor !== null);
    super(
      `Deadlock: every task is blocked, no timer is pending and nothing outside the run is awaited ${scheduleNote(seed)}.\n` +
        `Blocked tasks:\n${blocked.map((entry) => `  ${label(entry.task)} waits for ${entry.waitingFor}`).join("\n")}\n` +
        `Task tree:\n${formatTaskTree(tasks)}`,
    );
    this.tasks = tasks;
    this.seed = seed;
  }
}
Object.defineProperty(DeadlockError.prototype, "name", { value: "DeadlockError" });

/**
 * A task kept the loop busy for longer than the backend's `stepBudget` without reaching a
 * schedule point (a checkpoint, a wait, or its end): every other task, timer and I/O callback
 * was held up meanwhile.
 *
 * @example
 * ```ts
 * await run(main, { backend: strictBackend({ stepBudget: 50 }) }); // rejects with StepBudgetError
 * ```
 */
export class StepBudgetError extends Error {
  /** The task that ran too long. */
  readonly task: TaskInfo;
  /** How long it ran, in real ms. */
  readonly elapsed: number;
  /** The configured budget, in ms. */
  readonly budget: number;
  /** The scheduling seed of the run, `undefined` for plain FIFO order. */
  readonly seed: number | undefined;

  constructor(task: TaskInfo, elapsed: number, budget: number, seed: number | undefined) {
    super(
      `Task ${label(task)} ran for ${elapsed.toFixed(1)} ms without reaching a checkpoint (stepBudget ${budget} ms); ` +
        `add \`await checkpoint()\` inside long loops ${scheduleNote(seed)}`,
    );
    this.task = { id: task.id, parentId: task.parentId, name: task.name };
    this.elapsed = elapsed;
    this.budget = budget;
    this.seed = seed;
  }
}
Object.defineProperty(StepBudgetError.prototype, "name", { value: "StepBudgetError" });

/**
 * An instrument hook threw. The run is aborted with this error (its `cause` is what the hook
 * threw): a broken tracer must not silently produce a partial trace.
 *
 * @example
 * ```ts
 * const err = await run(main, { backend: strictBackend({ instruments: [buggy] }) }).catch((e) => e);
 * if (err instanceof InstrumentError) console.error(err.hook, err.cause);
 * ```
 */
export class InstrumentError extends Error {
  /** The hook that threw, e.g. `"taskSpawned"`. */
  readonly hook: string;
  /** The scheduling seed of the run, `undefined` for plain FIFO order. */
  readonly seed: number | undefined;

  constructor(hook: string, cause: unknown, seed: number | undefined) {
    super(
      `Instrument hook ${hook}() threw: ${cause instanceof Error ? cause.message : String(cause)} ${scheduleNote(seed)}`,
      { cause },
    );
    this.hook = hook;
    this.seed = seed;
  }
}
Object.defineProperty(InstrumentError.prototype, "name", { value: "InstrumentError" });
