/**
 * The native backend: runs anyio-ts on the host's own event loop, as AnyIO runs on asyncio.
 *
 * @module
 */
import type { Backend, BackendRun, Resumable, RunController, TimerTarget } from "@anyio/core";
import { BACKEND_CONTRACT_VERSION, retainShape, scheduleMicrotask, type TimerEntry, TimerQueue } from "@anyio/core";
import { hostMacrotask } from "./macrotask.js";

/** Options of {@link nativeBackend}. */
export interface NativeBackendOptions {
  /**
   * How long (ms) tasks may keep running on microtasks alone before checkpoints yield to a
   * macrotask so host timers and I/O get a turn. Default 4.
   */
  timeSlice?: number;
}

const RESOLVED: Promise<void> = Promise.resolve();
/** setTimeout's largest delay; a later deadline is reached in steps. */
const MAX_TIMEOUT = 2_147_483_647;

/** Captured once: reading the global `performance` costs Node a lazy getter per call. */
const hostPerformance: Performance | undefined =
  typeof performance !== "undefined" && typeof performance.now === "function" ? performance : undefined;
const now: () => number =
  hostPerformance !== undefined ? () => hostPerformance.now() : () => Date.now();

/** Lets a Node host timer keep the process alive or not; browsers' numeric timers have no such notion. */
function refHost(timer: ReturnType<typeof setTimeout> | null, keepAlive: boolean): void {
  const t = timer as { ref?: () => void; unref?: () => void } | null;
  if (t === null || typeof t !== "object") return;
  if (keepAlive) t.ref?.();
  else t.unref?.();
}

/** Whether NativeRun has its retained instance (see retainShape in @anyio/core). */
let shapeRetained = false;

class NativeRun implements BackendRun {
  /**
   * Tasks and waiters waiting to be resumed, in FIFO order; drained on one microtask. The first
   * `queued` slots are live; the array keeps its length between flushes because truncating it
   * (`length = 0`) is a runtime call, paid once per flush — once per hand-off when tasks wake
   * each other one at a time.
   */
  private queue: (Resumable | undefined)[] = [];
  private queued = 0;
  private flushScheduled = false;
  private readonly flushBound = () => this.flush();
  /** Checkpoints since the clock was last read; every 64th reads it (see sliceSpent). */
  private ticks = 0;
  /** A marker macrotask is queued: it fires when the host loop gets its next turn. */
  private markerPending = false;
  /**
   * When the pending marker was queued. Starts as a fraction, not `0`: V8 stores a field in the
   * form of its first value, and a timestamp moved this one from small integer to double at the
   * first time-slice check, which gave every run's NativeRun a hidden class of its own (the
   * retained instance keeps the first one; see retainShape). Code optimized for the last run's
   * class was thrown away at each `run()`; starting at a fraction took spawn + join under
   * `--max-semi-space-size=64` from ~376 to ~245 ns per task.
   */
  private markerAt = 0.5;
  /** While set, checkpoints wait for the marker (a macrotask) instead of a microtask. */
  private gate: Promise<void> | null = null;
  private openGate: (() => void) | null = null;
  private readonly onMarkerBound = () => this.onMarker();
  private closed = false;
  /** Every armed deadline of the run, behind one host timer. */
  private readonly timers = new TimerQueue();
  private hostTimer: ReturnType<typeof setTimeout> | null = null;
  private hostDeadline = Infinity;
  private readonly onHostTimerBound = () => this.onHostTimer();
  /** Whether the host timer (if any) keeps the process alive; setTimeout's start out that way. */
  private hostRefed = true;
  private idleCheckPending = false;
  private readonly idleCheckBound = () => this.idleCheck();

  constructor(private readonly timeSlice: number) {
    if (!shapeRetained) {
      shapeRetained = true;
      retainShape(NativeRun, () => new NativeRun(timeSlice));
    }
  }

  now(): number {
    return now();
  }

  setTimer(deadline: number, target: TimerTarget): unknown {
    if (deadline === Infinity) return null;
    const entry = this.timers.add(deadline, target);
    if (deadline < this.hostDeadline) this.armHost();
    else if (!this.hostRefed) {
      refHost(this.hostTimer, true);
      this.hostRefed = true;
    }
    return entry;
  }

  clearTimer(handle: unknown): void {
    if (handle === null || !this.timers.remove(handle as TimerEntry)) return;
    // The host timer stays armed even for a deadline that is gone: it re-arms for what is
    // left when it fires. Re-arming on every clear would cost a clearTimeout + setTimeout per
    // moveOnAfter() around a fast operation. With nothing left it is unref'd, so it no longer
    // keeps the process alive — on the next macrotask, not now: a loop of moveOnAfter() would
    // otherwise toggle the host timer's ref (a call into the runtime) twice per iteration.
    if (this.timers.size === 0 && this.hostRefed && !this.idleCheckPending) {
      this.idleCheckPending = true;
      hostMacrotask(this.idleCheckBound);
    }
  }

