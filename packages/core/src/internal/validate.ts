/**
 * Argument checks shared by the public functions: each names the argument and the value.
 *
 * @internal
 */
import { describe } from "../context.js";

/** A delay in ms: a number, not NaN; negative acts as 0. */
export function checkDelay(value: unknown, name: string): number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number of milliseconds, got ${describe(value)}`);
  if (Number.isNaN(value)) throw new RangeError(`${name} must not be NaN`);
  return value < 0 ? 0 : value;
}

/** An absolute deadline: a number, not NaN (±Infinity allowed). */
export function checkDeadline(value: unknown, name: string): number {
  if (typeof value !== "number") throw new TypeError(`${name} must be a number (ms on the run's clock), got ${describe(value)}`);
  if (Number.isNaN(value)) throw new RangeError(`${name} must not be NaN`);
  return value;
}

/** A function argument. */
export function checkFunction(value: unknown, name: string): void {
  if (typeof value !== "function") throw new TypeError(`${name} must be a function, got ${describe(value)}`);
}
