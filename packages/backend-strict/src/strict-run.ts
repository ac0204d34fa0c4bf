/**
 * One run on the strict backend: its run queue, its clock and timers, the idle check that
 * autojumps and detects deadlocks, the step-budget check and the instrument calls.
 *
 * @internal
 */
import type { BackendRun, BlockedTask, Resumable, RunController, TaskInfo, TimerTarget } from "@anyio/core";
import { retainShape, scheduleMicrotask, TimerEntry, TimerQueue } from "@anyio/core";
import { DeadlockError, InstrumentError, StepBudgetError } from "./errors.js";
import type { Instrument, StrictRunInfo, TaskHook } from "./instrument.js";
import { type HostTask, hostMacrotask, hostNow, hostTimeout } from "./macrotask.js";
import { mulberry32, shuffleInPlace } from "./prng.js";
import type { ClockListener, VirtualClock } from "./virtual-clock.js";

/** What a run reads from its backend; `instruments` is replaced (never mutated) on add/remove. */
export interface RunSettings {
  readonly seed: number | undefined;
  readonly stepBudget: number;
  readonly onStepBudgetExceeded: ((error: StepBudgetError) => void) | null;
  readonly instruments: readonly Instrument[];
}

/**
 * After this many resumptions on microtasks alone, the next batch waits for a host macrotask so
 * host timers and I/O get a turn. Counted, not timed: a time slice would make the interleaving
 * depend on machine speed, and determinism is the point of this backend.
 */
const RESUMES_PER_MACROTASK = 2048;
/** Longest pause between two idle checks while something outside the run queue is pending. */
const MAX_POLL_MS = 32;
/** setTimeout's largest delay; longer timers are re-armed in steps. */
const MAX_TIMEOUT = 2_147_483_647;

/** A checkpoint's place in the run queue: resuming it resolves the task's `yieldNow()` promise. */
class YieldEntry implements Resumable {
  resume!: () => void;
  readonly promise: Promise<void>;
  constructor(readonly task: TaskInfo) {
    this.promise = new Promise<void>((resolve) => (this.resume = resolve));
    if (!yieldEntryShapeRetained) {
      yieldEntryShapeRetained = true;
      retainShape(YieldEntry, () => new YieldEntry(NO_TASK));
    }
  }
}

/**
 * Checkpoints that follow one another in the run queue, sharing one entry and one promise.
 * Resolving it queues the awaiting tasks' continuations in the order they awaited, which is
 * the order they checkpointed (a task awaits its checkpoint as it makes it), so the FIFO order
 * of the queue is kept without a promise and a resolver per checkpoint. Only used without a
 * seed: a shuffle needs an entry per task.
 */
class YieldGroup extends YieldEntry {
  /** Every task in the group, in checkpoint order; `task` is the first. */
  readonly tasks: TaskInfo[];
  constructor(task: TaskInfo) {
    super(task);
    this.tasks = [task];
    if (!yieldGroupShapeRetained) {
      yieldGroupShapeRetained = true;
      retainShape(YieldGroup, () => new YieldGroup(NO_TASK));
    }
  }
}

/** Whether YieldEntry and YieldGroup have their retained instances (see retainShape in @anyio/core). */
let yieldEntryShapeRetained = false;
let yieldGroupShapeRetained = false;
/** The task of the retained entry: none of any run's. */
const NO_TASK: TaskInfo = { id: 0, parentId: null, name: "(retained shape)" };

/**
 * What the retained StrictRun is built with: a controller and settings of no run (no
 * instruments, so building it calls nothing).
 */
const NO_CONTROLLER: RunController = {
  snapshot: () => ({ liveTasks: 0, parkedTasks: 0, externalWaits: 0 }),
  tasks: () => [],
  abort: () => {},
};
const NO_SETTINGS: RunSettings = { seed: undefined, stepBudget: Infinity, onStepBudgetExceeded: null, instruments: [] };
let strictRunShapeRetained = false;

/** Turns a seed of any safe integer into 32 bits for the generator (high bits mixed in). */
function seedBits(seed: number): number {
  return ((seed >>> 0) ^ Math.imul(Math.floor(seed / 4294967296) >>> 0, 0x9e3779b1)) >>> 0;
}