  private idleCheck(): void {
    this.idleCheckPending = false;
    if (this.timers.size === 0 && this.hostRefed) {
      refHost(this.hostTimer, false);
      this.hostRefed = false;
    }
  }

  /** Points the one host timer at the earliest deadline. */
  private armHost(): void {
    if (this.hostTimer !== null) clearTimeout(this.hostTimer);
    this.hostTimer = null;
    this.hostDeadline = this.timers.nextDeadline;
    if (this.hostDeadline === Infinity) return;
    // Whole milliseconds, rounded up: Node would round a fraction down to the same 1 ms anyway.
    const delay = Math.min(Math.max(0, Math.ceil(this.hostDeadline - now())), MAX_TIMEOUT);
    this.hostTimer = setTimeout(this.onHostTimerBound, delay);
    this.hostRefed = true;
  }

  private onHostTimer(): void {
    this.hostTimer = null;
    this.hostDeadline = Infinity;
    // Only what is due by performance.now(): Node's timers count from the event loop's cached
    // millisecond clock, so they can fire early on ours — by a fraction of a millisecond, or by
    // however long JavaScript ran since the loop last read its clock. What is not due yet is
    // re-armed below; firing it early would end sleep(1) before 1 ms passed (the contract:
    // onTimer() only once now() >= deadline).
    this.timers.fireDue(now());
    if (!this.closed && this.timers.size > 0) this.armHost();
  }

  reschedule(item: Resumable): void {
    this.queue[this.queued++] = item;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      scheduleMicrotask(this.flushBound);
    }
  }

  private flush(): void {
    const queue = this.queue;
    // Items rescheduled while flushing run in this same pass (FIFO). Each slot is cleared as it
    // is taken, so the array holds nothing that already ran.
    for (let i = 0; i < this.queued; i++) {
      const item = queue[i]!;
      queue[i] = undefined;
      item.resume();
    }
    this.queued = 0;
    // After a burst (a big fan-out), give the memory back rather than keep its peak forever.
    if (queue.length > 4096) queue.length = 0;
    this.flushScheduled = false;
  }

  yieldNow(): Promise<void> {
    if (this.gate !== null) return this.gate;
    if ((++this.ticks & 63) === 0 && this.sliceSpent()) return this.gate!;
    return RESOLVED;
  }

  /**
   * Every 64th checkpoint: queues a marker macrotask if none is pending, or, if one has been
   * pending for a whole time slice — microtasks kept the host loop from a turn that long —
   * closes the gate that holds every checkpoint until the marker fires.
   *
   * The marker is queued here, not at the first checkpoint of every loop turn: a server that
   * handles one message per turn then queues one every 64 checkpoints instead of a
   * `setImmediate` and a clock read per turn (a `setImmediate` chain costs ~1.7 µs per turn
   * here). A busy loop's marker is queued within its first 64 checkpoints and the gate checked
   * by its 128th, so it is held no later than under the old rule (marker at its first
   * checkpoint, clock read every 128th), also when its steps between checkpoints are slow.
   */
  private sliceSpent(): boolean {
    this.ticks = 0; // counts up to 64 only, so it stays a small integer however long the run
    const t = now();
    if (!this.markerPending) {
      this.markerPending = true;
      this.markerAt = t;
      hostMacrotask(this.onMarkerBound);
      return false;
    }
    if (t - this.markerAt <= this.timeSlice) return false;
    this.gate = new Promise<void>((resolve) => (this.openGate = resolve));
    return true;
  }

  private onMarker(): void {
    this.markerPending = false;
    const open = this.openGate;
    this.gate = this.openGate = null;
    if (open !== null) open();
  }

  macrotask(): Promise<void> {
    return new Promise<void>((resolve) => hostMacrotask(resolve));
  }

  close(): void {
    this.closed = true;
    this.timers.clear();
    if (this.hostTimer !== null) clearTimeout(this.hostTimer);
    this.hostTimer = null;
    this.onMarker();
  }
}

/**
 * The native backend: `performance.now()` clock, host timers, microtask scheduling with a
 * macrotask yield every few milliseconds so a busy task never starves timers or I/O.
 *
 * @example
 * ```ts
 * import { run, sleep } from "@anyio/core";
 * import { nativeBackend } from "@anyio/backend-native";
 * await run(() => sleep(100), { backend: nativeBackend() });
 * ```
 */
export function nativeBackend(options?: NativeBackendOptions): Backend {
  if (options !== undefined && (options === null || typeof options !== "object")) {
    throw new TypeError(`nativeBackend(): options must be an object, got ${options === null ? "null" : typeof options}`);
  }
  const timeSlice = options?.timeSlice ?? 4;
  if (typeof timeSlice !== "number" || Number.isNaN(timeSlice) || timeSlice < 0) {
    throw new RangeError(`nativeBackend(): timeSlice must be a number of milliseconds >= 0, got ${String(timeSlice)}`);
  }
  return {
    name: "native",
    contractVersion: BACKEND_CONTRACT_VERSION,
    start(_controller: RunController): BackendRun {
      return new NativeRun(timeSlice);
    },
  };
}
