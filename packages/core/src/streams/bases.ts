/**
 * Base classes that give stream implementations async iteration, `await using` and `extra()`.
 *
 * @module
 */
import { describe, type WaitOptions } from "../context.js";
import { EndOfStream } from "../errors.js";
import type { AnyByteReceiveStream, ByteReceiveStream, ObjectReceiveStream } from "./interfaces.js";
import { AsyncResourceBase } from "./resource.js";

/**
 * Marks byte streams, whose `receive` takes `(maxBytes, options)`, apart from object streams of
 * `Uint8Array`, whose `receive` takes `(options)`. {@link ByteReceiveStreamBase} sets it; a byte
 * stream written without that base sets `[BYTE_STREAM] = true` itself.
 *
 * @example
 * ```ts
 * class MyByteStream implements ByteReceiveStream {
 *   readonly [BYTE_STREAM] = true;
 *   // receive(maxBytes, options), aclose(), extra()…
 * }
 * ```
 */
export const BYTE_STREAM: unique symbol = /* @__PURE__ */ Symbol.for("anyio.ByteStream");

/** Yields `receive()` results until `EndOfStream`. Breaking out of the loop does not close the stream. */
async function* iterate<T>(receive: () => Promise<T>): AsyncGenerator<T, void, undefined> {
  for (;;) {
    let item: T;
    try {
      item = await receive();
    } catch (err) {
      if (err instanceof EndOfStream) return;
      throw err;
    }
    yield item;
  }
}

/**
 * Base of object receive streams: implement `receive()` and `aclose()`, get `for await`.
 *
 * @example
 * ```ts
 * class Numbers extends ObjectReceiveStreamBase<number> {
 *   #n = 0;
 *   async receive() { if (this.#n === 3) throw new EndOfStream(); return this.#n++; }
 *   async aclose() {}
 * }
 * for await (const n of new Numbers()) console.log(n); // 0 1 2
 * ```
 */
export abstract class ObjectReceiveStreamBase<T> extends AsyncResourceBase implements ObjectReceiveStream<T> {
  /** Receives the next item; throws `EndOfStream` when there are no more. */
  abstract receive(options?: WaitOptions): Promise<T>;

  /** `for await` support: yields items until `EndOfStream`. */
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    return iterate(() => this.receive());
  }
}

/**
 * Base of byte receive streams: implement `receive()` and `aclose()`, get `for await` over chunks.
 *
 * @example
 * ```ts
 * for await (const chunk of stream) total += chunk.byteLength;
 * ```
 */
export abstract class ByteReceiveStreamBase extends AsyncResourceBase implements ByteReceiveStream {
  /** Receives at most `maxBytes` bytes, never an empty chunk; throws `EndOfStream` at the end. */
  abstract receive(maxBytes?: number, options?: WaitOptions): Promise<Uint8Array>;

  /** `for await` support: yields chunks until `EndOfStream`. */
  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    return iterate(() => this.receive());
  }

  /** Marks the stream as a byte stream (see {@link BYTE_STREAM}). */
  // A prototype getter, not a `static {}` block: keeps the class side-effect free for bundlers.
  get [BYTE_STREAM](): true {
    return true;
  }
}

/**
 * Receives from either kind of byte-carrying stream.
 *
 * @example
 * ```ts
 * const chunk = await receiveFrom(stream, 4096); // a ByteReceiveStream or an ObjectReceiveStream<Uint8Array>
 * ```
 */
export function receiveFrom(stream: AnyByteReceiveStream, maxBytes: number, options?: WaitOptions): Promise<Uint8Array> {
  if (stream === null || typeof stream !== "object" || typeof (stream as { receive?: unknown }).receive !== "function") {
    return Promise.reject(new TypeError(`receiveFrom(): stream must be a receive stream, got ${describe(stream)}`));
  }
  return (stream as { [BYTE_STREAM]?: boolean })[BYTE_STREAM] === true
    ? (stream as ByteReceiveStream).receive(maxBytes, options)
    : (stream as ObjectReceiveStream<Uint8Array>).receive(options);
}

/**
 * Validates `maxBytes` of a byte receive: an integer ≥ 1 (default 65 536).
 *
 * @example
 * ```ts
 * async receive(maxBytes?: number, options?: WaitOptions) {
 *   const n = checkMaxBytes(maxBytes); // RangeError for 0, TypeError for 1.5
 *   …
 * }
 * ```
 */
export function checkMaxBytes(maxBytes: unknown): number {
  if (maxBytes === undefined) return 65_536;
  if (typeof maxBytes !== "number" || !Number.isInteger(maxBytes)) {
    throw new TypeError(`maxBytes must be an integer, got ${String(maxBytes)}`);
  }
  if (maxBytes < 1) throw new RangeError(`maxBytes must be at least 1, got ${maxBytes}`);
  return maxBytes;
}

/**
 * Validates bytes to send.
 *
 * @example
 * ```ts
 * async send(data: Uint8Array, options?: WaitOptions) {
 *   const bytes = checkBytes(data); // TypeError naming `data` unless it is a Uint8Array
 *   …
 * }
 * ```
 */
export function checkBytes(data: unknown, name = "data"): Uint8Array {
  if (!(data instanceof Uint8Array)) {
    throw new TypeError(`${name} must be a Uint8Array, got ${data === null ? "null" : typeof data === "object" ? (data as object).constructor?.name : typeof data}`);
  }
  return data;
}
