/**
 * Task groups (Trio's nurseries): the only way to start concurrent tasks. Leaving the group
 * waits for every child; the first failure cancels the rest; failures come out together.
 *
 * @module
 */
import { CancelScope } from "./cancel-scope.js";
import { currentNode, describe, type WaitOptions } from "./context.js";
import { isCancelled } from "./errors.js";
import { ExceptionGroup } from "./exception-group.js";
import { CancelNode, cancelledError } from "./internal/cancel-node.js";
import { Task, type TaskContext, type TaskStartContext } from "./task.js";
import { Waiter } from "./waiter.js";
import { retainShape } from "./retain-shape.js";

const NEW = 0;
const OPEN = 1;
const CLOSED = 2;

/**
 * The options of the group's own waits, made once: an options literal in code that runs once
 * per group got a new hidden class after every full GC, and the Waiter constructor (inlined into
 * every blocking call) was deoptimized by each new one — once per `run()` in tools/bench.
 */
const UNCANCELLABLE = { cancellable: false } as const;

/** Options of {@link TaskGroup.startSoon}. */
export interface StartSoonOptions {
  /** The task's name (coerced with `String()`); defaults to the function's name. */
  name?: unknown;
}

/** Options of {@link TaskGroup.start}. */
export interface StartOptions extends StartSoonOptions, WaitOptions {}

/** Whether TaskGroup has its retained instance (see retainShape). */
let shapeRetained = false;

/**
 * A task group. Enter it with `run(body)` (or use {@link withTaskGroup}); inside, start
 * children with {@link TaskGroup.startSoon} and {@link TaskGroup.start}.
 *
 * - Leaving the body waits for every child (children may still be started meanwhile).
 * - The first failure (body or child) cancels the group's scope: siblings and the body are
 *   cancelled. Once all finished, failures are thrown together as an {@link ExceptionGroup}.
 * - If only cancellations happened, one plain `Cancelled` leaves the group (and the scope that
 *   caused it absorbs it).
 *
 * @example
 * ```ts
 * const tg = createTaskGroup();
 * await tg.run(async () => {
 *   tg.startSoon(async () => { await sleep(100); console.log("child done"); });
 *   console.log("body done");
 * });
 * ```
 */
export class TaskGroup {
  /** The scope around the body and all children: cancel it to cancel them all. */
  readonly cancelScope: CancelScope = new CancelScope();
  /** @internal */ _state = NEW;
  /** @internal */ _pending = 0;
  /** @internal */ _errors: unknown[] | null = null;
  /** @internal */ _cancelled: unknown = null;
  /** @internal */ _joinWaiter: Waiter<void> | null = null;
  /** @internal */ _hostId: number | null = null;

  constructor() {
    if (!shapeRetained) {
      shapeRetained = true;
      retainShape(TaskGroup, () => new TaskGroup());
    }
  }

  /** The group scope's signal: name the group's context explicitly with `{ signal: tg.signal }`. */
  get signal(): AbortSignal {
    return this.cancelScope.signal;
  }

  /** Cancels the group's scope: the body and every child (AnyIO 4.14's `tg.cancel()`). */
  cancel(reason?: string): void {
    this.cancelScope.cancel(reason);
  }

  /**
   * Runs `body(group)` inside the group, then waits for every child. Resolves with the body's
   * value, or `undefined` if the group's own scope absorbed a cancellation.
   */
  async run<T>(body: (group: this) => T | PromiseLike<T>, options?: WaitOptions): Promise<T | undefined> {
    if (typeof body !== "function") {
      throw new TypeError(`TaskGroup.run(): body must be a function, got ${describe(body)}`);
    }
    if (this._state !== NEW) throw new Error("TaskGroup cannot be entered more than once");
    return this.cancelScope.run(async (scope) => {
      this._hostId = scope._task.id;
      this._state = OPEN;
      let result: T | undefined;
      try {
        result = await body(this);
      } catch (err) {
        this._noteOutcome(err);
      }
      if (this._pending === 0) {
        // Trio: leaving an empty group is a schedule point, never a cancel point.
        await scope._run.backend.yieldNow(scope._task);
      }
      while (this._pending > 0) {
        const waiter = new Waiter<void>("TaskGroup join", scope, UNCANCELLABLE);
        this._joinWaiter = waiter;
        await waiter.park();
      }
      this._state = CLOSED;
      if (this._errors !== null) throw new ExceptionGroup("unhandled errors in a TaskGroup", this._errors);
      if (this._cancelled !== null) throw this._cancelled;
      return result;
    }, options);
  }

