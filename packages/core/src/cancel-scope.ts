/**
 * Cancel scopes: a region of code that can be cancelled as a unit, by `cancel()`, by a
 * deadline, or by an enclosing scope — unless shielded.
 *
 * @module
 */
import type { TimerTarget } from "./backend.js";
import { currentNode, describe, findNode, type WaitOptions } from "./context.js";
import { isCancelled, TimeoutError } from "./errors.js";
import { CancelNode, linkCancelNode, NodeState, PENDING_TIMER, refreshCancellation } from "./internal/cancel-node.js";
import { callInContext, promiseThen } from "./internal/promise.js";
import type { RunState } from "./internal/run-state.js";
import { checkDelay, checkDeadline } from "./internal/validate.js";
import { hasRetainedShape, retainShape } from "./retain-shape.js";
import type { Task } from "./task.js";
import type { Waiter } from "./waiter.js";

/** Options of {@link CancelScope}. */
export interface CancelScopeOptions {
  /** Absolute deadline on the run's clock (`currentTime()` units, ms); `Infinity` for none. */
  deadline?: number;
  /** Shield the scope's contents from cancellation of the scopes around it. */
  shield?: boolean;
}

/**
 * A cancel scope, as in AnyIO/Trio. Enter it with `run(body)`; cancellation (by
 * {@link CancelScope.cancel}, by the deadline, or from outside unless shielded) makes every
 * checkpoint inside throw `Cancelled`, level-triggered, until the body leaves the scope —
 * where the scope that caused the cancellation absorbs it and `run()` resolves `undefined`.
 *
 * A scope is single-use. `deadline` and `shield` may change while it is entered. A subclass
 * is built once with no arguments (one detached instance kept so V8 keeps its hidden class
 * between runs, see `retainShape`); a subclass that needs arguments simply goes without.
 *
 * @example
 * ```ts
 * const scope = new CancelScope({ deadline: currentTime() + 1_000 });
 * const result = await scope.run(async () => {
 *   await sleep(5_000);      // cancelled after 1 s
 *   return "finished";
 * });
 * // result === undefined, scope.cancelledCaught === true
 * ```
 */
export class CancelScope implements TimerTarget {
  // CancelNode's fields: a scope is a CancelNode without being a subclass (see CancelNode).
  // `_run` and `_task` are set on entry (`_run` earlier when moveOnAfter / failAfter got a
  // context); defining them now keeps every scope on one hidden class.
  /** @internal */ _run: RunState = undefined!;
  /** @internal */ _task: Task = undefined!;
  /** @internal */ _parent: CancelNode | null = null;
  /** @internal */ _firstChild: CancelNode | null = null;
  /** @internal */ _prevSibling: CancelNode | null = null;
  /** @internal */ _nextSibling: CancelNode | null = null;
  /** @internal */ _state: NodeState = NodeState.New;
  /** @internal */ _effCancelled = false;
  /** @internal */ _firstWaiter: Waiter<unknown> | null = null;
  /** @internal */ _controller: AbortController | null = null;
  /** @internal Own fields on scopes (tasks read the prototype's defaults, see CancelNode). */
  _cancelCalled = false;
  /** @internal */ _shield = false;
  /** @internal */ _cancelReason: string | undefined = undefined;
  /** @internal Kept off `CancelNode`: tasks never have one, and a double field costs each task a heap number. */
  _deadline = Infinity;
  /** @internal */ _cancelledCaught = false;
  /** @internal */ _deadlineFired = false;
  /** @internal */ _timer: unknown = null;
  /** @internal The delay of moveOnAfter / failAfter until entry fixes the deadline from it. */
  _pendingDelay: number | null = null;

  constructor(options?: CancelScopeOptions) {
    if (options !== undefined) {
      this._deadline = scopeDeadline(options, "CancelScope");
      this._shield = scopeShield(options);
    }
    // One detached scope per scope class (FailAfterScope too) keeps its hidden class alive
    // between runs; see retainShape. A subclass is built with no arguments.
    const cls = new.target;
    if (!hasRetainedShape(cls)) retainShape(cls, () => new cls());
  }

