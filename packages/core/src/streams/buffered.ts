/**
 * `BufferedByteReceiveStream`: reads exact sizes and delimited records from a byte stream.
 *
 * @module
 */
import type { WaitOptions } from "../context.js";
import { ClosedResourceError, DelimiterNotFound, EndOfStream, IncompleteRead } from "../errors.js";
import { ByteReceiveStreamBase, checkBytes, checkMaxBytes, receiveFrom } from "./bases.js";
import type { AnyByteReceiveStream } from "./interfaces.js";
import type { AttributeGetters } from "./typed-attributes.js";

const EMPTY = /* @__PURE__ */ new Uint8Array(0);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.byteLength === 0) return b;
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a, 0);
  out.set(b, a.byteLength);
  return out;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const last = haystack.byteLength - needle.byteLength;
  outer: for (let i = Math.max(0, from); i <= last; i++) {
    for (let j = 0; j < needle.byteLength; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/**
 * Wraps a byte (or `Uint8Array` object) receive stream with a buffer, adding
 * `receiveExactly(n)` and `receiveUntil(delimiter, maxBytes)`. Bytes read past a record stay
 * buffered for the next call; a cancelled call loses nothing.
 *
 * @example
 * ```ts
 * const buffered = new BufferedByteReceiveStream(stream);
 * const header = await buffered.receiveExactly(4);
 * const line = await buffered.receiveUntil(new TextEncoder().encode("\r\n"), 8192);
 * ```
 */
export class BufferedByteReceiveStream extends ByteReceiveStreamBase {
  /** The wrapped stream. */
  readonly receiveStream: AnyByteReceiveStream;
  #buffer: Uint8Array = EMPTY;
  #closed = false;

  constructor(receiveStream: AnyByteReceiveStream) {
    super();
    if (receiveStream === null || typeof receiveStream !== "object" || typeof receiveStream.receive !== "function") {
      throw new TypeError("BufferedByteReceiveStream(): receiveStream must be a receive stream");
    }
    this.receiveStream = receiveStream;
  }

  /** The bytes received but not yet consumed. */
  get buffer(): Uint8Array {
    return this.#buffer;
  }

  /** Puts bytes at the end of the buffer, as if they had been received. */
  feedData(data: Uint8Array): void {
    checkBytes(data);
    this.#buffer = concat(this.#buffer, data.slice());
  }

  override get extraAttributes(): AttributeGetters {
    return this.receiveStream.extraAttributes;
  }

  async aclose(): Promise<void> {
    this.#closed = true;
    await this.receiveStream.aclose();
  }

  async receive(maxBytes?: number, options?: WaitOptions): Promise<Uint8Array> {
    const max = checkMaxBytes(maxBytes);
    if (this.#buffer.byteLength > 0) {
      const chunk = this.#buffer.subarray(0, max);
      this.#buffer = this.#buffer.subarray(chunk.byteLength);
      return chunk;
    }
    const chunk = await this.#receiveChunk(max, options);
    if (chunk.byteLength <= max) return chunk;
    this.#buffer = chunk.subarray(max);
    return chunk.subarray(0, max);
  }

  /** Receives exactly `nbytes` bytes; throws {@link IncompleteRead} if the stream ends first. */
  async receiveExactly(nbytes: number, options?: WaitOptions): Promise<Uint8Array> {
    if (!Number.isInteger(nbytes) || nbytes < 0) throw new RangeError(`nbytes must be a non-negative integer, got ${String(nbytes)}`);
    while (this.#buffer.byteLength < nbytes) {
      let chunk: Uint8Array;
      try {
        chunk = await this.#receiveChunk(nbytes - this.#buffer.byteLength, options);
      } catch (err) {
        if (err instanceof EndOfStream) throw new IncompleteRead();
        throw err;
      }
      this.#buffer = concat(this.#buffer, chunk);
    }
    const result = this.#buffer.subarray(0, nbytes);
    this.#buffer = this.#buffer.subarray(nbytes);
    return result;
  }

  /**
   * Receives up to (not including) `delimiter`, which is consumed. Throws
   * {@link DelimiterNotFound} when `maxBytes` bytes came without it, {@link IncompleteRead}
   * when the stream ended first.
   */
  async receiveUntil(delimiter: Uint8Array, maxBytes: number, options?: WaitOptions): Promise<Uint8Array> {
    checkBytes(delimiter, "delimiter");
    if (delimiter.byteLength === 0) throw new RangeError("delimiter must not be empty");
    if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new RangeError(`maxBytes must be a positive integer, got ${String(maxBytes)}`);
    let searched = 0;
    for (;;) {
      const at = indexOf(this.#buffer, delimiter, searched - delimiter.byteLength + 1);
      if (at !== -1 && at <= maxBytes) {
        const record = this.#buffer.subarray(0, at);
        this.#buffer = this.#buffer.subarray(at + delimiter.byteLength);
        return record;
      }
      if (this.#buffer.byteLength >= maxBytes) throw new DelimiterNotFound(maxBytes);
      searched = this.#buffer.byteLength;
      let chunk: Uint8Array;
      try {
        chunk = await this.#receiveChunk(65_536, options);
      } catch (err) {
        if (err instanceof EndOfStream) throw new IncompleteRead();
        throw err;
      }
      this.#buffer = concat(this.#buffer, chunk);
    }
  }

  async #receiveChunk(maxBytes: number, options?: WaitOptions): Promise<Uint8Array> {
    if (this.#closed) throw new ClosedResourceError();
    return checkBytes(await receiveFrom(this.receiveStream, maxBytes, options), "received chunk");
  }
}
