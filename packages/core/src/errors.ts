/**
 * The error classes of anyio-ts, named as AnyIO names them.
 *
 * Every class carries a `Symbol.for` brand so that checks such as {@link isCancelled} keep
 * working when two copies of `@anyio/core` end up in one process (an ESM and a CJS copy, or
 * two versions side by side).
 *
 * @module
 */

const CANCELLED_BRAND = /* @__PURE__ */ Symbol.for("anyio.Cancelled");

/**
 * Gives one error instance its own `name`, as assigning to a writable prototype `name` would.
 * The classes below define `name` as a prototype getter/setter pair inside the class body
 * instead of patching the prototype after the class: a top-level call is a side effect that
 * keeps every error class in a browser bundle, used or not.
 */
function setOwnName(err: Error, value: string): void {
  Object.defineProperty(err, "name", { value, writable: true, configurable: true, enumerable: false });
}

/**
 * Thrown at a checkpoint when the task's cancel scope (or one around it) is cancelled.
 *
 * The cancel scope that caused it catches it, so it never escapes `run()`. Code that catches
 * errors broadly must re-throw it: test with {@link isCancelled}.
 *
 * @example
 * ```ts
 * try {
 *   await sleep(1000);
 * } catch (err) {
 *   if (isCancelled(err)) throw err; // never swallow a cancellation
 *   console.error(err);
 * }
 * ```
 */
export class Cancelled extends Error {
  constructor(message = "Cancelled") {
    super(message);
  }
  // Brand and name are prototype accessors, not a `static {}` block, so the class stays
  // side-effect free for bundlers.
  /** @internal */
  get [CANCELLED_BRAND](): true {
    return true;
  }
  /** The class name, as a literal so it survives minification. */
  override get name(): string {
    return "Cancelled";
  }
  /** Sets this instance's own `name` (the class keeps its literal name). */
  override set name(value: string) {
    setOwnName(this, value);
  }
}

/**
 * True when `err` is a cancellation of anyio-ts (from any copy of the package).
 *
 * @example
 * ```ts
 * catch (err) { if (isCancelled(err)) throw err; }
 * ```
 */
export function isCancelled(err: unknown): err is Cancelled {
  return typeof err === "object" && err !== null && (err as { [CANCELLED_BRAND]?: unknown })[CANCELLED_BRAND] === true;
}

/**
 * The class of the cancellation error, as AnyIO's `get_cancelled_exc_class()`.
 *
 * @example
 * ```ts
 * const CancelledClass = getCancelledExcClass();
 * if (err instanceof CancelledClass) throw err;
 * ```
 */
export function getCancelledExcClass(): typeof Cancelled {
  return Cancelled;
}

/**
 * Thrown by `failAfter()`/`failAt()` when their own deadline expired.
 *
 * @example
 * ```ts
 * try { await failAfter(100).run(() => slowCall()); } catch (e) { if (e instanceof TimeoutError) … }
 * ```
 */
export class TimeoutError extends Error {
  constructor(message = "deadline exceeded") {
    super(message);
  }
  // A literal name survives minification (see setOwnName).
  /** The class name, as a literal so it survives minification. */
  override get name(): string {
    return "TimeoutError";
  }
  /** Sets this instance's own `name` (the class keeps its literal name). */
  override set name(value: string) {
    setOwnName(this, value);
  }
}

/**
 * Thrown by a `*Nowait` call when it would have to wait.
 *
 * @example
 * ```ts
 * try { lock.acquireNowait(); } catch (e) { if (e instanceof WouldBlock) … }
 * ```
 */
export class WouldBlock extends Error {
  constructor(message = "the operation would block") {
    super(message);
  }
  // A literal name survives minification (see setOwnName).
  /** The class name, as a literal so it survives minification. */
  override get name(): string {
    return "WouldBlock";
  }
  /** Sets this instance's own `name` (the class keeps its literal name). */
  override set name(value: string) {
    setOwnName(this, value);
  }
}

/**
 * Thrown when receiving from a stream whose sending side has closed (and the buffer is empty).
 *
 * @example
 * ```ts
 * try { await receive.receive(); } catch (e) { if (e instanceof EndOfStream) done = true; }
 * ```
 */
export class EndOfStream extends Error {
  constructor(message = "end of stream") {
    super(message);
  }
  // A literal name survives minification (see setOwnName).
  /** The class name, as a literal so it survives minification. */
  override get name(): string {
    return "EndOfStream";
  }
  /** Sets this instance's own `name` (the class keeps its literal name). */
  override set name(value: string) {
    setOwnName(this, value);
  }
}

/**
 * Thrown when using a resource that this side has already closed.
 *
 * @example
 * ```ts
 * send.close(); await send.send(1); // throws ClosedResourceError
 * ```
 */
