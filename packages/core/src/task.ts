/**
 * Tasks: the async functions started by `run()` or a task group, and the context object
 * (`cx`) each one receives.
 *
 * @module
 */
import type { Resumable, TaskInfo } from "./backend.js";
import { CancelNode, NodeState, reparent } from "./internal/cancel-node.js";
import type { RunState } from "./internal/run-state.js";
import type { TaskGroup } from "./task-group.js";
import type { Waiter } from "./waiter.js";

let nextTaskId = 1;

/**
 * What every task function receives as its first argument. Its `signal` names the task
 * explicitly for calls that wait (`sleep(10, { signal: cx.signal })`), which is how code runs
 * where there is no ambient context (browsers); on Node, Deno and Bun it is optional.
 */
export interface TaskContext extends TaskInfo {
  /** Aborts (with a `Cancelled` reason) when this task becomes effectively cancelled. */
  readonly signal: AbortSignal;
}

/** The context of a task launched with `tg.start()`: it reports readiness with `started()`. */
export interface TaskStartContext<T = void> extends TaskContext {
  /**
   * Tells the `start()` caller the task is ready and hands it `value`; the task then belongs
   * to the task group. Call exactly once.
   */
  started(value: T): void;
  /** Reports that the task is ready; `tg.start()` resolves with `undefined`. Call it once. */
  started(this: TaskStartContext<void>): void;
}

/** @internal A task's record: a node of the cancel tree, its own context object, and a resumable. */
export class Task extends CancelNode implements TaskStartContext<unknown>, Resumable {
  readonly id: number;
  name: string;
  parentId: number | null;
  /** @internal */ _group: TaskGroup | null;
  /** @internal */ _fn: ((cx: Task) => unknown) | null;
  /** @internal */ _startWaiter: Waiter<unknown> | null = null;
  /** @internal */ _startedCalled = false;
  /** @internal The wait this task is parked in, for reports. */
  _waitingOn: Waiter<unknown> | null = null;

  constructor(run: RunState, parent: CancelNode | null, name: string, parentId: number | null, group: TaskGroup | null, fn: (cx: Task) => unknown) {
    super();
    this.id = nextTaskId++;
    this.name = name;
    this.parentId = parentId;
    this._group = group;
    this._fn = fn;
    this._run = run;
    this._task = this;
    if (parent !== null) this._attach(parent);
  }

  /** Resumable: the task that continues is this one. */
  get task(): TaskInfo {
    return this;
  }

  /** @internal Called by the backend to run the task's function for the first time. */
  resume(): void {
    this._state = NodeState.Active;
    const fn = this._fn!;
    this._fn = null;
    void drive(this, fn);
  }

  started(value?: unknown): void {
    const waiter = this._startWaiter;
    if (waiter === null) {
      throw new Error(
        this._startedCalled
          ? `started() was already called for task "${this.name}"`
          : `started() can only be called by a task launched with TaskGroup.start() (task "${this.name}")`,
      );
    }
    this._startWaiter = null;
    this._startedCalled = true;
    const group = this._group!;
    reparent(this, group.cancelScope);
    this.parentId = group._hostId;
    waiter.wake(value);
  }

  /** @internal The task's function settled. */
  _finish(failed: boolean, outcome: unknown): void {
    this._state = NodeState.Exited;
    this._detach();
    const run = this._run;
    run.liveTasks--;
    const hook = run.backend.taskExited;
    if (hook !== undefined) hook.call(run.backend, this);
    if (this._group !== null) this._group._childDone(this, failed, outcome);
    else run._rootDone(failed, outcome);
  }

  /** A plain snapshot of this task's identity. */
  info(): TaskInfo {
    return { id: this.id, parentId: this.parentId, name: this.name };
  }
}

async function drive(task: Task, fn: (cx: Task) => unknown): Promise<void> {
  let failed = false;
  let outcome: unknown;
  try {
    const carrier = task._run.ambient;
    outcome = await (carrier !== null ? carrier.run(task, fn, task) : fn(task));
  } catch (err) {
    failed = true;
    outcome = err;
  }
  task._finish(failed, outcome);
}

/** A task name from an explicit name or the function's own. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function taskName(name: unknown, fn: Function): string {
  if (name !== undefined && name !== null) return String(name);
  return fn.name || "(anonymous task)";
}
