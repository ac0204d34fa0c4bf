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