export class ClosedResourceError extends Error {
  constructor(message = "the resource is closed") {
    super(message);
  }
  // A literal name survives minification (see setOwnName).
  /** The class name, as a literal so it survives minification. */
  override get name(): string {
    return "ClosedResourceError";
  }
  /** Sets this instance's own `name` (the class keeps its literal name). */
  override set name(value: string) {
    setOwnName(this, value);
  }
}

/**
 * Thrown when the other side of a resource is gone (all receivers closed, peer reset…).
 *
 * @example
 * ```ts
 * receive.close(); await send.send(1); // throws BrokenResourceError
 * ```
 */
export class BrokenResourceError extends Error {
  constructor(message = "the resource is broken", options?: { cause?: unknown }) {
    super(message, options);
  }
  // A literal name survives minification (see setOwnName).
  /** The class name, as a literal so it survives minification. */
  override get name(): string {
    return "BrokenResourceError";
  }
  /** Sets this instance's own `name` (the class keeps its literal name). */
  override set name(value: string) {
    setOwnName(this, value);
  }
}

/**
 * Thrown when a second task tries to use a resource that allows one user at a time.
 *
 * @example
 * ```ts
 * new BusyResourceError("reading from") // "Another task is already reading from this resource"
 * ```
 */
export class BusyResourceError extends Error {
  constructor(action: string) {
    super(`Another task is already ${action} this resource`);
  }
  // A literal name survives minification (see setOwnName).
  /** The class name, as a literal so it survives minification. */
  override get name(): string {
    return "BusyResourceError";
  }
  /** Sets this instance's own `name` (the class keeps its literal name). */
  override set name(value: string) {
    setOwnName(this, value);
  }
}

/**
 * Thrown by a call that needs the current task but finds none: outside `run()`, or where
 * there is no ambient context and no `{ signal }` was given.
 *
 * @example
 * ```ts
 * await sleep(10); // outside run(): NoContextError
 * ```
 */
export class NoContextError extends Error {
  // A literal name survives minification (see setOwnName).
  /** The class name, as a literal so it survives minification. */
  override get name(): string {
    return "NoContextError";
  }
  /** Sets this instance's own `name` (the class keeps its literal name). */
  override set name(value: string) {
    setOwnName(this, value);
  }
}

/**
 * Thrown when a `RunVar` has no value and no default.
 *
 * @example
 * ```ts
 * new RunVar<number>("x").get(); // LookupError inside run()
 * ```
 */
export class LookupError extends Error {
  // A literal name survives minification (see setOwnName).
  /** The class name, as a literal so it survives minification. */
  override get name(): string {
    return "LookupError";
  }
  /** Sets this instance's own `name` (the class keeps its literal name). */
  override set name(value: string) {
    setOwnName(this, value);
  }
}

/**
 * Thrown by `receiveExactly()`/`receiveUntil()` when the stream ended before enough bytes came.
 *
 * @example
 * ```ts
 * try { await buffered.receiveExactly(4); } catch (e) { if (e instanceof IncompleteRead) … }
 * ```
 */
export class IncompleteRead extends Error {
  constructor(message = "The stream was closed before the read operation could be completed") {
    super(message);
  }
  // A literal name survives minification (see setOwnName).
  /** The class name, as a literal so it survives minification. */
  override get name(): string {
    return "IncompleteRead";
  }
  /** Sets this instance's own `name` (the class keeps its literal name). */
  override set name(value: string) {
    setOwnName(this, value);
  }
}

/**
 * Thrown by `receiveUntil()` when `maxBytes` were read without finding the delimiter.
 *
 * @example
 * ```ts
 * try { await buffered.receiveUntil(nl, 1024); } catch (e) { if (e instanceof DelimiterNotFound) … }
 * ```
 */
export class DelimiterNotFound extends Error {
  /** How many bytes were searched. */
  readonly maxBytes: number;
  constructor(maxBytes: number) {
    super(`The delimiter was not found among the first ${maxBytes} bytes`);
    this.maxBytes = maxBytes;
  }
  // A literal name survives minification (see setOwnName).
  /** The class name, as a literal so it survives minification. */
  override get name(): string {
    return "DelimiterNotFound";
  }
  /** Sets this instance's own `name` (the class keeps its literal name). */
  override set name(value: string) {
    setOwnName(this, value);
  }
}

/**
 * Thrown by `extra(attribute)` when the attribute is not provided and no default was given.
 *
 * @example
 * ```ts
 * stream.extra(SocketAttribute.remotePort); // TypedAttributeLookupError on an unconnected socket
 * ```
 */
export class TypedAttributeLookupError extends LookupError {
  // A literal name survives minification (see setOwnName).
  /** The class name, as a literal so it survives minification. */
  override get name(): string {
    return "TypedAttributeLookupError";
  }
  /** Sets this instance's own `name` (the class keeps its literal name). */
  override set name(value: string) {
    setOwnName(this, value);
  }
}