  /**
   * The absolute deadline (ms on the run's clock); `Infinity` means none. Settable while entered.
   * Before entry, a scope made by `moveOnAfter` / `failAfter` (whose deadline counts from entry)
   * answers the deadline it would get if entered now, as Trio does; with no clock at hand
   * (explicit mode, no context given to it) it answers `Infinity`.
   */
  get deadline(): number {
    const delay = this._pendingDelay;
    if (delay === null) return this._deadline;
    const run = (this._run as RunState | undefined) ?? findNode(undefined, "CancelScope.deadline")?._run;
    return run === undefined ? Infinity : run.backend.now() + delay;
  }

  /** Moves the deadline; re-arms the timer if the scope is entered. */
  set deadline(value: number) {
    this._deadline = checkDeadline(value, "deadline");
    this._pendingDelay = null;
    if (this._state === NodeState.Active) this._armDeadline();
  }

  /** Whether cancellation from enclosing scopes is kept out. Settable while entered. */
  get shield(): boolean {
    return this._shield;
  }

  /** Turns the shield on or off; takes effect at once if the scope is entered. */
  set shield(value: boolean) {
    const shield = checkShield(value);
    if (shield === this._shield) return;
    this._shield = shield;
    if (this._state === NodeState.Active) refreshCancellation(this);
  }

  /** True once {@link cancel} was called or the deadline expired. */
  get cancelCalled(): boolean {
    this._checkDeadline();
    return this._cancelCalled;
  }

  /** True if this scope absorbed the `Cancelled` that ended its body. */
  get cancelledCaught(): boolean {
    return this._cancelledCaught;
  }

  /** The reason given to the first {@link cancel} (or `"deadline exceeded"`). */
  get cancelReason(): string | undefined {
    this._checkDeadline();
    return this._cancelReason;
  }

  /**
   * Cancels the scope: every checkpoint inside it throws `Cancelled` from now on. Idempotent;
   * only the first reason is kept. Works before the scope is entered, too.
   */
  cancel(reason?: string): void {
    if (reason !== undefined && typeof reason !== "string") {
      throw new TypeError(`CancelScope.cancel(): reason must be a string, got ${describe(reason)}`);
    }
    if (this._cancelCalled) return;
    this._cancelCalled = true;
    this._cancelReason = reason;
    this._clearTimer();
    if (this._state === NodeState.Active) refreshCancellation(this);
  }

  /**
   * Enters the scope, runs `body(scope)` inside it and leaves. Resolves with the body's value,
   * or `undefined` when this scope absorbed a cancellation.
   *
   * @param options - `{ signal }` names the enclosing context explicitly (see `WaitOptions`)
   */
  run<T>(body: (scope: this) => T | PromiseLike<T>, options?: WaitOptions): Promise<T | undefined> {
    let parent: CancelNode;
    try {
      if (typeof body !== "function") {
        throw new TypeError(`CancelScope.run(): body must be a function, got ${describe(body)}`);
      }
      if (this._state !== NodeState.New) {
        throw new Error("Each CancelScope may only be entered once (create a new scope for each run())");
      }
      parent = currentNode(options, "CancelScope.run");
    } catch (err) {
      return Promise.reject(err);
    }
    this._enter(parent);
    // Reactions rather than an async function: no generator frame per scope, which is most of
    // what a moveOnAfter() around a fast operation costs (tools/bench, timeout-scopes).
    return promiseThen.call(
      callInContext(this, body),
      (value: unknown) => {
        this._exit();
        return value as T;
      },
      (err: unknown) => {
        this._exit();
        if (!isCancelled(err) || !this._catches()) throw err;
        this._cancelledCaught = true;
        return this._absorbed();
      },
    ) as Promise<T | undefined>;
  }

