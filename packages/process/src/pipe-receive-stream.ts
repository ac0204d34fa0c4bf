/**
 * A child's stdout/stderr as a `ByteReceiveStream`.
 *
 * @module
 */
import type { Readable } from "node:stream";
import {
  BrokenResourceError,
  BusyResourceError,
  ByteReceiveStreamBase,
  ClosedResourceError,
  EndOfStream,
  type WaitOptions,
  checkMaxBytes,
  checkpoint,
  requireMethods,
} from "@anyio/core";
import { WakeSet } from "./internal/wake-set.js";

/**
 * The read end of a pipe from a child process (`process.stdout`, `process.stderr`).
 *
 * The Node stream stays in paused mode and is read only when `receive()` asks, so a child that
 * writes faster than you read fills the pipe and blocks (backpressure), instead of the output
 * piling up in memory. Follows the stream rules of `@anyio/core`: never an empty chunk,
 * `EndOfStream` once the child closed its end, `ClosedResourceError` after `aclose()`,
 * `BusyResourceError` for a second concurrent `receive()`, `BrokenResourceError` (with the
 * Node error as `cause`) when the pipe fails.
 *
 * @example
 * ```ts
 * await using proc = await openProcess(["ls", "-l"], { stdout: "pipe" });
 * for await (const chunk of proc.stdout!) process.stdout.write(chunk);
 * ```
 */
export class PipeReceiveStream extends ByteReceiveStreamBase {
  readonly #readable: Readable;
  readonly #wakers: WakeSet;
  #leftover: Uint8Array | null = null;
  #closed = false;
  #eof = false;
  #error: Error | null = null;
  #busy = false;

  /** @internal Made by `openProcess`. */
  constructor(readable: Readable, what: string) {
    super();
    this.#readable = requireMethods(readable, ["read", "on"], "PipeReceiveStream", "readable");
    this.#wakers = new WakeSet(`receive from ${what}`);
    const wake = this.#wakers.wakeAll;
    readable.on("readable", wake);
    readable.on("end", () => {
      this.#eof = true;
      wake();
    });
    readable.on("error", (err: Error) => {
      this.#error ??= err;
      wake();
    });
    readable.on("close", wake);
  }

  async receive(maxBytes?: number, options?: WaitOptions): Promise<Uint8Array> {
    const max = checkMaxBytes(maxBytes);
    if (this.#closed) throw new ClosedResourceError();
    if (this.#busy) throw new BusyResourceError("reading from");
    this.#busy = true;
    try {
      // Cancel point and schedule point before anything is taken: a cancelled receive reads nothing.
      await checkpoint(options);
      for (;;) {
        if (this.#closed) throw new ClosedResourceError();
        const chunk = this.#take(max);
        if (chunk !== null) return chunk;
        if (this.#error !== null) throw new BrokenResourceError(`the pipe failed: ${this.#error.message}`, { cause: this.#error });
        if (this.#eof || this.#readable.readableEnded) throw new EndOfStream();
        // Destroyed without an end or an error: the pipe vanished under us.
        if (this.#readable.destroyed) throw new BrokenResourceError("the pipe was closed before its end");
        await this.#wakers.wait(options, "PipeReceiveStream.receive");
      }
    } finally {
      this.#busy = false;
    }
  }

  #take(max: number): Uint8Array | null {
    let data = this.#leftover;
    if (data === null) {
      const read: Buffer | null = this.#readable.read();
      if (read === null || read.byteLength === 0) return null;
      data = new Uint8Array(read.buffer, read.byteOffset, read.byteLength);
    }
    if (data.byteLength > max) {
      this.#leftover = data.subarray(max);
      return data.subarray(0, max);
    }
    this.#leftover = null;
    return data;
  }

  /**
   * Closes the read end. A child that keeps writing gets `EPIPE`/`SIGPIPE`. A `receive()`
   * parked in another task throws `ClosedResourceError`. Idempotent.
   */
  async aclose(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#leftover = null;
    this.#readable.destroy();
    this.#wakers.wakeAll();
  }
}