export class StrictRun implements BackendRun, ClockListener {
  private readonly random: (() => number) | null;
  private readonly clock: VirtualClock | null;
  private readonly seed: number | undefined;
  private readonly info: StrictRunInfo;

  /** Items that became ready since the current batch started; run as the next batch. */
  private queue: Resumable[] = [];
  /** The previous batch's array, kept to avoid allocating one per batch. */
  private spare: Resumable[] = [];
  private flushScheduled = false;
  /** Set while the next flush waits for a macrotask (see RESUMES_PER_MACROTASK). */
  private flushHandle: HostTask | null = null;
  private resumedSinceMacrotask = 0;
  private readonly flushBound = () => this.flush();
  private readonly flushFromMacrotaskBound = () => {
    this.flushHandle = null;
    this.hostHadTurn();
    this.flush();
  };

  private readonly timers = new TimerQueue();
  /** Real clock: one host timer, armed for the earliest deadline. */
  private hostTimer: HostTask | null = null;
  private hostTimerDeadline = Infinity;
  private readonly onHostTimerBound = () => this.onHostTimer();
  /** Virtual clock: a microtask that fires timers made due by advance() or a past deadline. */
  private dueCheckScheduled = false;
  private readonly dueCheckBound = () => this.dueCheck();

  /** The pending idle check: a macrotask, or a poll timer while waiting on the outside world. */
  private idleHandle: HostTask | null = null;
  private idleIsPoll = false;
  private pollDelay = 1;
  private readonly idleCheckBound = () => this.idleCheck();
  /** Real time since when only external waits kept the clock from jumping (for jumpOverExternalWaitsAfter). */
  private externalIdleSince: number | null = null;
  /** Tasks in waitAllTasksBlocked(), in call order. */
  private allBlockedWaiters: YieldEntry[] = [];

  /** Real time of the last schedule point or host turn: a step's time is measured from it. */
  private lastMark = hostNow();
  /** The run was aborted by this backend; further failures must not escalate to a forced end. */
  private aborted = false;
  private closed = false;

  constructor(
    private readonly controller: RunController,
    private readonly settings: RunSettings,
    /** The virtual clock to drive, or `null` for the host's real clock. */
    clock: VirtualClock | null,
  ) {
    this.seed = settings.seed;
    this.random = settings.seed === undefined ? null : mulberry32(seedBits(settings.seed));
    this.clock = clock;
    this.info = { seed: settings.seed, clock: clock === null ? "real" : "virtual" };
    this.clock?._attach(this);
    this.emitRun("beforeRun");
    // One run's worth of objects dies at every full GC between runs, and with it this class's
    // hidden class: every function optimized against it was thrown away once per run (spawn +
    // join on this backend in tools/bench). See retainShape in @anyio/core.
    if (!strictRunShapeRetained) {
      strictRunShapeRetained = true;
      retainShape(StrictRun, () => new StrictRun(NO_CONTROLLER, NO_SETTINGS, null));
    }
  }

  // ---- clock and timers -------------------------------------------------------------------

  now(): number {
    return this.clock !== null ? this.clock.now() : hostNow();
  }

  setTimer(deadline: number, target: TimerTarget): unknown {
    if (deadline === Infinity) return null;
    const entry = this.timers.add(deadline, target);
    if (this.closed) return entry;
    if (this.clock !== null) {
      // Otherwise time stands still until every task is blocked; the idle check jumps then.
      if (deadline <= this.clock.now()) this.scheduleDueCheck();
    } else if (this.timers.peek() === entry) {
      this.armHostTimer();
    }
    return entry;
  }

  clearTimer(handle: unknown): void {
    if (!(handle instanceof TimerEntry)) return;
    this.timers.remove(handle);
    // A stale host timer only wakes us early once, but with nothing left it would keep the
    // process alive for nothing.
    if (this.timers.size === 0 && this.hostTimer !== null) {
      this.hostTimer.cancel();
      this.hostTimer = null;
      this.hostTimerDeadline = Infinity;
    }
  }

  private armHostTimer(): void {
    const first = this.timers.peek();
    if (first === undefined || this.closed) return;
    if (this.hostTimer !== null) {
      if (this.hostTimerDeadline <= first.deadline) return;
      this.hostTimer.cancel();
    }
    const delay = Math.min(Math.max(0, Math.ceil(first.deadline - hostNow())), MAX_TIMEOUT);
    this.hostTimerDeadline = first.deadline;
    this.hostTimer = hostTimeout(this.onHostTimerBound, delay);
  }

