/**
 * Low-level parking: how a task waits for something and how cancellation interrupts it.
 * Every blocking call of anyio-ts (sleep, Event.wait, Lock.acquire, stream send/receive…)
 * is a {@link Waiter}; third-party primitives build on it the same way.
 *
 * @module
 */
import type { Resumable, TaskInfo } from "./backend.js";
import type { CancelNode } from "./internal/cancel-node.js";
import { isForeignSignal } from "./context.js";
import { cancelledError } from "./internal/cancel-node.js";
import { hasRetainedShape, retainShape } from "./retain-shape.js";
import { detachedTask } from "./task.js";

// `_state` holds the phase in its low two bits and two constant flags above them (one field
// instead of three: every parked task holds a waiter).
const IDLE = 0;
const PARKED = 1;
const WOKEN = 2;
const FAILED = 3;
const PHASE = 3;
const CANCELLABLE = 4;
const EXTERNAL = 8;

/** How a waiter counts towards "every task is blocked" (strict deadlock detection). */
export type WaitKind = "internal" | "external";

/**
 * Out of the constructor, which every blocking call inlines: V8 stops inlining once the
 * bytecode adds up past a budget, and this runs once per waiter class.
 */
function retainWaiterShape(cls: new (what: string, node: CancelNode) => Waiter<any, any>): void {
  retainShape(cls, () => new cls("(retained shape)", detachedTask()));
}

/**
 * One task waiting for one thing. Create it with {@link parkOn}-style code: construct,
 * enqueue it wherever the waking side will find it, then `await waiter.park()`.
 *
 * - `wake(value)` hands a value over: the park resolves with it even if the task's scope is
 *   cancelled in the same step (the value is never lost).
 * - Cancellation of the task's scope (or an aborted foreign `signal`) calls `onAbort(waiter)`
 *   (remove it from your queue there) and rejects the park with `Cancelled` (or the signal's
 *   reason) — only while it is still parked.
 * - `park()` is itself a cancel point: it rejects at once if the scope is already cancelled.
 * - Data that travels with the wait (the item of a blocked send, say) goes in `payload`
 *   rather than a subclass: where V8 does not inline a subclass's constructor (a call that
 *   already inlines a lot), it builds the instance through a slower generic path.
 *   Subclasses still work: core builds one instance of each, once, with Waiter's own
 *   arguments `(what, node)`, and keeps it so V8 keeps the subclass's hidden class between
 *   runs (see `retainShape`); give a subclass constructor those parameters.
 *
 * @example
 * ```ts
 * // A one-shot gate: park until open() is called.
 * class Gate {
 *   #waiters = new Set<Waiter<void>>();
 *   async wait(options?: WaitOptions) {
 *     const w = new Waiter<void>("Gate.wait", currentNode(options, "Gate.wait"), {
 *       signal: foreignSignal(options),
 *       onAbort: (w) => this.#waiters.delete(w),
 *     });
 *     this.#waiters.add(w);
 *     await w.park();
 *   }
 *   open() { for (const w of this.#waiters) w.wake(); this.#waiters.clear(); }
 * }
 * ```
 */
export class Waiter<T = void, P = unknown> implements Resumable {
  /** @internal */ _node: CancelNode;
  /** @internal */ _next: Waiter<unknown> | null = null;
  /** @internal */ _prev: Waiter<unknown> | null = null;
  /** @internal */ _state = IDLE;
  /** @internal */ _value: unknown = undefined;
  /** @internal */ _resolve: ((v: T) => void) | null = null;
  /** @internal */ _reject: ((e: unknown) => void) | null = null;
  /** What the task waits for, shown in deadlock reports. */
  readonly what: string;
  /**
   * What the primitive keeps with this wait (the item a blocked sender hands over, the
   * borrower a limiter admits): the `payload` option, settable. Cheaper than a subclass with a
   * field of its own wherever V8 does not inline the subclass's constructor: then it builds the
   * instance through a slower generic path (memory object streams with buffer 0 paid ~230–310
   * instructions per item for it; tools/bench/instructions.mjs).
   */
  payload: P;
  /** Called when cancellation removes this waiter; take it out of your queue here. */
  onAbort: ((waiter: Waiter<T, P>) => void) | null;
  /** @internal See the `onCancelledAfterWake` option. */
  _onCancelledAfterWake: ((waiter: Waiter<T, P>) => void) | null;
  /** @internal */ _signal: AbortSignal | null;

