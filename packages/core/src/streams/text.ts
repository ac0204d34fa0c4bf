/**
 * Text streams: strings over byte streams, with incremental UTF-8 decoding.
 *
 * @module
 */
import type { WaitOptions } from "../context.js";
import { ObjectReceiveStreamBase } from "./bases.js";
import { receiveFrom } from "./bases.js";
import type { AnyByteReceiveStream, AnyByteSendStream, AnyByteStream, ObjectStream } from "./interfaces.js";
import { AsyncResourceBase } from "./resource.js";
import { type AttributeGetters, mergeAttributes } from "./typed-attributes.js";

/** Options of the text streams. */
export interface TextStreamOptions {
  /** A label `TextDecoder` knows (default `"utf-8"`). Sending always encodes UTF-8 (`TextEncoder`). */
  encoding?: string;
  /** `"strict"` (default): invalid input throws a TypeError; `"replace"`: U+FFFD replaces it. */
  errors?: "strict" | "replace";
}

function makeDecoder(options: TextStreamOptions | undefined): TextDecoder {
  const errors = options?.errors ?? "strict";
  if (errors !== "strict" && errors !== "replace") throw new RangeError(`errors must be "strict" or "replace", got ${String(errors)}`);
  return new TextDecoder(options?.encoding ?? "utf-8", { fatal: errors === "strict" });
}

/**
 * Receives strings decoded from a byte stream. A code point split across chunks is held back
 * until its remaining bytes arrive; `receive()` never returns an empty string.
 *
 * @example
 * ```ts
 * const text = new TextReceiveStream(stream);
 * for await (const piece of text) process.stdout.write(piece);
 * ```
 */
export class TextReceiveStream extends ObjectReceiveStreamBase<string> {
  /** The byte stream underneath. */
  readonly transportStream: AnyByteReceiveStream;
  readonly #decoder: TextDecoder;

  constructor(transportStream: AnyByteReceiveStream, options?: TextStreamOptions) {
    super();
    this.transportStream = transportStream;
    this.#decoder = makeDecoder(options);
  }

  /** Receives decoded text, never an empty string; throws `EndOfStream` at the end. */
  async receive(options?: WaitOptions): Promise<string> {
    for (;;) {
      const chunk = await receiveFrom(this.transportStream, 65_536, options);
      const text = this.#decoder.decode(chunk, { stream: true });
      if (text.length > 0) return text;
    }
  }

  aclose(): Promise<void> {
    return this.transportStream.aclose();
  }

  override get extraAttributes(): AttributeGetters {
    return this.transportStream.extraAttributes;
  }
}

/**
 * Sends strings encoded as UTF-8 onto a byte stream.
 *
 * @example
 * ```ts
 * await new TextSendStream(stream).send("hello\n");
 * ```
 */
export class TextSendStream extends AsyncResourceBase {
  /** The byte stream underneath. */
  readonly transportStream: AnyByteSendStream;
  readonly #encoder = new TextEncoder();

  constructor(transportStream: AnyByteSendStream, options?: Pick<TextStreamOptions, "encoding">) {
    super();
    const encoding = (options?.encoding ?? "utf-8").toLowerCase();
    if (encoding !== "utf-8" && encoding !== "utf8") {
      throw new RangeError(`TextSendStream(): only UTF-8 can be encoded (TextEncoder), got encoding ${JSON.stringify(options?.encoding)}`);
    }
    this.transportStream = transportStream;
  }

  /** Encodes `item` and sends the bytes. */
  send(item: string, options?: WaitOptions): Promise<void> {
    if (typeof item !== "string") return Promise.reject(new TypeError(`item must be a string, got ${typeof item}`));
    return this.transportStream.send(this.#encoder.encode(item), options);
  }

  aclose(): Promise<void> {
    return this.transportStream.aclose();
  }

  override get extraAttributes(): AttributeGetters {
    return this.transportStream.extraAttributes;
  }
}

/**
 * Both directions of text over a bidirectional byte stream.
 *
 * @example
 * ```ts
 * const text = new TextStream(stream);
 * await text.send("ping");
 * console.log(await text.receive());
 * ```
 */
export class TextStream extends ObjectReceiveStreamBase<string> implements ObjectStream<string> {
  /** The byte stream underneath. */
  readonly transportStream: AnyByteStream;
  readonly #receiver: TextReceiveStream;
  readonly #sender: TextSendStream;

  constructor(transportStream: AnyByteStream, options?: TextStreamOptions) {
    super();
    this.transportStream = transportStream;
    this.#receiver = new TextReceiveStream(transportStream, options);
    this.#sender = new TextSendStream(transportStream, { encoding: "utf-8" });
  }

  /** Receives decoded text, never an empty string; throws `EndOfStream` at the end. */
  receive(options?: WaitOptions): Promise<string> {
    return this.#receiver.receive(options);
  }

  /** Encodes `item` and sends the bytes. */
  send(item: string, options?: WaitOptions): Promise<void> {
    return this.#sender.send(item, options);
  }

  sendEof(): Promise<void> {
    return this.transportStream.sendEof();
  }

  aclose(): Promise<void> {
    return this.transportStream.aclose();
  }

  override get extraAttributes(): AttributeGetters {
    return mergeAttributes(this.transportStream.extraAttributes);
  }
}
