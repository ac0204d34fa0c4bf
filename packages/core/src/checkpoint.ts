/**
 * Checkpoints: the points where cancellation is delivered and other tasks get to run.
 *
 * @module
 */
import { currentNode, foreignSignal, type WaitOptions } from "./context.js";
import { cancelledError } from "./internal/cancel-node.js";

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * A cancel point and a schedule point: throws `Cancelled` if the current scope is
 * cancelled, otherwise lets other tasks (and host timers and I/O, now and then) run.
 * Costs about one microtask on the native backend.
 *
 * @example
 * ```ts
 * for (const item of hugeArray) {
 *   process(item);
 *   await checkpoint(); // stay cancellable and fair in a long CPU loop
 * }
 * ```
 */
export function checkpoint(options?: WaitOptions): Promise<void> {
  const node = currentNode(options, "checkpoint");
  node._armDeadlines();
  if (node._effCancelled) return Promise.reject(cancelledError(node));
  const signal = foreignSignal(options);
  if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
  return node._run.backend.yieldNow(node._task);
}

/**
 * A cancel point only: throws `Cancelled` if the current scope is cancelled, without
 * yielding otherwise.
 *
 * @example
 * ```ts
 * await checkpointIfCancelled();
 * ```
 */
export function checkpointIfCancelled(options?: WaitOptions): Promise<void> {
  const node = currentNode(options, "checkpointIfCancelled");
  node._armDeadlines();
  if (node._effCancelled) return Promise.reject(cancelledError(node));
  const signal = foreignSignal(options);
  if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
  return RESOLVED;
}

/**
 * A schedule point only: lets other tasks run but never throws `Cancelled`.
 *
 * @example
 * ```ts
 * await cancelShieldedCheckpoint();
 * ```
 */
export function cancelShieldedCheckpoint(options?: WaitOptions): Promise<void> {
  const node = currentNode(options, "cancelShieldedCheckpoint");
  node._armDeadlines();
  return node._run.backend.yieldNow(node._task);
}