  constructor(
    what: string,
    node: CancelNode,
    options?: {
      /** A foreign AbortSignal that also aborts this wait (ours are ignored: they resolved into `node`). Pass `foreignSignal(options)`. */
      signal?: AbortSignal | undefined;
      onAbort?: ((waiter: Waiter<T, P>) => void) | undefined;
      /**
       * Makes a wake conditional on the task still not being cancelled when it resumes: if it
       * was woken but its scope (or foreign `signal`) was cancelled before it continued, this is
       * called instead — hand what `wake()` gave (a lock, a permit) to the next waiter here —
       * and the park rejects with the cancellation. AnyIO's rule for acquires; without it, a
       * woken waiter always receives its value.
       */
      onCancelledAfterWake?: ((waiter: Waiter<T, P>) => void) | undefined;
      /** `false` for waits that cancellation must not interrupt (task-group joins). */
      cancellable?: boolean | undefined;
      /** `"external"` for waits on the outside world (I/O, foreign promises). */
      kind?: WaitKind | undefined;
      /** Initial {@link Waiter.payload}. */
      payload?: P | undefined;
    },
  ) {
    this.what = what;
    this.payload = options?.payload as P;
    this._node = node;
    this.onAbort = options?.onAbort ?? null;
    this._onCancelledAfterWake = options?.onCancelledAfterWake ?? null;
    this._state = (options?.cancellable !== false ? CANCELLABLE : 0) | (options?.kind === "external" ? EXTERNAL : 0);
    const signal = options?.signal;
    this._signal = signal !== undefined && isForeignSignal(signal) ? signal : null;
    // One detached waiter per waiter class (subclasses in other packages too) keeps its hidden
    // class alive between runs; see retainShape. A subclass is built with Waiter's arguments.
    const cls = new.target;
    if (!hasRetainedShape(cls)) retainWaiterShape(cls);
  }

  /** The task that waits. */
  get task(): TaskInfo {
    return this._node._task;
  }

  /** True while parked (not yet woken, failed or cancelled). */
  get pending(): boolean {
    return (this._state & PHASE) === PARKED;
  }

  /** Suspends the task until woken, failed or cancelled. Call once. */
  park(): Promise<T> {
    const flags = this._state;
    if ((flags & PHASE) !== IDLE) return Promise.reject(new Error(`Waiter(${this.what}).park() called twice`));
    const node = this._node;
    const signal = this._signal;
    node._armDeadlines();
    if ((flags & CANCELLABLE) !== 0 && node._effCancelled) {
      this._state = flags | FAILED;
      return Promise.reject(cancelledError(node));
    }
    if (signal !== null && signal.aborted) {
      this._state = flags | FAILED;
      return Promise.reject(signal.reason);
    }
    const promise = new Promise<T>((resolve, reject) => {
      this._resolve = resolve;
      this._reject = reject;
    });
    this._state = flags | PARKED;
    if ((flags & CANCELLABLE) !== 0) {
      const first = node._firstWaiter;
      this._next = first;
      if (first !== null) first._prev = this as Waiter<unknown>;
      node._firstWaiter = this as Waiter<unknown>;
    }
    if (signal !== null) signal.addEventListener("abort", this);
    node._task._waitingOn = this as Waiter<unknown>;
    const run = node._run;
    if ((flags & EXTERNAL) !== 0) run.externalWaits++;
    else run.parkedCount++;
    const hook = run.backend.taskParked;
    if (hook !== undefined) hook.call(run.backend, { task: node._task, waitingFor: this.what });
    return promise;
  }

  /** Hands `value` to the parked task. Returns false (and does nothing) if it is not parked. */
  wake(value?: T): boolean {
    if ((this._state & PHASE) !== PARKED) return false;
    this._settle(WOKEN, value);
    return true;
  }

  /** Makes the park reject with `error`. Returns false if it is not parked. */
  fail(error: unknown): boolean {
    if ((this._state & PHASE) !== PARKED) return false;
    this._settle(FAILED, error);
    return true;
  }

  /** @internal Cancellation reached this waiter's node. */
  _cancel(error: unknown): void {
    if ((this._state & PHASE) !== PARKED) return;
    this._settle(FAILED, error);
    const onAbort = this.onAbort;
    if (onAbort !== null) onAbort(this);
  }

  /** @internal AbortSignal listener for a foreign signal. */
  handleEvent(): void {
    const signal = this._signal;
    if (signal !== null) this._cancel(signal.reason);
  }

  /** @internal */
  _settle(state: number, value: unknown): void {
    const flags = this._state & ~PHASE;
    this._state = flags | state;
    this._value = value;
    const node = this._node;
    if ((flags & CANCELLABLE) !== 0) {
      const prev = this._prev;
      const next = this._next;
      if (prev !== null) prev._next = next;
      else if (node._firstWaiter === (this as Waiter<unknown>)) node._firstWaiter = next;
      if (next !== null) next._prev = prev;
      this._prev = this._next = null;
    }
    if (this._signal !== null) this._signal.removeEventListener("abort", this);
    const task = node._task;
    if (task._waitingOn === (this as Waiter<unknown>)) task._waitingOn = null;
    const run = node._run;
    if ((flags & EXTERNAL) !== 0) run.externalWaits--;
    else run.parkedCount--;
    run.backend.reschedule(this);
  }

  /** @internal Called by the backend: continues the task with the outcome. */
  resume(): void {
    const resolve = this._resolve!;
    const reject = this._reject!;
    this._resolve = this._reject = null;
    if ((this._state & PHASE) !== WOKEN) {
      reject(this._value);
      return;
    }
    const handBack = this._onCancelledAfterWake;
    if (handBack !== null) {
      const node = this._node;
      const signal = this._signal;
      if (node._effCancelled || (signal !== null && signal.aborted)) {
        this._state = (this._state & ~PHASE) | FAILED;
        this._value = node._effCancelled ? cancelledError(node, true) : signal!.reason;
        handBack(this);
        reject(this._value);
        return;
      }
    }
    resolve(this._value as T);
  }
}