  private onHostTimer(): void {
    this.hostTimer = null;
    this.hostTimerDeadline = Infinity;
    this.hostHadTurn();
    this.fireDue(hostNow());
    this.armHostTimer();
  }

  private scheduleDueCheck(): void {
    if (this.dueCheckScheduled) return;
    this.dueCheckScheduled = true;
    scheduleMicrotask(this.dueCheckBound);
  }

  private dueCheck(): void {
    this.dueCheckScheduled = false;
    if (!this.closed && this.clock !== null) this.fireDue(this.clock.now());
  }

  /** Fires every timer due at `now`, earliest deadline first (ties in the order they were set). */
  private fireDue(now: number): void {
    let entry: TimerEntry | undefined;
    while ((entry = this.timers.popDue(now)) !== undefined) {
      try {
        entry.target.onTimer();
      } catch (err) {
        this.fail(err);
      }
    }
  }

  /** ClockListener: `advance()` moved time; fire what became due after the caller's step. */
  clockAdvanced(): void {
    if (!this.closed) this.scheduleDueCheck();
  }

  /** ClockListener: autojump was switched on (or its settings changed): maybe jump now. */
  clockSettingsChanged(): void {
    this.requestIdleCheck();
  }

  // ---- run queue --------------------------------------------------------------------------

  reschedule(item: Resumable): void {
    this.queue.push(item);
    if (this.settings.instruments.length !== 0) this.emitTask("taskScheduled", item.task);
    if (!this.flushScheduled) this.scheduleFlush();
  }

  private scheduleFlush(): void {
    this.flushScheduled = true;
    if (this.resumedSinceMacrotask < RESUMES_PER_MACROTASK || this.closed) scheduleMicrotask(this.flushBound);
    else this.flushHandle = hostMacrotask(this.flushFromMacrotaskBound);
  }

  /** Runs one batch: everything that became ready since the last batch, shuffled if seeded. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    // Items readied while this batch runs go to the next one (Trio's batches).
    this.queue = this.spare;
    const n = batch.length;
    if (this.random !== null && n > 1) shuffleInPlace(batch, this.random);
    this.resumedSinceMacrotask += n;
    const traced = this.settings.instruments.length !== 0;
    const timed = this.settings.stepBudget !== Infinity;
    for (let i = 0; i < n; i++) {
      const item = batch[i]!;
      if (item instanceof YieldGroup) {
        const tasks = item.tasks;
        this.resumedSinceMacrotask += tasks.length - 1;
        if (traced) for (let t = 0; t < tasks.length; t++) this.emitTask("beforeTaskStep", tasks[t]!);
      } else if (traced) {
        this.emitTask("beforeTaskStep", item.task);
      }
      const startedAt = timed ? hostNow() : 0;
      try {
        item.resume();
      } catch (err) {
        this.fail(err);
      }
      // A task's first step runs synchronously inside resume(): time it exactly, so it is not
      // charged to whichever task reaches a schedule point next.
      if (timed) this.timeSyncStep(item.task, startedAt);
    }
    batch.length = 0;
    this.spare = batch;
    this.requestIdleCheck();
  }

  yieldNow(task: TaskInfo): Promise<void> {
    this.stepEnded(task);
    if (this.random !== null) {
      const entry = new YieldEntry(task);
      this.reschedule(entry);
      return entry.promise;
    }
    const queue = this.queue;
    const last = queue.length === 0 ? undefined : queue[queue.length - 1];
    if (last instanceof YieldGroup) {
      last.tasks.push(task);
      if (this.settings.instruments.length !== 0) this.emitTask("taskScheduled", task);
      return last.promise;
    }
    const group = new YieldGroup(task);
    this.reschedule(group);
    return group.promise;
  }

  waitAllTasksBlocked(task: TaskInfo): Promise<void> {
    this.stepEnded(task);
    const entry = new YieldEntry(task);
    this.allBlockedWaiters.push(entry);
    this.requestIdleCheck();
    return entry.promise;
  }

  macrotask(): Promise<void> {
    return new Promise<void>((resolve) => void hostMacrotask(resolve));
  }

  // ---- task events ------------------------------------------------------------------------

  taskSpawned(task: TaskInfo): void {
    if (this.settings.instruments.length !== 0) this.emitTask("taskSpawned", task);
  }

  taskParked(blocked: BlockedTask): void {
    this.stepEnded(blocked.task);
    if (this.settings.instruments.length !== 0) this.emitBlocked(blocked.task, blocked.waitingFor);
    this.requestIdleCheck();
  }

  taskExited(task: TaskInfo): void {
    this.stepEnded(task);
    if (this.settings.instruments.length !== 0) this.emitTask("taskExited", task);
    this.requestIdleCheck();
  }

  /**
   * A task reached a schedule point. Its step is the real time since the previous schedule
   * point of the run or the last host turn, whichever came later: between those, only this
   * task's code can have kept the loop busy (approximately: other tasks' microtask hops that
   * ended in no schedule point are charged to it too).
   */
  private stepEnded(task: TaskInfo): void {
    if (this.settings.instruments.length !== 0) this.emitTask("afterTaskStep", task);
    const budget = this.settings.stepBudget;
    if (budget === Infinity) return;
    const t = hostNow();
    const elapsed = t - this.lastMark;
    this.lastMark = t;
    if (elapsed > budget) this.reportSlowStep(task, elapsed);
  }

