/**
 * A child's stdin as a `ByteSendStream`.
 *
 * @module
 */
import type { Writable } from "node:stream";
import {
  AsyncResourceBase,
  BrokenResourceError,
  BusyResourceError,
  type ByteSendStream,
  ClosedResourceError,
  type WaitOptions,
  checkBytes,
  checkpoint,
  requireMethods,
} from "@anyio/core";
import { WakeSet } from "./internal/wake-set.js";

/**
 * The write end of a pipe to a child process (`process.stdin`).
 *
 * `send()` first waits until the pipe has room (Node's `writableNeedDrain` clears), then hands
 * the bytes over in one synchronous step, so a cancelled `send()` sent nothing, and a child that
 * does not read makes `send()` wait instead of buffering without bound. The bytes are copied:
 * the caller may reuse its buffer once `send()` resolves. A child that closed its stdin (or
 * exited) turns later sends into `BrokenResourceError`, with Node's error (`code: "EPIPE"`) as
 * `cause`.
 *
 * @example
 * ```ts
 * await using proc = await openProcess(["wc", "-c"], { stdin: "pipe", stdout: "pipe" });
 * await proc.stdin!.send(new TextEncoder().encode("hello"));
 * await proc.stdin!.aclose(); // EOF for the child
 * ```
 */
export class PipeSendStream extends AsyncResourceBase implements ByteSendStream {
  readonly #writable: Writable;
  readonly #wakers: WakeSet;
  #closed = false;
  #error: Error | null = null;
  #busy = false;

  /** @internal Made by `openProcess`. */
  constructor(writable: Writable, what: string) {
    super();
    this.#writable = requireMethods(writable, ["write", "on"], "PipeSendStream", "writable");
    this.#wakers = new WakeSet(`send to ${what}`);
    const wake = this.#wakers.wakeAll;
    writable.on("drain", wake);
    writable.on("finish", wake);
    writable.on("close", wake);
    // Always listened to: an EPIPE must never become an uncaught 'error' event.
    writable.on("error", (err: Error) => {
      this.#error ??= err;
      wake();
    });
  }

  async send(data: Uint8Array, options?: WaitOptions): Promise<void> {
    checkBytes(data);
    if (this.#closed) throw new ClosedResourceError();
    if (this.#busy) throw new BusyResourceError("writing to");
    this.#busy = true;
    try {
      await checkpoint(options);
      const w = this.#writable;
      for (;;) {
        if (this.#closed) throw new ClosedResourceError();
        if (this.#error !== null) throw new BrokenResourceError(`the pipe failed: ${this.#error.message}`, { cause: this.#error });
        if (w.destroyed || w.writableEnded) throw new BrokenResourceError("the pipe is closed");
        if (!w.writableNeedDrain) break;
        await this.#wakers.wait(options, "PipeSendStream.send");
      }
      if (data.byteLength > 0) w.write(Buffer.from(data));
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Closes the write end once the bytes already sent have been flushed to the pipe (the child
   * sees end of input). If cancelled while flushing, or if the pipe is broken, the pipe is
   * closed at once instead. A `send()` parked in another task throws `ClosedResourceError`.
   * Idempotent.
   */
  async aclose(options?: WaitOptions): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wakers.wakeAll();
    const w = this.#writable;
    if (this.#error !== null || w.destroyed) {
      w.destroy();
      return;
    }
    w.end();
    try {
      // Waits for the flush; a cancelled (or already cancelled) close skips it.
      while (!w.writableFinished && !w.destroyed && this.#error === null) {
        await this.#wakers.wait(options, "PipeSendStream.aclose");
      }
    } catch (err) {
      w.destroy();
      throw err;
    }
    if (!w.destroyed) w.destroy();
  }
}
