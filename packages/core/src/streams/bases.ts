/**
 * Base classes that give stream implementations async iteration, `await using` and `extra()`.
 *
 * @module
 */
import type { WaitOptions } from "../context.js";
import { EndOfStream } from "../errors.js";
import type { AnyByteReceiveStream, ByteReceiveStream, ObjectReceiveStream } from "./interfaces.js";
import { AsyncResourceBase } from "./resource.js";

/**
 * Marks byte streams, whose `receive` takes `(maxBytes, options)`, apart from object streams of
 * `Uint8Array`, whose `receive` takes `(options)`. {@link ByteReceiveStreamBase} sets it; a byte
 * stream written without that base sets `[BYTE_STREAM] = true` itself.
 */
export const BYTE_STREAM: unique symbol = Symbol.for("anyio.ByteStream");

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
  abstract receive(options?: WaitOptions): Promise<T>;

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
  abstract receive(maxBytes?: number, options?: WaitOptions): Promise<Uint8Array>;

  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    return iterate(() => this.receive());
  }

  static {
    Object.defineProperty(this.prototype, BYTE_STREAM, { value: true });
  }
}

/** Receives from either kind of byte-carrying stream. */
export function receiveFrom(stream: AnyByteReceiveStream, maxBytes: number, options?: WaitOptions): Promise<Uint8Array> {
  return (stream as { [BYTE_STREAM]?: boolean })[BYTE_STREAM] === true
    ? (stream as ByteReceiveStream).receive(maxBytes, options)
    : (stream as ObjectReceiveStream<Uint8Array>).receive(options);
}

/** Validates `maxBytes` of a byte receive: an integer ≥ 1 (default 65 536). */
export function checkMaxBytes(maxBytes: unknown): number {
  if (maxBytes === undefined) return 65_536;
  if (typeof maxBytes !== "number" || !Number.isInteger(maxBytes)) {
    throw new TypeError(`maxBytes must be an integer, got ${String(maxBytes)}`);
  }
  if (maxBytes < 1) throw new RangeError(`maxBytes must be at least 1, got ${maxBytes}`);
  return maxBytes;
}

/** Validates bytes to send. */
export function checkBytes(data: unknown, name = "data"): Uint8Array {
  if (!(data instanceof Uint8Array)) {
    throw new TypeError(`${name} must be a Uint8Array, got ${data === null ? "null" : typeof data === "object" ? (data as object).constructor?.name : typeof data}`);
  }
  return data;
}
