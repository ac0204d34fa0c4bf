/**
 * `ResourceGuard`: refuse concurrent use of a resource instead of queueing.
 *
 * @module
 */
import { BusyResourceError, retainShape } from "@anyio/core";
import { describeValue } from "./internal/cancel-point.js";

/**
 * Guards a resource that allows one user at a time, as AnyIO's `ResourceGuard`: a second
 * concurrent entry throws `BusyResourceError` ("Another task is already <action> this
 * resource") rather than waiting. Typical inside a stream's `send()`/`receive()`. Entering
 * never waits, so {@link hold} is synchronous.
 *
 * @example
 * ```ts
 * class Connection {
 *   #sendGuard = new ResourceGuard("writing to");
 *   async send(data: Uint8Array) {
 *     using _ = this.#sendGuard.hold(); // a concurrent send throws BusyResourceError
 *     await this.#write(data);
 *   }
 * }
 * ```
 */
export class ResourceGuard {
  /** The verb phrase used in the error message, e.g. `"reading from"`. */
  readonly action: string;
  private _busy = false;

  /**
   * @param action - what a user is doing, for the message (default `"using"`)
   */
  constructor(action = "using") {
    if (typeof action !== "string") {
      throw new TypeError(`new ResourceGuard(): action must be a string, got ${describeValue(action)}`);
    }
    this.action = action;
    retainShape(ResourceGuard, () => new ResourceGuard());
  }

  /**
   * Marks the resource busy and returns a `Disposable` that frees it (once); throws
   * `BusyResourceError` if it is already busy. Never a checkpoint.
   *
   * @example
   * ```ts
   * using _ = guard.hold();
   * ```
   */
  hold(): Disposable {
    if (this._busy) throw new BusyResourceError(this.action);
    this._busy = true;
    return new GuardHold(this);
  }

  /** @internal */
  _free(): void {
    this._busy = false;
  }

  /**
   * Runs `fn` with the resource marked busy (freed when `fn` settles); throws
   * `BusyResourceError` at once if it is already busy.
   *
   * @example
   * ```ts
   * await guard.run(() => socket.write(bytes));
   * ```
   */
  async run<T>(fn: () => T | PromiseLike<T>): Promise<T> {
    if (typeof fn !== "function") throw new TypeError(`ResourceGuard.run(): fn must be a function, got ${describeValue(fn)}`);
    if (this._busy) throw new BusyResourceError(this.action);
    this._busy = true;
    try {
      return await fn();
    } finally {
      this._busy = false;
    }
  }
}

/** The `Disposable` of {@link ResourceGuard.hold}. */
class GuardHold implements Disposable {
  constructor(private guard: ResourceGuard | null) {}
  [Symbol.dispose](): void {
    const guard = this.guard;
    if (guard === null) return;
    this.guard = null;
    guard._free();
  }
}
