/**
 * Awaiting foreign promises as checkpoints.
 *
 * @module
 */
import { currentNode, foreignSignal, type WaitOptions } from "./context.js";
import { cancelledError } from "./internal/cancel-node.js";
import { Waiter } from "./waiter.js";

/**
 * Awaits a promise from outside anyio-ts (fetch, a database driver…) as a checkpoint: if the
 * task is cancelled meanwhile, the promise is abandoned — when given a function, the signal it
 * received is aborted so the operation can stop — and `Cancelled` is thrown at once.
 *
 * A plain `await` of a foreign promise is not a checkpoint: cancellation would wait for it.
 * Use this (or pass `currentSignal()` to an API that takes a signal) instead.
 *
 * @example
 * ```ts
 * const res = await awaitCancellable((signal) => fetch(url, { signal }));
 * const row = await awaitCancellable(db.query("select 1")); // abandoned on cancel
 * ```
 */
export function awaitCancellable<T>(
  source: PromiseLike<T> | ((signal: AbortSignal) => PromiseLike<T> | T),
  options?: WaitOptions,
): Promise<T> {
  const node = currentNode(options, "awaitCancellable");
  node._armDeadlines();
  if (node._effCancelled) return Promise.reject(cancelledError(node));
  let controller: AbortController | null = null;
  let promise: PromiseLike<T> | T;
  if (typeof source === "function") {
    controller = new AbortController();
    try {
      promise = source(controller.signal);
    } catch (err) {
      return Promise.reject(err);
    }
  } else if (source !== null && typeof source === "object" && typeof (source as PromiseLike<T>).then === "function") {
    promise = source;
  } else {
    return Promise.reject(new TypeError(`awaitCancellable(): source must be a promise or a function returning one, got ${typeof source}`));
  }
  const signal = foreignSignal(options);
  const waiter = new Waiter<T>("awaitCancellable", node, {
    signal,
    kind: "external",
    onAbort: controller === null ? undefined : (w) => controller.abort(w._value),
  });
  const parked = waiter.park();
  // Cancelled before it could park (the source itself cancelled the scope, or aborted the
  // foreign signal): abandon the operation as a cancellation while parked would.
  if (!waiter.pending) controller?.abort(signal?.aborted === true ? signal.reason : cancelledError(node));
  Promise.resolve(promise).then(
    (value) => waiter.wake(value),
    (error) => waiter.fail(error),
  );
  return parked;
}
