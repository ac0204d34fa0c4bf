/**
 * The receiving half shared by every stream over a Node `Readable` (sockets, TLS sockets,
 * generic Node streams).
 *
 * The readable stays in paused mode: Node reads from the kernel only until its buffer reaches
 * the stream's `readableHighWaterMark`, then stops (`readStop`), so a slow receiver pushes back
 * on the peer through TCP flow control. `receive()` takes what is buffered (never waiting when
 * something is there) and keeps whatever exceeds `maxBytes` for the next call.
 *
 * @module
 */
import type { Readable } from "node:stream";
import {
  BrokenResourceError,
  BusyResourceError,
  ClosedResourceError,
  EndOfStream,
  checkMaxBytes,
  checkpoint,
  type WaitOptions,
} from "@anyio/core";
import { Notifier } from "./notifier.js";

/** How a finished readable ended. */
export type EofKind = "eof" | "error";

export class NodeReceiver {
  readonly readable: Readable;
  readonly #notifier: Notifier;
  #leftover: Uint8Array | null = null;
  #ended = false;
  #error: unknown = undefined;
  #failed = false;
  #closed = false;
  #busy = false;
  /** Turns "the readable ended" into the error to throw (TLS: ragged EOF → BrokenResourceError). */
  onEnd: (() => Error) | null = null;
  readonly #wake = (): void => this.#notifier.notify();

  constructor(readable: Readable, notifier: Notifier = new Notifier()) {
    this.readable = readable;
    this.#notifier = notifier;
    readable.on("readable", this.#wake);
    readable.on("end", this.#onEnd);
    readable.on("error", this.#onError);
    readable.on("close", this.#onClose);
    if (readable.readableEnded) this.#ended = true;
  }

  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#notifier.notify();
  };

  readonly #onError = (err: unknown): void => {
    if (!this.#failed) {
      this.#failed = true;
      this.#error = err;
    }
    this.#notifier.notify();
  };

  readonly #onClose = (): void => {
    // Destroyed before its end was read (and without an error event): the data is gone.
    if (!this.#ended && !this.#failed && this.readable.readableLength === 0) {
      this.#failed = true;
      this.#error = new Error("the stream was destroyed before it ended");
    }
    this.#notifier.notify();
  };

  /** Marks the receiver failed from outside (the write half of a duplex saw the peer vanish). */
  fail(err: unknown): void {
    this.#onError(err);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Everything received is consumed and the peer finished. */
  get atEof(): boolean {
    return this.#ended && this.#leftover === null && this.readable.readableLength === 0;
  }

  /** Bytes received and not yet returned by `receive()` (buffered by us or by Node). */
  get buffered(): number {
    return (this.#leftover?.byteLength ?? 0) + this.readable.readableLength;
  }

  async receive(maxBytes: number | undefined, options: WaitOptions | undefined): Promise<Uint8Array> {
    const max = checkMaxBytes(maxBytes);
    if (this.#closed) throw new ClosedResourceError();
    if (this.#busy) throw new BusyResourceError("receiving from");
    this.#busy = true;
    try {
      // A cancel point and a schedule point even when data is already buffered.
      await checkpoint(options);
      for (;;) {
        if (this.#closed) throw new ClosedResourceError();
        const chunk = this.#take(max);
        if (chunk !== null) return chunk;
        if (this.#ended) throw this.onEnd?.() ?? new EndOfStream();
        if (this.#failed) throw brokenFrom(this.#error, "the stream failed while receiving");
        await this.#notifier.wait("socket readable", "receive", options);
      }
    } finally {
      this.#busy = false;
    }
  }

  /** Buffered bytes (up to `max`) without waiting, or null. */
  tryTake(max: number): Uint8Array | null {
    return this.#take(max);
  }

  /** The error a receive must throw now that nothing is buffered, or null to wait. */
  endError(): Error | null {
    if (this.#ended) return this.onEnd?.() ?? new EndOfStream();
    if (this.#failed) return brokenFrom(this.#error, "the stream failed while receiving");
    return null;
  }

  /** Up to `max` buffered bytes, or null. Data always comes before an end or an error. */
  #take(max: number): Uint8Array | null {
    let chunk = this.#leftover;
    this.#leftover = null;
    if (chunk === null) {
      const read = this.readable.destroyed && this.readable.readableLength === 0 ? null : (this.readable.read() as Uint8Array | string | null);
      if (read === null) return null;
      chunk = typeof read === "string" ? Buffer.from(read) : read;
      if (chunk.byteLength === 0) return null;
    }
    if (chunk.byteLength > max) {
      this.#leftover = chunk.subarray(max);
      chunk = chunk.subarray(0, max);
    }
    return chunk;
  }

  /** Takes back what was buffered but not received, and stops listening (TLS takes over). */
  detach(): Uint8Array[] {
    const rest: Uint8Array[] = [];
    if (this.#leftover !== null) rest.push(this.#leftover);
    this.#leftover = null;
    for (;;) {
      const read = this.readable.read() as Uint8Array | null;
      if (read === null) break;
      rest.push(read);
    }
    this.readable.off("readable", this.#wake);
    this.readable.off("end", this.#onEnd);
    this.readable.off("error", this.#onError);
    this.readable.off("close", this.#onClose);
    return rest;
  }

  /** Own close: later calls throw `ClosedResourceError`; a blocked `receive()` wakes with it. */
  close(): void {
    this.#closed = true;
    this.#leftover = null;
    this.#notifier.notify();
  }
}

/** A `BrokenResourceError` that keeps Node's error (and its `code`) as the cause. */
export function brokenFrom(err: unknown, message: string): BrokenResourceError {
  const code = (err as { code?: unknown } | undefined)?.code;
  const broken = new BrokenResourceError(typeof code === "string" ? `${message}: ${code}` : message, { cause: err });
  if (typeof code === "string") (broken as BrokenResourceError & { code?: string }).code = code;
  return broken;
}