  /** @internal What `run()` resolves with after this scope absorbed a cancellation. */
  _absorbed(): undefined {
    return undefined;
  }

  /** @internal */
  _enter(parent: CancelNode): void {
    this._run = parent._run;
    this._task = parent._task;
    this._state = NodeState.Active;
    this._attach(parent);
    const delay = this._pendingDelay;
    if (delay === null && this._deadline === Infinity) return;
    // A relative deadline counts from entry. The one clock read that fixes it is also the
    // "already due?" check: a scope made and entered in one expression reads the clock once.
    const now = this._run.backend.now();
    if (delay !== null) {
      this._pendingDelay = null;
      this._deadline = now + delay;
    }
    if (this._cancelCalled) return;
    // A due deadline fires now, and a scope whose signal exists already sets its timer (the
    // signal must abort even if nothing parks); any other deadline stays pending until a park,
    // checkpoint or signal under the scope sets it (see `CancelNode._armDeadlines`).
    if (this._deadline <= now || this._controller !== null) this._armDeadlineAt(now);
    else {
      this._timer = PENDING_TIMER;
      this._run.pendingDeadlines++;
    }
  }

  /**
   * @internal As Trio's `cancel_called`: an entered scope whose deadline has passed counts as
   * cancelled when asked, before its timer fires (or is even set: see `CancelNode._armDeadlines`).
   */
  _checkDeadline(): void {
    if (this._state === NodeState.Active && !this._cancelCalled && this._deadline <= this._run.backend.now()) {
      this._clearTimer();
      this.onTimer();
    }
  }

  /** @internal */
  _exit(): void {
    this._clearTimer();
    this._state = NodeState.Exited;
    this._detach();
  }

  /** @internal Trio's rule: absorb if cancelled and the parent's cancellation is not visible here. */
  _catches(): boolean {
    if (!this._effCancelled) return false;
    const parent = this._parent;
    return this._shield || parent === null || !parent._effCancelled;
  }

  /** @internal */
  _armDeadline(): void {
    this._clearTimer();
    if (this._cancelCalled || this._deadline === Infinity) return;
    this._armDeadlineAt(this._run.backend.now());
  }

  /** @internal Fires now if the deadline is due at `now`, else sets the timer (none is set). */
  _armDeadlineAt(now: number): void {
    if (this._deadline <= now) this.onTimer();
    else this._timer = this._run.backend.setTimer(this._deadline, this);
  }

  /** @internal */
  _clearTimer(): void {
    const timer = this._timer;
    if (timer === null) return;
    this._timer = null;
    if (timer === PENDING_TIMER) this._run.pendingDeadlines--;
    else this._run.backend.clearTimer(timer);
  }

  /** @internal The deadline was reached. */
  onTimer(): void {
    this._timer = null;
    if (this._cancelCalled) return;
    this._deadlineFired = true;
    this.cancel("deadline exceeded");
  }
}

/** The type half of "a CancelScope is a CancelNode"; `linkCancelNode` is the run-time half. */
export interface CancelScope extends CancelNode {}
linkCancelNode(CancelScope);

/**
 * A cancel scope whose `run()` throws {@link TimeoutError} instead of resolving `undefined`
 * when its own deadline cancelled the body. Made by {@link failAfter} and {@link failAt}.
 *
 * @example
 * ```ts
 * try {
 *   await failAfter(100).run(() => sleep(1_000));
 * } catch (err) {
 *   if (err instanceof TimeoutError) console.log("too slow");
 * }
 * ```
 */
