/**
 * The checkpoint pieces the primitives share.
 *
 * @internal
 */
import { checkpointIfCancelled, currentNode, foreignSignal, type WaitOptions } from "@anyio/core";

/** The cancel-tree node a call runs in (core does not export the class itself). */
export type CoreNode = ReturnType<typeof currentNode>;

/** The task record behind a node: identity for ownership and borrowing. */
export type CoreTask = CoreNode["_task"];

/** One settled promise shared by every fast path that resolves with nothing. */
export const RESOLVED: Promise<void> = Promise.resolve();

/**
 * True when a call running in `node` must not proceed: its scope is effectively cancelled, or
 * a foreign `options.signal` has aborted. Read synchronously, so it allocates nothing.
 */
export function cancelledNow(node: CoreNode, options: WaitOptions | undefined): boolean {
  // Deadlines of scopes entered since the run last waited are set (or fire, if due) first.
  node._armDeadlines();
  if (node._effCancelled) return true;
  // Never reads `.signal` of a task context or scope passed as the options (that would
  // create its AbortController); our own signals abort only with their node anyway.
  const signal = foreignSignal(options);
  return signal !== undefined && signal.aborted;
}

/**
 * The rejection a cancelled call throws: core builds the `Cancelled` (with its reason) or
 * the foreign signal's reason. Call only when {@link cancelledNow} said true.
 */
export function cancelledRejection(options: WaitOptions | undefined): Promise<never> {
  return checkpointIfCancelled(options) as Promise<never>;
}

/** The schedule point of a checkpoint: the backend's (usually shared) ready promise. */
export function schedulePoint(node: CoreNode): Promise<void> {
  return node._run.backend.yieldNow(node._task);
}

/** `Error` subclass for misuse that AnyIO reports as `RuntimeError`. */
export function misuse(message: string): Error {
  return new Error(message);
}

/** A short description of a value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return `function ${value.name || "(anonymous)"}`;
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return String(value);
}

/**
 * Validates a count (tokens, permits, buffer size): an integer >= 0, or `Infinity` when
 * `allowInfinity`. Non-integers are a `TypeError`, negatives a `RangeError`, both naming the
 * argument and the value.
 */
export function checkCount(value: unknown, caller: string, name: string, allowInfinity: boolean): number {
  if (typeof value !== "number" || !(Number.isInteger(value) || (allowInfinity && value === Infinity))) {
    throw new TypeError(
      `${caller}: ${name} must be ${allowInfinity ? "either an integer or Infinity" : "an integer"}, got ${describeValue(value)}`,
    );
  }
  if (value < 0) throw new RangeError(`${caller}: ${name} cannot be negative, got ${value}`);
  return value;
}

/** Validates an optional options object. */
export function checkOptions(options: unknown, caller: string): void {
  if (options !== undefined && (options === null || typeof options !== "object")) {
    throw new TypeError(`${caller}: options must be an object, got ${describeValue(options)}`);
  }
}

/** The last promise from `yieldNow` seen to settle (a settled promise stays settled). */
let settledYield: Promise<void> | null = null;

/**
 * A schedule point that resolves with `value`, for fast paths that hand back a value taken
 * before the yield. Backends usually return one shared, already-settled promise from
 * `yieldNow` (native does); once that promise is known to be settled, waiting for it and then
 * for a promise of `value` would cost two microtask hops where `Promise.resolve(value)` costs
 * the same single hop that awaiting the settled promise would. Any other promise (a pending
 * gate, a strict backend's per-task promise) is waited for properly.
 */
export function schedulePointThen<T>(node: CoreNode, value: T): Promise<T> {
  const p = node._run.backend.yieldNow(node._task);
  if (p === settledYield) return Promise.resolve(value);
  return p.then(() => {
    settledYield = p;
    return value;
  });
}
