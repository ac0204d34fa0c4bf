/**
 * Framework-free assertions for the conformance suite (it runs under vitest, a plain Node
 * script, Deno, Bun or a browser alike).
 *
 * @module
 */

/**
 * Thrown by the assertions below.
 *
 * @example
 * ```ts
 * try {
 *   assertEqual(1 + 1, 3, "arithmetic");
 * } catch (err) {
 *   if (err instanceof AssertionError) console.error(err.message);
 * }
 * ```
 */
export class AssertionError extends Error {}
Object.defineProperty(AssertionError.prototype, "name", { value: "AssertionError" });

/**
 * Fails unless `condition` is truthy.
 *
 * @example
 * ```ts
 * assert(scope.cancelledCaught, "the scope should have caught its cancellation");
 * ```
 */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

function show(value: unknown): string {
  try {
    return typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}

/**
 * Structural equality for plain data: primitives (Object.is), arrays, plain objects.
 *
 * @example
 * ```ts
 * deepEqual({ a: [1, 2] }, { a: [1, 2] }); // true
 * deepEqual([NaN], [NaN]);                 // true (Object.is)
 * ```
 */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Fails unless `actual` deep-equals `expected`.
 *
 * @example
 * ```ts
 * assertEqual(log, ["a", "b"], "tasks ran in order");
 * ```
 */
export function assertEqual<T>(actual: T, expected: T, message: string): void {
  if (!deepEqual(actual, expected)) {
    throw new AssertionError(`${message}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

/**
 * Awaits `promise` (or calls and awaits `fn`) and fails unless it rejects with an instance of
 * `errorClass`; returns the error for further checks.
 *
 * @example
 * ```ts
 * const err = await assertRejects(() => failAfter(10).run(() => sleep(100)), TimeoutError, "timeout");
 * ```
 */
export async function assertRejects<E>(
  fn: (() => unknown) | PromiseLike<unknown>,
  errorClass: abstract new (...args: never[]) => E,
  message: string,
): Promise<E> {
  let result: unknown;
  try {
    result = await (typeof fn === "function" ? fn() : fn);
  } catch (err) {
    if (err instanceof errorClass) return err;
    throw new AssertionError(`${message}: expected ${errorClass.name}, got ${err instanceof Error ? `${err.name}: ${err.message}` : show(err)}`);
  }
  throw new AssertionError(`${message}: expected ${errorClass.name} to be thrown, but it resolved with ${show(result)}`);
}