  private reportSlowStep(task: TaskInfo, elapsed: number): void {
    const error = new StepBudgetError(task, elapsed, this.settings.stepBudget, this.seed);
    const report = this.settings.onStepBudgetExceeded;
    if (report === null) {
      this.fail(error);
      return;
    }
    try {
      report(error);
    } catch (err) {
      this.fail(err);
    }
  }

  /** Checks the part of a step that ran inside `resume()`, after its last schedule point. */
  private timeSyncStep(task: TaskInfo, startedAt: number): void {
    const t = hostNow();
    const elapsed = t - Math.max(startedAt, this.lastMark);
    // Measured exactly, so the next gap starts here: many short first steps in one batch
    // must not add up to a slow step of whichever task reaches a schedule point next.
    this.lastMark = t;
    if (elapsed > this.settings.stepBudget) this.reportSlowStep(task, elapsed);
  }

  /** The host ran a macrotask of ours: the time before it was not one long step. */
  private hostHadTurn(): void {
    this.resumedSinceMacrotask = 0;
    if (this.settings.stepBudget !== Infinity) this.lastMark = hostNow();
  }

  // ---- idle check: waitAllTasksBlocked, autojump, deadlock ---------------------------------

  private requestIdleCheck(): void {
    if (this.closed) return;
    if (this.idleHandle !== null) {
      if (!this.idleIsPoll) return;
      // Something happened: look now rather than at the end of a backed-off poll.
      this.idleHandle.cancel();
    }
    this.idleIsPoll = false;
    this.pollDelay = 1;
    this.idleHandle = hostMacrotask(this.idleCheckBound);
  }

  /** Looks again later, on a short host timer that backs off (never a busy spin). */
  private poll(): void {
    // On the real clock nothing here depends on elapsed time unless steps are being timed:
    // every state change arrives as an event that requests a check.
    if (this.clock === null && this.settings.stepBudget === Infinity) return;
    this.idleIsPoll = true;
    this.idleHandle = hostTimeout(this.idleCheckBound, this.pollDelay);
    // The poll doubles as the step budget's heartbeat: host-idle time must stay well below it.
    const cap = Math.max(1, Math.min(MAX_POLL_MS, this.settings.stepBudget / 4));
    this.pollDelay = Math.min(this.pollDelay * 2, cap);
  }

