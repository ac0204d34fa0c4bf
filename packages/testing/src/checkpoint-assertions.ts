/**
 * Trio's `assert_checkpoints()` / `assert_no_checkpoints()`, for any backend.
 *
 * A checkpoint is a cancel point and a schedule point. Both are detected from the outside, so
 * the helpers work on every backend without hooks into it:
 * - cancel point: `fn` runs inside a scope that is already cancelled; it has one if it throws
 *   `Cancelled` there;
 * - schedule point: a sibling task made ready just before `fn` starts gets to run before `fn`'s
 *   outcome is seen, and `fn` suspends (its promise was still pending when it returned) —
 *   unless the backend's own schedule point is a bare microtask hop that returns an already
 *   resolved promise (the native backend), which the helpers find out by calibrating against
 *   `cancelShieldedCheckpoint()`. On such a backend a schedule point cannot be told apart from
 *   an `async` function that never awaits, so the check there is the sibling alone; the strict
 *   backend's schedule points are exact.
 *
 * In JavaScript every `await` that suspends lets other code run, so `assertNoCheckpoints` treats
 * any suspension of `fn` as a schedule point: the block is atomic only if it never awaits.
 *
 * @module
 */
import { CancelScope, cancelShieldedCheckpoint, isCancelled, type WaitOptions, withTaskGroup } from "@anyio/core";
import { AssertionError } from "./assertions.js";

const NOT_YET = Symbol("not settled yet");

/** Calls `fn` and returns its outcome as a promise, even if `fn` throws synchronously. */
function call<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>, signal: AbortSignal): Promise<T> {
  try {
    return Promise.resolve(fn(signal));
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * Resolves true if `promise` had settled before this call. Works because reactions to settled
 * promises are queued in the order `then` is called: if `promise` is settled, its reaction
 * precedes the marker's.
 */
async function settledAlready(promise: Promise<unknown>): Promise<boolean> {
  try {
    return (await Promise.race([promise, Promise.resolve(NOT_YET)])) !== NOT_YET;
  } catch {
    return true;
  }
}

/** True if this backend's schedule point suspends (returns a pending promise), as strict's does. */
async function yieldSuspends(options: WaitOptions | undefined): Promise<boolean> {
  const point = cancelShieldedCheckpoint(options);
  return !(await settledAlready(point));
}

/** Runs `fn` in an already-cancelled scope; true if it threw `Cancelled` (a cancel point). */
async function hitsCancelPoint<T>(
  fn: (signal: AbortSignal) => T | PromiseLike<T>,
  options: WaitOptions | undefined,
  onResult: (value: T, suspended: boolean) => void,
): Promise<boolean> {
  const scope = new CancelScope();
  scope.cancel("assertion probe: looking for a cancel point");
  await scope.run(async (s) => {
    const outcome = call(fn, s.signal);
    const suspended = !(await settledAlready(outcome));
    onResult(await outcome, suspended);
  }, options);
  return scope.cancelledCaught;
}

/**
 * Asserts that `fn` contains a checkpoint: both a cancel point and a schedule point (Trio's
 * `assert_checkpoints`). `fn` is called twice: first inside an already-cancelled scope, where
 * it must throw `Cancelled` (and so, by the rule that an operation that throws `Cancelled` did
 * not happen, has no effect), then normally, where a sibling task must get to run before it
 * finishes. Resolves with the value of the second call. `fn` receives the signal of the scope
 * it runs in, for explicit-context code.
 *
 * @example
 * ```ts
 * const event = new Event();
 * event.set();
 * await assertCheckpoints(() => event.wait()); // even the fast path checkpoints
 * ```
 */
export async function assertCheckpoints<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>, options?: WaitOptions): Promise<T> {
  if (typeof fn !== "function") throw new TypeError(`assertCheckpoints(): fn must be a function, got ${typeof fn}`);
  const cancelPoint = await hitsCancelPoint(fn, options, () => {});
  if (!cancelPoint) {
    throw new AssertionError("assertCheckpoints(): the block has no cancel point: it completed inside a cancelled scope without throwing Cancelled");
  }
  const mustSuspend = await yieldSuspends(options);
  let siblingRan = false;
  let ranBeforeEnd = false;
  let suspended = false;
  let outcome!: Promise<T>;
  await withTaskGroup(async (tg) => {
    // Ready before fn starts, so any real yield of fn lets it run first.
    tg.startSoon(() => {
      siblingRan = true;
    }, { name: "assertCheckpoints probe" });
    outcome = call(fn, tg.signal);
    // Registered first, so it observes the sibling at the moment fn settles.
    const ended = outcome.then(
      () => void (ranBeforeEnd = siblingRan),
      () => void (ranBeforeEnd = siblingRan),
    );
    suspended = !(await settledAlready(outcome));
    await ended;
  }, options);
  // fn's own failure comes out as it is, not wrapped by the probe's task group.
  const result = await outcome;
  if (!ranBeforeEnd || (mustSuspend && !suspended)) {
    throw new AssertionError(
      "assertCheckpoints(): the block has no schedule point: " +
        (ranBeforeEnd ? "it completed without ever suspending" : "no other task got to run before it finished"),
    );
  }
  return result;
}

/**
 * Asserts that `fn` contains neither a cancel point nor a schedule point (Trio's
 * `assert_no_checkpoints`): it runs once, inside an already-cancelled scope, and must neither
 * throw `Cancelled` nor suspend (any `await` that suspends could let another task run).
 * Resolves with its value. `fn` receives the signal of the scope it runs in.
 *
 * @example
 * ```ts
 * const [send] = createMemoryObjectStream<number>(1);
 * await assertNoCheckpoints(() => send.sendNowait(1));
 * ```
 */
export async function assertNoCheckpoints<T>(fn: (signal: AbortSignal) => T | PromiseLike<T>, options?: WaitOptions): Promise<T> {
  if (typeof fn !== "function") throw new TypeError(`assertNoCheckpoints(): fn must be a function, got ${typeof fn}`);
  let result!: T;
  let suspended = false;
  let cancelPoint: boolean;
  try {
    cancelPoint = await hitsCancelPoint(fn, options, (value, didSuspend) => {
      result = value;
      suspended = didSuspend;
    });
  } catch (err) {
    // A Cancelled the scope did not absorb is still a cancel point of the block.
    if (isCancelled(err)) cancelPoint = true;
    else throw err;
  }
  if (cancelPoint) throw new AssertionError("assertNoCheckpoints(): the block has a cancel point: it threw Cancelled inside a cancelled scope");
  if (suspended) throw new AssertionError("assertNoCheckpoints(): the block has a schedule point: it suspended, so other tasks could run before it finished");
  return result;
}
