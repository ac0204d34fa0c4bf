/**
 * Tasks: the async functions started by `run()` or a task group, and the context object
 * (`cx`) each one receives.
 *
 * @module
 */
import type { Resumable, TaskInfo } from "./backend.js";
import { type CancelNode, linkCancelNode, NodeState, reparent } from "./internal/cancel-node.js";
import { type CapturedContext, captureAmbientContext } from "./internal/ambient.js";
import { callInContext, enterInContext, promiseThen } from "./internal/promise.js";
import { RunState } from "./internal/run-state.js";
import { retainShape } from "./retain-shape.js";
import type { TaskGroup } from "./task-group.js";
import type { Waiter } from "./waiter.js";

let nextTaskId = 1;

/** Whether the Task class has its retained instance (see retainShape). */
let shapeRetained = false;
/** A task of no run, never started: the retained Task, and the node other retained shapes hang on. */
let detached: Task | null = null;

function noop(): void {}

/** @internal A task that belongs to no run and never runs (retained for the life of the process). */
export function detachedTask(): Task {
  return (detached ??= new Task(new RunState(null), null, null, null, noop));
}

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
export class Task implements TaskStartContext<unknown>, Resumable {
  // CancelNode's fields: a task is a CancelNode without being a subclass (see CancelNode).
  /** @internal */ _run: RunState;
  /** @internal */ _task: Task;
  /** @internal */ _parent: CancelNode | null = null;
  /** @internal */ _firstChild: CancelNode | null = null;
  /** @internal */ _prevSibling: CancelNode | null = null;
  /** @internal */ _nextSibling: CancelNode | null = null;
  /** @internal */ _state: NodeState = NodeState.New;
  /** @internal */ _effCancelled = false;
  /** @internal */ _firstWaiter: Waiter<unknown> | null = null;
  /** @internal */ _controller: AbortController | null = null;
  readonly id: number;
  /** @internal The name given at spawn, or `null` to use the function's own (read lazily: `fn.name` is a getter call per spawn). */
  _name: string | null;
  /** @internal */ _group: TaskGroup | null;
  /** @internal The task's function (kept after it started, for its name). */
  _fn: ((cx: Task) => unknown) | null;
  /** @internal */ _startWaiter: Waiter<unknown> | null = null;
  /** @internal */ _startedCalled = false;
  /** @internal The wait this task is parked in, for reports. */
  _waitingOn: Waiter<unknown> | null = null;
  /** @internal Ambient runs: the spawner's async context, which the task starts in (then dropped). */
  _context: CapturedContext | null;

  constructor(run: RunState, parent: CancelNode | null, name: unknown, group: TaskGroup | null, fn: (cx: Task) => unknown) {
    this.id = nextTaskId++;
    this._name = name === undefined || name === null ? null : String(name);
    this._group = group;
    this._fn = fn;
    this._run = run;
    this._task = this;
    // Captured at spawn, as asyncio and Trio copy the spawner's contextvars: other
    // AsyncLocalStorage values (a request id, a trace span) follow the task into its body.
    this._context = run.ambient !== null ? captureAmbientContext() : null;
    if (parent !== null) this._attach(parent);
    if (!shapeRetained) {
      shapeRetained = true;
      retainShape(Task, detachedTask);
    }
  }

  /** The task's name: the `name` option it was started with, else its function's name. */
  get name(): string {
    let name = this._name;
    if (name === null) name = this._name = this._fn?.name || "(anonymous task)";
    return name;
  }

  set name(value: string) {
    this._name = String(value);
  }

  /**
   * The id of the task that started this one (`null` for the root): the task group's host task,
   * or the `start()` caller until the task calls `started()`.
   */
  get parentId(): number | null {
    const group = this._group;
    if (group === null) return null;
    return this._startWaiter !== null ? this._parent!._task.id : group._hostId;
  }

  /** Resumable: the task that continues is this one. */
  get task(): TaskInfo {
    return this;
  }

  /** @internal Called by the backend to run the task's function for the first time. */
  resume(): void {
    this._state = NodeState.Active;
    const context = this._context;
    let outcome: Promise<unknown>;
    if (context === null) outcome = callInContext(this, this._fn!);
    else {
      this._context = null;
      outcome = context.runInAsyncScope(enterInContext, null, this, this._fn!);
    }
    // One reaction per task instead of an async frame: a parked task then costs two bound
    // functions, not a generator with its register file (see tools/bench, spawn + join).
    promiseThen.call(outcome, this._returned.bind(this), this._threw.bind(this));
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
    waiter.wake(value);
  }

  /** @internal */
  _returned(value: unknown): void {
    this._finish(false, value);
  }

  /** @internal */
  _threw(err: unknown): void {
    this._finish(true, err);
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

/** The type half of "a Task is a CancelNode"; `linkCancelNode` is the run-time half. */
export interface Task extends CancelNode {}
linkCancelNode(Task);