  /**
   * Starts `fn(cx)` as a child task; it begins running after the caller's next yield. Throws if
   * the group is not open.
   *
   * @example
   * ```ts
   * tg.startSoon(async (cx) => { await sleep(10, { signal: cx.signal }); }, { name: "worker" });
   * ```
   */
  startSoon(fn: (cx: TaskContext) => unknown, options?: StartSoonOptions): void {
    this._checkSpawn(fn, options, "startSoon");
    const task = new Task(this.cancelScope._run, this.cancelScope, nameOption(options), this, fn);
    this._launch(task);
  }

  /**
   * Starts `fn(cx)` and waits until it calls `cx.started(value)`; resolves with that value. Until
   * then the child runs in the caller's cancel scope (cancelling the caller cancels only it);
   * afterwards it belongs to the group. An error before `started()` is thrown from here,
   * unwrapped; returning without `started()` is an error too.
   *
   * @example
   * ```ts
   * const port = await tg.start<number>(async (cx) => {
   *   const listener = await listen(0);
   *   cx.started(listener.port);
   *   await listener.serve(handle);
   * });
   * ```
   */
  async start<T = void>(fn: (cx: TaskStartContext<T>) => unknown, options?: StartOptions): Promise<T> {
    this._checkSpawn(fn, options, "start");
    const caller = currentNode(options, "TaskGroup.start");
    caller._armDeadlines();
    if (caller._effCancelled) throw cancelledError(caller);
    const task = new Task(caller._run, caller, nameOption(options), this, fn as (cx: Task) => unknown);
    const waiter = new Waiter<T>("TaskGroup.start", caller, UNCANCELLABLE);
    task._startWaiter = waiter as Waiter<unknown>;
    this._launch(task);
    return waiter.park();
  }

  /** @internal */
  _checkSpawn(fn: unknown, options: unknown, method: string): void {
    if (typeof fn !== "function") {
      throw new TypeError(`TaskGroup.${method}(): fn must be a function, got ${describe(fn)}`);
    }
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw new TypeError(`TaskGroup.${method}(): options must be an object, got ${describe(options)}`);
    }
    if (this._state !== OPEN) throw new Error("This task group is not active; no new tasks can be started.");
  }

  /** @internal */
  _launch(task: Task): void {
    this._pending++;
    const run = task._run;
    run.liveTasks++;
    const backend = run.backend;
    if (backend.taskSpawned !== undefined) backend.taskSpawned(task);
    backend.reschedule(task);
  }

  /** @internal A child finished. */
  _childDone(task: Task, failed: boolean, outcome: unknown): void {
    this._pending--;
    const startWaiter = task._startWaiter;
    if (startWaiter !== null) {
      // It never called started(): the outcome belongs to the start() caller, not the group.
      task._startWaiter = null;
      startWaiter.fail(failed ? outcome : new Error(`Task "${task.name}" returned without calling cx.started()`));
    } else if (failed) {
      this._noteOutcome(outcome);
    }
    if (this._pending === 0) {
      const join = this._joinWaiter;
      if (join !== null) {
        this._joinWaiter = null;
        join.wake();
      }
    }
  }

  /** @internal A body or child threw: a cancellation is remembered, a failure cancels the group. */
  _noteOutcome(err: unknown): void {
    if (isCancelled(err)) {
      if (this._cancelled === null) this._cancelled = err;
      return;
    }
    if (this._errors === null) {
      this._errors = [err];
      this.cancelScope.cancel("a task in the group failed");
    } else {
      this._errors.push(err);
    }
  }
}

/** The `name` option; a task context or scope passed as the options only names the context. */
function nameOption(options: StartSoonOptions | undefined): unknown {
  return options === undefined || options instanceof CancelNode ? undefined : options.name;
}

/**
 * Creates a task group; enter it with `group.run(body)`.
 *
 * @example
 * ```ts
 * const tg = createTaskGroup();
 * await tg.run(async () => { tg.startSoon(worker); });
 * ```
 */
export function createTaskGroup(): TaskGroup {
  return new TaskGroup();
}

/**
 * Runs `body(tg)` in a new task group and waits for all its children — the everyday form.
 *
 * @example
 * ```ts
 * await withTaskGroup(async (tg) => {
 *   for (const url of urls) tg.startSoon(() => download(url));
 * });
 * ```
 */
export function withTaskGroup<T>(body: (tg: TaskGroup) => T | PromiseLike<T>, options?: WaitOptions): Promise<T | undefined> {
  return new TaskGroup().run(body, options);
}

