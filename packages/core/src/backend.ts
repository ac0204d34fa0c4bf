/**
 * The backend contract (version 1): what a backend supplies so that `@anyio/core` can run
 * tasks on it. Core owns the semantics of tasks, cancel scopes, task groups and checkpoints;
 * a backend owns the loop: its clock, its timers, the order in which woken tasks resume, and
 * how a run starts and ends.
 *
 * Third-party backends implement {@link Backend} and prove themselves with
 * `@anyio/testing`'s conformance suite (`runConformance(myBackend())`).
 *
 * Compatibility: members may be added in minor versions only as optional members; a change
 * to a required member bumps {@link BACKEND_CONTRACT_VERSION}, and `run()` rejects a backend
 * whose `contractVersion` it does not support.
 *
 * @module
 */

/**
 * The version of the backend contract this build of `@anyio/core` implements.
 *
 * @example
 * ```ts
 * const backend: Backend = { name: "mine", contractVersion: BACKEND_CONTRACT_VERSION, start };
 * ```
 */
export const BACKEND_CONTRACT_VERSION = 1 as const;

/** What a backend learns about a task: enough to report and trace it. */
export interface TaskInfo {
  /** Process-unique, increasing id. */
  readonly id: number;
  /** Id of the task that spawned this one (for `start()` children: the caller until `started()`), `null` for the root. */
  readonly parentId: number | null;
  /** Name given at spawn, or derived from the function. */
  readonly name: string;
}

/**
 * Something the backend resumes later: a woken waiter or a newly spawned task.
 * `resume()` continues it synchronously; the backend decides when.
 */
export interface Resumable {
  /** The task that continues when this is resumed. */
  readonly task: TaskInfo;
  /** Continues the task. Called exactly once per `reschedule()`. */
  resume(): void;
}

/** Something a timer fires: `onTimer()` is called once when the deadline is reached. */
export interface TimerTarget {
  /** Called once, on a later turn, when the timer's deadline is reached. */
  onTimer(): void;
}

/** A task blocked in one of core's waits, as reported to a backend (for deadlock reports). */
export interface BlockedTask {
  /** The task in question. */
  readonly task: TaskInfo;
  /** What it waits for, e.g. `"Event.wait"`, `"sleep"`, `"TaskGroup join"`. */
  readonly waitingFor: string;
}

/** A snapshot of a run's tasks, for backends that decide when everything is blocked. */
export interface RunSnapshot {
  /** Tasks started and not yet finished, the root included. */
  readonly liveTasks: number;
  /** Tasks parked in a core wait (sleep, event, lock, join…). */
  readonly parkedTasks: number;
  /** Waits on something outside the run (`awaitCancellable`, I/O) still pending. */
  readonly externalWaits: number;
}

/**
 * What core hands a backend when a run starts: a read-only view of the run and the one
 * lever a backend has over it, `abort()`.
 */
export interface RunController {
  /** Counts of live, parked and externally-waiting tasks, read at call time. */
  snapshot(): RunSnapshot;
  /** Every live task, parents before children, with what it is blocked on (if anything). */
  tasks(): Array<{
    /** The task. */
    task: TaskInfo;
    /** 0 for the root task, 1 for its children… */
    depth: number;
    /** What it is parked on, or `null` if it is not in a core wait. */
    waitingFor: string | null;
  }>;
  /**
   * Ends the run with `error`: every task is cancelled so its `finally` blocks run, then
   * `run()` rejects with `error`. Calling it again while tasks are still stuck makes `run()`
   * reject at once.
   */
  abort(error: unknown): void;
}

/**
 * A backend's per-run half: created by {@link Backend.start} for each `run()`, discarded by
 * {@link BackendRun.close}.
 */
export interface BackendRun {
  /** The run's clock in milliseconds: monotonic, not wall time. */
  now(): number;
  /**
   * Calls `target.onTimer()` once when `now() >= deadline` (at once, asynchronously, if the
   * deadline has passed; never for `Infinity`). Returns a handle for {@link clearTimer}.
   */
  setTimer(deadline: number, target: TimerTarget): unknown;
  /** Cancels a timer from {@link setTimer}; a no-op if it fired or was cleared. */
  clearTimer(handle: unknown): void;
  /**
   * Arranges for `item.resume()` to be called later — never synchronously inside this call.
   * The order of resumption is the backend's to choose (FIFO, seeded shuffle…).
   */
  reschedule(item: Resumable): void;
  /**
   * The schedule point of a checkpoint: a promise that resolves when `task` may continue.
   * It must let other ready tasks run and must not starve host timers and I/O forever.
   */
  yieldNow(task: TaskInfo): Promise<void>;
  /** Resolves after the host ran at least one macrotask (timers and I/O had a turn). */
  macrotask(): Promise<void>;
  /** Optional: a native implementation of `waitAllTasksBlocked()`; core polls otherwise. */
  waitAllTasksBlocked?(task: TaskInfo): Promise<void>;
  /** Optional instrumentation: a task was created (it has not run yet). */
  taskSpawned?(task: TaskInfo): void;
  /** Optional instrumentation: a task finished (returned or threw). */
  taskExited?(task: TaskInfo): void;
  /** Optional instrumentation: a task parked in a core wait. */
  taskParked?(blocked: BlockedTask): void;
  /** The run is over (every task finished): release timers and stop any loop of your own. */
  close(): void;
}

/**
 * A backend: an object made by a factory (`nativeBackend()`, `strictBackend()`) and given to
 * `run(main, { backend })`. One backend object may serve many runs, one after another or at
 * the same time; per-run state belongs in the {@link BackendRun} that {@link start} returns.
 *
 * @example
 * ```ts
 * import { run } from "@anyio/core";
 * import { nativeBackend } from "@anyio/backend-native";
 * await run(async () => { … }, { backend: nativeBackend() });
 * ```
 */
export interface Backend {
  /** A short name for messages, e.g. `"native"`. */
  readonly name: string;
  /** The contract version implemented; must equal {@link BACKEND_CONTRACT_VERSION}. */
  readonly contractVersion: number;
  /** Called once per `run()` before the root task is scheduled. */
  start(controller: RunController): BackendRun;
}