export class FailAfterScope implements TimerTarget {
  // CancelScope's fields, in its order (a test keeps the two lists equal): a FailAfterScope is a
  // CancelScope without being a subclass, as a CancelScope is a CancelNode without being one
  // (see CancelNode): built through V8's derived-class path, where the base constructor is not
  // inlined, failAfter() cost ~140 instructions more than moveOnAfter() per scope around a
  // resolved op (valgrind, Node 20, tools/bench timeout-scopes); now the two cost the same.
  /** @internal */ _run: RunState = undefined!;
  /** @internal */ _task: Task = undefined!;
  /** @internal */ _parent: CancelNode | null = null;
  /** @internal */ _firstChild: CancelNode | null = null;
  /** @internal */ _prevSibling: CancelNode | null = null;
  /** @internal */ _nextSibling: CancelNode | null = null;
  /** @internal */ _state: NodeState = NodeState.New;
  /** @internal */ _effCancelled = false;
  /** @internal */ _firstWaiter: Waiter<unknown> | null = null;
  /** @internal */ _controller: AbortController | null = null;
  /** @internal */ _cancelCalled = false;
  /** @internal */ _shield = false;
  /** @internal */ _cancelReason: string | undefined = undefined;
  /** @internal */ _deadline = Infinity;
  /** @internal */ _cancelledCaught = false;
  /** @internal */ _deadlineFired = false;
  /** @internal */ _timer: unknown = null;
  /** @internal */ _pendingDelay: number | null = null;

  /** The same options as {@link CancelScope}'s; `failAfter` / `failAt` make these scopes. */
  constructor(options?: CancelScopeOptions) {
    if (options !== undefined) {
      this._deadline = scopeDeadline(options, "FailAfterScope");
      this._shield = scopeShield(options);
    }
    // Naming `failAfterScopeLinked` here is what keeps the prototype link (below) in a bundle:
    // a bundle without this class drops both.
    const cls = new.target;
    if (!hasRetainedShape(cls) && failAfterScopeLinked) retainShape(cls, () => new cls());
  }

  /** Like {@link CancelScope.run}, but a cancellation by this scope's own deadline throws `TimeoutError`. */
  declare run: <T>(body: (scope: this) => T | PromiseLike<T>, options?: WaitOptions) => Promise<T>;

  /** @internal Absorbed a cancellation: its own deadline's is a `TimeoutError`. */
  _absorbed(): undefined {
    if (this._deadlineFired) throw new TimeoutError();
    return undefined;
  }
}

/** The type half of "a FailAfterScope is a CancelScope"; `failAfterScopeLinked` is the run-time half. */
export interface FailAfterScope extends CancelScope {}

/**
 * Links FailAfterScope's prototype under CancelScope's at module load, before any instance. A
 * pure call whose result only FailAfterScope's constructor reads: a bundle that keeps the class
 * keeps the link, and one that does not (fixture A of tools/bench) drops both — a plain
 * top-level `setPrototypeOf` would keep the class in every bundle that has CancelScope. (Linking
 * at the first construction instead made every later failAfter() ~700 instructions slower.)
 */
const failAfterScopeLinked: boolean = /* @__PURE__ */ linkPrototype(FailAfterScope, CancelScope);

function linkPrototype(cls: abstract new (...args: never[]) => object, parent: abstract new (...args: never[]) => object): boolean {
  Object.setPrototypeOf(cls.prototype, parent.prototype);
  return true;
}

// The constructors' options come through these two, which return values rather than writing to
// the scope: a helper that was handed `this` kept V8 from inlining the constructor into
// moveOnAfter() (+40–75 instructions per scope, valgrind, Node 20).

/** The deadline a scope constructor's `options` give (checking that they are an object). */
function scopeDeadline(options: CancelScopeOptions, caller: string): number {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`${caller}(): options must be an object, got ${describe(options)}`);
  }
  return options.deadline === undefined ? Infinity : checkDeadline(options.deadline, "deadline");
}

/** The shield a scope constructor's `options` give. */
function scopeShield(options: CancelScopeOptions): boolean {
  return options.shield === undefined ? false : checkShield(options.shield);
}

function checkShield(value: unknown): boolean {
  if (typeof value !== "boolean") throw new TypeError(`shield must be a boolean, got ${describe(value)}`);
  return value;
}

