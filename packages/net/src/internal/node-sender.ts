/**
 * The sending half shared by every stream over a Node `Writable`.
 *
 * `send()` first waits (cancellably) until the writable's buffer is below its high-water mark
 * — a cancellation there writes nothing — then hands the bytes to Node and waits for the write
 * callback, which fires once the kernel accepted them (backpressure). When Node wrote them all
 * before `write()` returned (nothing left in its buffer, no error — the usual case on a socket
 * whose kernel buffer has room), they are already accepted: `send()` returns without waiting
 * for the callback, which Node delivers a tick later anyway. Once `write()` was called
 * the bytes are committed and will go out in order; a cancellation arriving after that point
 * therefore does not throw `Cancelled` (that would claim the bytes were not sent): `send()`
 * returns, and the still-cancelled scope throws at the task's next checkpoint.
 *
 * @module
 */
import type { Writable } from "node:stream";
import { BusyResourceError, ClosedResourceError, checkBytes, checkpoint, isCancelled, type WaitOptions } from "@anyio/core";
import { brokenFrom } from "./node-receiver.js";
import { Notifier } from "./notifier.js";

export class NodeSender {
  readonly writable: Writable;
  readonly #notifier = new Notifier();
  #error: unknown = undefined;
  #failed = false;
  #closed = false;
  #eof = false;
  #busy = false;
  /** Called when a write fails (a duplex marks its receiving half broken too). */
  onFail: ((err: unknown) => void) | null = null;
  readonly #wake = (): void => this.#notifier.notify();

  constructor(writable: Writable) {
    this.writable = writable;
    writable.on("drain", this.#wake);
    writable.on("error", this.#onError);
    writable.on("close", this.#wake);
  }

  readonly #onError = (err: unknown): void => {
    if (!this.#failed) {
      this.#failed = true;
      this.#error = err;
    }
    this.#notifier.notify();
  };

  get eofSent(): boolean {
    return this.#eof;
  }

  #check(): void {
    if (this.#closed) throw new ClosedResourceError();
    if (this.#eof) throw new ClosedResourceError("the sending half was closed with sendEof()");
    if (this.#failed) throw brokenFrom(this.#error, "the stream failed while sending");
    if (this.writable.destroyed) throw brokenFrom(undefined, "the stream was destroyed");
  }

  async send(data: Uint8Array, options: WaitOptions | undefined): Promise<void> {
    checkBytes(data);
    this.#check();
    if (this.#busy) throw new BusyResourceError("sending to");
    this.#busy = true;
    try {
      await checkpoint(options);
      for (;;) {
        this.#check();
        if (!this.writable.writableNeedDrain) break;
        await this.#notifier.wait("socket writable", "send", options);
      }
      if (data.byteLength === 0) return;
      let done = false;
      let error: unknown = null;
      const writable = this.writable;
      writable.write(data, (err?: Error | null) => {
        done = true;
        error = err ?? null;
        this.#notifier.notify();
      });
      // Written through synchronously: the kernel has the bytes (a failure would have set
      // `errored` by now, as Node records it before deferring the callback).
      if (writable.writableLength === 0 && writable.errored === null) return;
      let cancelled = false;
      while (!done) {
        if (this.#closed) throw new ClosedResourceError();
        if (this.#failed) throw brokenFrom(this.#error, "the stream failed while sending");
        if (cancelled) {
          // Committed bytes: wait no longer, report the send as done (see the module doc).
          return;
        }
        try {
          await this.#notifier.wait("socket write accepted", "send", options);
        } catch (err) {
          if (!isCancelled(err)) throw err;
          cancelled = true;
        }
      }
      if (error !== null) {
        if (this.#closed) throw new ClosedResourceError();
        this.#onError(error);
        this.onFail?.(error);
        throw brokenFrom(error, "the stream failed while sending");
      }
    } finally {
      this.#busy = false;
    }
  }

  /** Half-close: Node flushes what is queued, then shuts the write side down. Idempotent. */
  sendEof(): void {
    if (this.#closed) throw new ClosedResourceError();
    if (this.#eof) return;
    this.#eof = true;
    if (!this.writable.destroyed) this.writable.end();
  }

  detach(): void {
    this.writable.off("drain", this.#wake);
    this.writable.off("error", this.#onError);
    this.writable.off("close", this.#wake);
  }

  close(): void {
    this.#closed = true;
    this.#notifier.notify();
  }
}
