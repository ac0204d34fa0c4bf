/**
 * Instruments: observers of a strict run's scheduling, for tracing interleavings and for
 * tests that assert on them (Trio's `trio.abc.Instrument`).
 *
 * @module
 */
import type { TaskInfo } from "@anyio/core";

/** What `beforeRun` / `afterRun` learn about a run. */
export interface StrictRunInfo {
  /** The scheduling seed, `undefined` for plain FIFO order. */
  readonly seed: number | undefined;
  /** Which clock the run uses. */
  readonly clock: "virtual" | "real";
}

/**
 * An observer of a strict run. Every hook is optional and called synchronously at the moment
 * it names; hooks must not call back into the run (spawn, wake, sleep). A hook that throws
 * fails the run with an `InstrumentError`.
 *
 * The order of events for one task is: `taskSpawned` → `taskScheduled` → `beforeTaskStep` →
 * … → `afterTaskStep` → (`taskBlocked` → `taskScheduled` → `beforeTaskStep` → …) →
 * `taskExited`. A *step* runs from the moment the backend resumes the task until its next
 * schedule point: a checkpoint (`afterTaskStep`, then `taskScheduled` again), a wait
 * (`afterTaskStep`, then `taskBlocked`) or its end (`afterTaskStep`, then `taskExited`).
 *
 * The `task` objects are the live task records: read `id`, `parentId` and `name` at call time
 * (copy them if you keep them; `parentId` changes when a `start()`ed task reports `started()`).
 *
 * @example
 * ```ts
 * const trace: string[] = [];
 * const tracer: Instrument = {
 *   taskSpawned: (t) => trace.push(`spawn ${t.name}`),
 *   beforeTaskStep: (t) => trace.push(`run ${t.name}`),
 *   taskExited: (t) => trace.push(`exit ${t.name}`),
 * };
 * await run(main, { backend: strictBackend({ instruments: [tracer] }) });
 * ```
 */
export interface Instrument {
  /** The run starts (before its root task is spawned). */
  beforeRun?(run: StrictRunInfo): void;
  /** The run is over: every task finished and every timer of the run is released. */
  afterRun?(run: StrictRunInfo): void;
  /** A task was created; it has not run yet. */
  taskSpawned?(task: TaskInfo): void;
  /** A task became runnable (spawned, woken, or yielding at a checkpoint) and joined the run queue. */
  taskScheduled?(task: TaskInfo): void;
  /** The backend is about to resume a task. */
  beforeTaskStep?(task: TaskInfo): void;
  /** The task reached its next schedule point (checkpoint, wait, or end). */
  afterTaskStep?(task: TaskInfo): void;
  /** The task parked in a core wait; `waitingFor` is what it waits on, e.g. `"sleep"`. */
  taskBlocked?(task: TaskInfo, waitingFor: string): void;
  /** The task finished (returned or threw). */
  taskExited?(task: TaskInfo): void;
  /** Virtual time jumped forward (autojump), from one reading to another. */
  clockJumped?(from: number, to: number): void;
}

/** The hooks that take one task. */
export type TaskHook = "taskSpawned" | "taskScheduled" | "beforeTaskStep" | "afterTaskStep" | "taskExited";

/** @internal Validates an instrument and returns it. */
export function checkInstrument(value: unknown, caller: string): Instrument {
  if (value === null || typeof value !== "object") {
    throw new TypeError(`${caller}: an instrument must be an object with optional hook methods, got ${value === null ? "null" : typeof value}`);
  }
  return value as Instrument;
}