  /**
   * Runs on a host macrotask, so every microtask has drained: a task that is neither queued
   * nor parked is awaiting something outside the run (a foreign promise, real I/O).
   */
  private idleCheck(): void {
    this.idleHandle = null;
    if (this.closed) return;
    this.hostHadTurn();
    // A batch is pending or timers are about to fire: the flush requests another check.
    if (this.flushScheduled || this.dueCheckScheduled) return;
    const { liveTasks, parkedTasks, externalWaits } = this.controller.snapshot();
    const blocked = parkedTasks + externalWaits;

    // Trio: waitAllTasksBlocked() has priority over autojump.
    const waiters = this.allBlockedWaiters;
    if (waiters.length > 0) {
      if (blocked >= liveTasks - waiters.length) {
        this.allBlockedWaiters = [];
        for (const entry of waiters) this.reschedule(entry);
      } else {
        this.poll();
      }
      return;
    }

    const clock = this.clock;
    if (parkedTasks < liveTasks || externalWaits > 0) {
      if (clock !== null && clock.autojump && blocked >= liveTasks && this.timers.size > 0 && clock.jumpOverExternalWaitsAfter !== Infinity) {
        const t = hostNow();
        this.externalIdleSince ??= t;
        if (t - this.externalIdleSince >= clock.jumpOverExternalWaitsAfter) {
          this.externalIdleSince = null;
          this.jump(clock);
          return;
        }
      } else {
        this.externalIdleSince = null;
      }
      this.poll();
      return;
    }
    this.externalIdleSince = null;

    if (this.timers.size > 0) {
      // Real clock: the host timer is armed. Manual virtual clock: advance() fires them.
      if (clock !== null && clock.autojump) this.jump(clock);
      return;
    }

    // Every task is parked, nothing can wake any of them: fail the run with the whole story.
    this.aborted = true;
    this.controller.abort(new DeadlockError(this.controller.tasks(), this.seed));
  }

  /** Autojump: time moves to the earliest deadline, and every timer due then fires. */
  private jump(clock: VirtualClock): void {
    const first = this.timers.peek()!;
    const from = clock.now();
    clock._jumpTo(first.deadline);
    const to = clock.now();
    if (to !== from && this.settings.instruments.length !== 0) this.emitJump(from, to);
    this.fireDue(to);
    // The timers that fired may have woken nobody (a deadline of a scope whose tasks sit
    // behind a shield): then no flush will ask again, so look again ourselves, or the run
    // hangs with later timers pending.
    this.requestIdleCheck();
  }

  // ---- failing and closing ----------------------------------------------------------------

  /**
   * Fails the run with `error` (once: a second abort would end the run without waiting for
   * cleanup). Deferred to a microtask so core's bookkeeping in progress finishes first.
   */
  private fail(error: unknown): void {
    if (this.aborted || this.closed) return;
    this.aborted = true;
    queueMicrotask(() => this.controller.abort(error));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleHandle !== null) this.idleHandle.cancel();
    this.idleHandle = null;
    if (this.hostTimer !== null) this.hostTimer.cancel();
    this.hostTimer = null;
    this.timers.clear();
    if (this.flushHandle !== null) {
      // Stragglers of a force-ended run still get resumed, but no host handle outlives the run.
      this.flushHandle.cancel();
      this.flushHandle = null;
      scheduleMicrotask(this.flushBound);
    }
    this.clock?._detach(this);
    this.emitRun("afterRun");
  }

  // ---- instruments ------------------------------------------------------------------------

  private emitTask(hook: TaskHook, task: TaskInfo): void {
    const list = this.settings.instruments;
    for (let i = 0; i < list.length; i++) {
      const instrument = list[i]!;
      const fn = instrument[hook];
      if (fn === undefined) continue;
      try {
        fn.call(instrument, task);
      } catch (err) {
        this.fail(new InstrumentError(hook, err, this.seed));
      }
    }
  }

  private emitBlocked(task: TaskInfo, waitingFor: string): void {
    for (const instrument of this.settings.instruments) {
      if (instrument.taskBlocked === undefined) continue;
      try {
        instrument.taskBlocked(task, waitingFor);
      } catch (err) {
        this.fail(new InstrumentError("taskBlocked", err, this.seed));
      }
    }
  }

  private emitJump(from: number, to: number): void {
    for (const instrument of this.settings.instruments) {
      if (instrument.clockJumped === undefined) continue;
      try {
        instrument.clockJumped(from, to);
      } catch (err) {
        this.fail(new InstrumentError("clockJumped", err, this.seed));
      }
    }
  }

  private emitRun(hook: "beforeRun" | "afterRun"): void {
    for (const instrument of this.settings.instruments) {
      const fn = instrument[hook];
      if (fn === undefined) continue;
      try {
        fn.call(instrument, this.info);
      } catch (err) {
        const error = new InstrumentError(hook, err, this.seed);
        if (hook === "beforeRun") this.fail(error);
        else
          // The run has already settled: there is nothing left to fail, so surface it the way
          // the host surfaces any error thrown by a callback.
          queueMicrotask(() => {
            throw error;
          });
      }
    }
  }
}
