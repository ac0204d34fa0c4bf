/**
 * Argument checks for constructors that wrap a host object (a Node stream, a socket, a child
 * process): the value must be an object with the methods the wrapper calls.
 *
 * @module
 */
import { describe } from "./context.js";

/**
 * Returns `value` if it is an object with every method in `methods`; otherwise throws a
 * `TypeError` naming the owner, the parameter and what was given. Meant to wrap a constructor's
 * argument (also inside a `super(...)` call), so nothing is set up before the check.
 *
 * @example
 * ```ts
 * class LineReader {
 *   constructor(readable: Readable) {
 *     this.readable = requireMethods(readable, ["read", "on"], "LineReader", "readable");
 *   }
 * }
 * ```
 */
export function requireMethods<T>(value: T, methods: readonly string[], owner: string, param: string): T {
  if (!Array.isArray(methods)) throw new TypeError(`requireMethods(): methods must be an array of method names, got ${describe(methods)}`);
  const ok =
    value !== null &&
    (typeof value === "object" || typeof value === "function") &&
    methods.every((m) => typeof (value as Record<string, unknown>)[m] === "function");
  if (!ok) {
    throw new TypeError(`${owner}(): ${param} must be an object with ${methods.map((m) => `${m}()`).join(", ")}, got ${describe(value)}`);
  }
  return value;
}