function relativeScope<S extends CancelScope>(scope: S, delay: number, options: TimeoutOptions | undefined, caller: string): S {
  // The deadline counts from entry, as Trio's since 0.27 (and AnyIO's fail_after; #514, #1298
  // ask the same of move_on_after): time spent between making a scope and entering it does not
  // eat into its timeout. The context, if given, is kept only so `deadline` can answer before
  // entry; no clock is read here.
  if (options instanceof CancelNode) {
    // A task context or scope only names the context (its own shield does not carry over).
    scope._run = options._run;
  } else if (options !== undefined) {
    const node = findNode(options, caller); // validates the options, too
    if (node !== undefined) scope._run = node._run;
    if (options.shield !== undefined) scope._shield = checkShield(options.shield);
  }
  if (delay !== Infinity) scope._pendingDelay = delay;
  return scope;
}

/** Options of {@link moveOnAfter} / {@link failAfter}. */
export interface TimeoutOptions extends WaitOptions {
  /** Shield the scope from cancellation of the scopes around it. */
  shield?: boolean;
}

/**
 * A cancel scope that cancels itself `delay` ms after it is entered: on timeout the body is
 * cancelled and `run()` resolves `undefined` (check `scope.cancelledCaught`).
 *
 * @example
 * ```ts
 * const scope = moveOnAfter(100);
 * await scope.run(async () => { await sleep(1_000); });
 * console.log(scope.cancelledCaught); // true
 * ```
 */
export function moveOnAfter(delay: number, options?: TimeoutOptions): CancelScope {
  const ms = checkDelay(delay, "delay");
  return relativeScope(new CancelScope(), ms, options, "moveOnAfter");
}

/**
 * A cancel scope with an absolute deadline (ms on the run's clock, see `currentTime()`).
 *
 * @example
 * ```ts
 * await moveOnAt(currentTime() + 50).run(() => sleep(100)); // resolves undefined after 50 ms
 * ```
 */
export function moveOnAt(deadline: number, options?: { shield?: boolean }): CancelScope {
  return new CancelScope({ deadline: checkDeadline(deadline, "deadline"), shield: options?.shield ?? false });
}

/**
 * A cancel scope that throws {@link TimeoutError} if `delay` ms pass between entering it and the
 * body finishing (the deadline counts from entry, as {@link moveOnAfter}'s).
 *
 * @example
 * ```ts
 * const body = await failAfter(1_000).run(() => readAll(stream)); // TimeoutError after 1 s
 * ```
 */
export function failAfter(delay: number, options?: TimeoutOptions): FailAfterScope {
  const ms = checkDelay(delay, "delay");
  return relativeScope(new FailAfterScope(), ms, options, "failAfter");
}

/**
 * Like {@link failAfter} with an absolute deadline.
 *
 * @example
 * ```ts
 * await failAt(currentTime() + 200).run(() => connect());
 * ```
 */
export function failAt(deadline: number, options?: { shield?: boolean }): FailAfterScope {
  return new FailAfterScope({ deadline: checkDeadline(deadline, "deadline"), shield: options?.shield ?? false });
}

/**
 * The earliest deadline that applies to the current code: the minimum over the enclosing
 * scopes up to and including the first shielded one; `-Infinity` if one of them is already
 * cancelled; `Infinity` if none has a deadline.
 *
 * @example
 * ```ts
 * await moveOnAfter(500).run(async () => {
 *   const left = currentEffectiveDeadline() - currentTime(); // ≈ 500
 * });
 * ```
 */
export function currentEffectiveDeadline(options?: WaitOptions): number {
  let deadline = Infinity;
  for (let n: CancelNode | null = currentNode(options, "currentEffectiveDeadline"); n !== null; n = n._parent) {
    if (n._cancelCalled) return -Infinity;
    if (n instanceof CancelScope && n._deadline < deadline) deadline = n._deadline;
    if (n._shield) break;
  }
  return deadline;
}
