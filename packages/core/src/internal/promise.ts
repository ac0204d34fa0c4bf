/**
 * Promise helpers for the engine's hot paths, where a reaction on a promise replaces an async
 * function (an async frame per task or scope is most of what spawning one costs).
 *
 * @internal
 */

import type { CancelNode } from "./cancel-node.js";

/** `Promise.prototype.then`, taken once: user code may patch `then` on its own promises. */
export const promiseThen = Promise.prototype.then;

/** `Promise.resolve` that keeps a native promise as it is (no extra tick, no allocation). */
export function promiseResolve(value: unknown): Promise<unknown> {
  return value instanceof Promise ? value : Promise.resolve(value);
}

/**
 * Calls `fn(node)` with `node` as the ambient context of the run (if it has one) and returns its
 * outcome as a promise: a synchronous throw becomes a rejection, a plain value a resolved one.
 */
export function callInContext<N extends CancelNode>(node: N, fn: (node: N) => unknown): Promise<unknown> {
  let result: unknown;
  try {
    const carrier = node._run.ambient;
    result = carrier !== null ? carrier.run(node, fn, node) : fn(node);
  } catch (err) {
    return Promise.reject(err);
  }
  return promiseResolve(result);
}

/**
 * {@link callInContext} for a caller that already runs inside `CapturedContext.runInAsyncScope`,
 * which restores the outer context when it returns: `node` is entered with the carrier's
 * `enterWith`, with no restore of its own. On Node 24, where each `AsyncLocalStorage.run()`
 * copies the context frame twice (in, and back out), that halves the copies per task start
 * (tools/bench, spawn + join in ambient context: ~1,690 → ~1,000 ns per task).
 */
export function enterInContext<N extends CancelNode>(node: N, fn: (node: N) => unknown): Promise<unknown> {
  const carrier = node._run.ambient;
  if (carrier === null || carrier.enterWith === undefined) return callInContext(node, fn);
  let result: unknown;
  try {
    carrier.enterWith(node);
    result = fn(node);
  } catch (err) {
    return Promise.reject(err);
  }
  return promiseResolve(result);
}
