/**
 * The cancellation tree shared by cancel scopes and tasks.
 *
 * Every cancel scope and every task is a node; a task's node hangs under the scope it was
 * spawned into (a task group's scope), a scope's node under whatever was current when it was
 * entered. "Effectively cancelled" is kept eagerly on every node, as Trio's CancelStatus does,
 * so a checkpoint asks one boolean instead of walking to the root.
 *
 * @internal
 */
import { Cancelled } from "../errors.js";
import type { RunState } from "./run-state.js";
import type { Waiter } from "../waiter.js";
import type { Task } from "../task.js";

/** Marks an AbortSignal that belongs to one of our nodes. */
export const NODE_OF_SIGNAL = Symbol("anyio.node");

/** `_timer` of an entered scope whose deadline timer is not set yet (see `_armDeadlines`). */
export const PENDING_TIMER = Symbol("pending deadline");

/** Life cycle of a node: created, entered (running), exited (finished). */
export const NodeState = { New: 0, Active: 1, Exited: 2 } as const;
export type NodeState = (typeof NodeState)[keyof typeof NodeState];

export abstract class CancelNode {
  // Only declared here: Task and CancelScope initialize them as their own fields, first and in
  // this order, and are not subclasses of CancelNode: each declares `interface X extends
  // CancelNode` (the type) and links CancelNode.prototype under its own (the methods and
  // `instanceof`). V8 allocates an instance of a derived class through a generic path
  // (FindNonDefaultConstructorOrConstruct + FastNewObject) where a base class is allocated
  // inline, and runs the base's field initializers as a second function. Per moveOnAfter()
  // around a resolved op (tools/bench, timeout-scopes; valgrind, Node 20) that was ~100
  // instructions for the initializers and ~150 for the allocation, of ~3,800.
  /** @internal */ declare _run: RunState;
  /** @internal */ declare _task: Task;
  /** @internal */ declare _parent: CancelNode | null;
  /** @internal */ declare _firstChild: CancelNode | null;
  /** @internal */ declare _prevSibling: CancelNode | null;
  /** @internal */ declare _nextSibling: CancelNode | null;
  /** @internal */ declare _state: NodeState;
  // The next three default on the prototype (below) rather than per node: only scopes (which
  // declare them as fields) and an aborted run's root task are ever cancelled directly, so a
  // task does not carry them — 24 bytes of every task (tools/bench, memory per parked task).
  /** @internal */ declare _cancelCalled: boolean;
  /** @internal */ declare _shield: boolean;
  /** @internal */ declare _cancelReason: string | undefined;
  /** @internal */ declare _effCancelled: boolean;
  /** @internal waiters parked with this node as their scope (intrusive list) */
  declare _firstWaiter: Waiter<unknown> | null;
  /** @internal */ declare _controller: AbortController | null;
  /** @internal A scope's deadline timer, or PENDING_TIMER; `null` (the prototype's) for tasks. */
  declare _timer: unknown;

  /** The `AbortSignal` that aborts when this node becomes effectively cancelled. */
  get signal(): AbortSignal {
    let c = this._controller;
    if (c === null) {
      // A signal must abort at a deadline even if nothing parks: set the pending timers (a
      // scope not entered yet has no run; entering it with a signal sets its timer at once).
      if ((this._run as RunState | undefined) !== undefined) this._armDeadlines();
      c = this._controller = new AbortController();
      (c.signal as unknown as Record<symbol, CancelNode>)[NODE_OF_SIGNAL] = this;
      if (this._effCancelled) c.abort(cancelledError(this));
    }
    return c.signal;
  }

  /**
   * @internal Sets the timers of the deadlines that can cancel this node and are still pending:
   * its own and its ancestors'. Every park, checkpoint and signal calls it first.
   *
   * Why deadlines wait: a scope's timer could only fire once a task parks or yields to the
   * host, so a scope sets it on entry only if it is due already or has a signal; otherwise it
   * marks itself pending, and the first of those points under it sets the timer (or cancels at
   * once, if the deadline passed meanwhile). A body that finishes without reaching one — a
   * timeout around a call that did not need to wait — never touches the timer queue. What a
   * task sees is the same as with the timer set on entry: cancellation still arrives at its
   * next checkpoint or wait after the deadline, `cancelCalled` reads the clock while pending
   * (as Trio's does), and a signal made under the scope sets the timer first.
   */
  _armDeadlines(): void {
    if (this._run.pendingDeadlines !== 0) armPendingDeadlines(this);
  }

  /** @internal Links this node under `parent` and derives its cancellation state. */
  _attach(parent: CancelNode): void {
    this._parent = parent;
    const first = parent._firstChild;
    this._nextSibling = first;
    if (first !== null) first._prevSibling = this;
    parent._firstChild = this;
    this._effCancelled = this._cancelCalled || (!this._shield && parent._effCancelled);
  }

