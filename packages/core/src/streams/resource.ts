/**
 * Async resources: `aclose()` plus `await using` support.
 *
 * @module
 */
import { CancelScope } from "../cancel-scope.js";
import { describe, type WaitOptions } from "../context.js";
import { lookupAttribute, NO_ATTRIBUTES, type AttributeGetters, type TypedAttribute } from "./typed-attributes.js";

/**
 * `Symbol.asyncDispose`, or its registered stand-in on hosts that lack it.
 *
 * @example
 * ```ts
 * await stream[asyncDispose](); // what `await using` calls on hosts with or without Symbol.asyncDispose
 * ```
 */
export const asyncDispose: typeof Symbol.asyncDispose = /* @__PURE__ */ (
  (): typeof Symbol.asyncDispose =>
    (Symbol as { asyncDispose?: typeof Symbol.asyncDispose }).asyncDispose ??
    (Symbol.for("Symbol.asyncDispose") as typeof Symbol.asyncDispose)
)();

/** Something that must be closed: `aclose()` and `await using`. */
export interface AsyncResource {
  /** Closes the resource. Idempotent. */
  aclose(): Promise<void>;
  /** `await using` support: calls `aclose()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Base class for resources and streams: `await using` calls `aclose()`, and `extra()` reads
 * `extraAttributes` (empty unless overridden).
 *
 * @example
 * ```ts
 * class MyStream extends AsyncResourceBase {
 *   async aclose() { … }
 * }
 * await using s = new MyStream();
 * ```
 */
export abstract class AsyncResourceBase implements AsyncResource {
  abstract aclose(): Promise<void>;

  /** `await using` support: calls `aclose()`. */
  [asyncDispose](): Promise<void> {
    return this.aclose();
  }

  /** Attribute getters; override to offer attributes. */
  get extraAttributes(): AttributeGetters {
    return NO_ATTRIBUTES;
  }

  /** The value of a typed attribute; throws `TypedAttributeLookupError` if the stream does not offer it. */
  extra<T>(attribute: TypedAttribute<T>): T;
  /** The value of a typed attribute, or `defaultValue` if the stream does not offer it. */
  extra<T, D>(attribute: TypedAttribute<T>, defaultValue: D): T | D;
  extra<T>(attribute: TypedAttribute<T>, ...defaultValue: [] | [unknown]): unknown {
    return lookupAttribute(this.extraAttributes, attribute, ...defaultValue);
  }
}

/**
 * Closes `resource` without waiting: `aclose()` runs inside an already-cancelled scope, so
 * anything it would wait for (a graceful TLS close, a flush) is skipped.
 *
 * @example
 * ```ts
 * await acloseForcefully(stream);
 * ```
 */
export async function acloseForcefully(resource: AsyncResource, options?: WaitOptions): Promise<void> {
  if (resource === null || typeof resource !== "object" || typeof (resource as { aclose?: unknown }).aclose !== "function") {
    throw new TypeError(`acloseForcefully(): resource must have an aclose() method, got ${describe(resource)}`);
  }
  const scope = new CancelScope();
  scope.cancel("closing forcefully");
  await scope.run(() => resource.aclose(), options);
}
