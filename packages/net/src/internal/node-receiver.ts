/**
 * The receiving half shared by every stream over a Node `Readable` (sockets, TLS sockets,
 * generic Node streams).
 *
 * The readable runs in flowing mode into a queue of the chunks Node delivered, up to
 * {@link RECEIVE_BUFFER_LIMIT} bytes; past that it is paused, Node stops reading from the
 * kernel once its own buffer is full, and a slow receiver pushes back on the peer through TCP
 * flow control. `receive()` takes the oldest chunk (never waiting when one is there, never
 * copying to join chunks) and keeps whatever exceeds `maxBytes` for the next call.
 *
 * Why flowing rather than paused mode (`'readable'` + `read()`): in paused mode Node stops
 * reading at the readable's high-water mark (16 KiB for a socket on Node 20) and starts again
 * on the next `read()`, an `epoll_ctl` pair per 16–64 KiB; a 64 KiB echo over loopback made
 * four of them per message (strace) and ran at half the speed of `socket.pipe(socket)`.
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

/**
 * Bytes a receiver buffers before it pauses its readable: as asyncio's StreamReader (64 KiB
 * limit, reading paused past twice that), enough that a reader keeping up never pauses.
 */
export const RECEIVE_BUFFER_LIMIT = 128 * 1024;

/** How a finished readable ended. */
export type EofKind = "eof" | "error";

/** What a received slot holds until the array starts over. */
const EMPTY = new Uint8Array(0);

export class NodeReceiver {
  readonly readable: Readable;
  readonly #notifier: Notifier;
  /**
   * Chunks delivered and not yet received: slots `#head` to `#tail - 1`, oldest first (the first
   * may be a remainder). The array keeps its length when drained — truncating it is a runtime
   * call, which a reader that keeps up would pay per chunk — and taken slots hold `EMPTY`.
   */
  #chunks: Uint8Array[] = [];
  #head = 0;
  #tail = 0;
  /** Bytes in `#chunks` from `#head` on. */
  #queued = 0;
  /** Paused by us because the queue reached its limit. */
  #paused = false;
  #ended = false;
  #error: unknown = undefined;
  #failed = false;
  #closed = false;
  #busy = false;
  /** Turns "the readable ended" into the error to throw (TLS: ragged EOF → BrokenResourceError). */
  onEnd: (() => Error) | null = null;
  readonly #onData = (data: Uint8Array | string): void => {
    const chunk = typeof data === "string" ? Buffer.from(data) : data;
    if (chunk.byteLength === 0) return;
    this.#chunks[this.#tail++] = chunk;
    this.#queued += chunk.byteLength;
    if (this.#queued >= RECEIVE_BUFFER_LIMIT && !this.#paused) {
      this.#paused = true;
      this.readable.pause();
    }
    this.#notifier.notify();
  };

  constructor(readable: Readable, notifier: Notifier = new Notifier()) {
    this.readable = readable;
    this.#notifier = notifier;
    readable.on("data", this.#onData);
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
    return this.#ended && this.#queued === 0 && this.readable.readableLength === 0;
  }

  /** Bytes received and not yet returned by `receive()` (buffered by us or by Node). */
  get buffered(): number {
    return this.#queued + this.readable.readableLength;
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
    if (this.#queued === 0) return null;
    const chunks = this.#chunks;
    let chunk = chunks[this.#head]!;
    if (chunk.byteLength > max) {
      chunks[this.#head] = chunk.subarray(max);
      chunk = chunk.subarray(0, max);
    } else {
      chunks[this.#head++] = EMPTY;
      // Drained: start over at slot 0; a reader that never quite drains it drops the taken
      // slots now and then, so the array does not grow by one slot per chunk forever.
      if (this.#head === this.#tail) {
        this.#head = this.#tail = 0;
        // After a burst of many small chunks, give the slots back (only then is the runtime
        // call of truncating worth it).
        if (chunks.length > 1024) chunks.length = 0;
      } else if (this.#head >= 1024) {
        chunks.copyWithin(0, this.#head, this.#tail);
        this.#tail -= this.#head;
        chunks.fill(EMPTY, this.#tail, this.#tail + this.#head);
        this.#head = 0;
      }
    }
    this.#queued -= chunk.byteLength;
    if (this.#paused && this.#queued < RECEIVE_BUFFER_LIMIT) {
      this.#paused = false;
      this.readable.resume();
    }
    return chunk;
  }

  /** Takes back what was buffered but not received, and stops listening (TLS takes over). */
  detach(): Uint8Array[] {
    this.readable.off("data", this.#onData);
    this.readable.pause();
    const rest = this.#chunks.slice(this.#head, this.#tail);
    this.#chunks = [];
    this.#head = this.#tail = this.#queued = 0;
    for (;;) {
      const read = this.readable.read() as Uint8Array | null;
      if (read === null) break;
      rest.push(read);
    }
    this.readable.off("end", this.#onEnd);
    this.readable.off("error", this.#onError);
    this.readable.off("close", this.#onClose);
    return rest;
  }

  /** Own close: later calls throw `ClosedResourceError`; a blocked `receive()` wakes with it. */
  close(): void {
    this.#closed = true;
    this.#chunks = [];
    this.#head = this.#tail = this.#queued = 0;
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