  /** @internal */
  _detach(): void {
    const parent = this._parent;
    if (parent === null) return;
    const prev = this._prevSibling;
    const next = this._nextSibling;
    if (prev !== null) prev._nextSibling = next;
    else parent._firstChild = next;
    if (next !== null) next._prevSibling = prev;
    this._prevSibling = this._nextSibling = null;
  }

  /** @internal The node whose cancellation a `Cancelled` raised here stands for. */
  _cancelSource(): CancelNode {
    let source: CancelNode = this;
    for (let n: CancelNode | null = this; n !== null; n = n._parent) {
      if (n._cancelCalled) source = n;
      if (n._shield) break;
    }
    return source;
  }
}

{
  const defaults = CancelNode.prototype as { _cancelCalled: boolean; _shield: boolean; _cancelReason: string | undefined; _timer: unknown };
  defaults._cancelCalled = false;
  defaults._shield = false;
  defaults._cancelReason = undefined;
  defaults._timer = null;
}

/** A scope whose deadline waits in PENDING_TIMER (CancelScope is not imported here). */
interface PendingScope extends CancelNode {
  /** Fires now if the deadline is due at `now`, else sets the timer. */
  _armDeadlineAt(now: number): void;
}

function armPendingDeadlines(node: CancelNode): void {
  const run = node._run;
  let now = NaN;
  for (let n: CancelNode | null = node; n !== null; n = n._parent) {
    if (n._timer !== PENDING_TIMER) continue;
    if (now !== now) now = run.backend.now();
    n._timer = null;
    run.pendingDeadlines--;
    (n as PendingScope)._armDeadlineAt(now);
    if (run.pendingDeadlines === 0) return;
  }
}

/**
 * Makes `cls` a CancelNode at run time: its instances inherit CancelNode's methods and are
 * `instanceof CancelNode`. Its type says so with `interface Cls extends CancelNode {}`.
 */
export function linkCancelNode(cls: abstract new (...args: never[]) => CancelNode): void {
  Object.setPrototypeOf(cls.prototype, CancelNode.prototype);
}

/** A `Cancelled` describing why `node` is effectively cancelled. */
export function cancelledError(node: CancelNode, withoutStack = false): Cancelled {
  const source = node._cancelSource();
  const reason = source._cancelReason;
  const message = reason === undefined ? "Cancelled by cancel scope" : `Cancelled by cancel scope; reason: ${reason}`;
  // Capturing a stack trace is most of the cost of delivering a cancellation to a parked task
  // (cancelling 10k of them builds 10k errors), and that trace would only show the scheduler;
  // the message says which scope. Errors thrown at a caller's own checkpoint keep their stack.
  const ErrorCtor = Error as { stackTraceLimit?: number };
  const limit = ErrorCtor.stackTraceLimit;
  if (!withoutStack || limit === undefined) return new Cancelled(message);
  ErrorCtor.stackTraceLimit = 0;
  try {
    return new Cancelled(message);
  } finally {
    ErrorCtor.stackTraceLimit = limit;
  }
}

/**
 * Re-derives "effectively cancelled" below `root` after its cancel flag, shield or parent
 * changed, and delivers cancellation to every wait that became cancelled. Signals are aborted
 * only after the walk, because abort listeners run user code synchronously.
 */
export function refreshCancellation(root: CancelNode): void {
  const parent = root._parent;
  const eff = root._cancelCalled || (!root._shield && parent !== null && parent._effCancelled);
  if (eff === root._effCancelled) return;
  let toAbort: CancelNode[] | null = null;
  // Every wait this walk cancels is cancelled by the same scope for the same reason, so they
  // share one (stackless) error, as the listeners of one AbortSignal share its reason:
  // building 10k errors was most of the cost of cancelling 10k sleeping tasks.
  let delivered: unknown = null;
  const stack: CancelNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const p = node._parent;
    const e = node._cancelCalled || (!node._shield && p !== null && p._effCancelled);
    if (e === node._effCancelled && node !== root) continue;
    node._effCancelled = e;
    if (e) {
      if (node._controller !== null && !node._controller.signal.aborted) (toAbort ??= []).push(node);
      let w = node._firstWaiter;
      while (w !== null) {
        const next = w._next;
        w._cancel((delivered ??= cancelledError(node, true)));
        w = next;
      }
    }
    for (let c = node._firstChild; c !== null; c = c._nextSibling) stack.push(c);
  }
  if (toAbort !== null) {
    for (const node of toAbort) {
      if (node._effCancelled) node._controller!.abort(cancelledError(node));
    }
  }
}

/** Moves `node` (and its subtree) under `parent`, re-deriving cancellation. */
export function reparent(node: CancelNode, parent: CancelNode): void {
  node._detach();
  const wasCancelled = node._effCancelled;
  node._attach(parent);
  const nowCancelled = node._effCancelled;
  if (wasCancelled !== nowCancelled) {
    node._effCancelled = wasCancelled;
    refreshCancellation(node);
  }
}
