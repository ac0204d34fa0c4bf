/**
 * Stapled streams: one bidirectional stream made of a send stream and a receive stream.
 *
 * @module
 */
import type { WaitOptions } from "../context.js";
import { ByteReceiveStreamBase, ObjectReceiveStreamBase } from "./bases.js";
import type { ByteReceiveStream, ByteSendStream, ByteStream, ObjectReceiveStream, ObjectSendStream, ObjectStream } from "./interfaces.js";
import { type AttributeGetters, mergeAttributes } from "./typed-attributes.js";

async function closeBoth(a: { aclose(): Promise<void> }, b: { aclose(): Promise<void> }): Promise<void> {
  try {
    await a.aclose();
  } finally {
    await b.aclose();
  }
}

/**
 * A `ByteStream` made of a `ByteSendStream` and a `ByteReceiveStream`; `sendEof()` closes the
 * send stream.
 *
 * @example
 * ```ts
 * const stream = new StapledByteStream(processStdin, processStdout);
 * ```
 */
export class StapledByteStream extends ByteReceiveStreamBase implements ByteStream {
  constructor(
    /** Where `send()` and `sendEof()` go. */
    readonly sendStream: ByteSendStream,
    /** Where `receive()` reads from. */
    readonly receiveStream: ByteReceiveStream,
  ) {
    super();
  }

  /** Receives from {@link receiveStream}. */
  receive(maxBytes?: number, options?: WaitOptions): Promise<Uint8Array> {
    return this.receiveStream.receive(maxBytes, options);
  }

  /** Sends through {@link sendStream}. */
  send(data: Uint8Array, options?: WaitOptions): Promise<void> {
    return this.sendStream.send(data, options);
  }

  sendEof(): Promise<void> {
    return this.sendStream.aclose();
  }

  aclose(): Promise<void> {
    return closeBoth(this.sendStream, this.receiveStream);
  }

  override get extraAttributes(): AttributeGetters {
    return mergeAttributes(this.sendStream.extraAttributes, this.receiveStream.extraAttributes);
  }
}

/**
 * An `ObjectStream` made of an object send stream and an object receive stream (for example
 * the two ends of two memory object streams); `sendEof()` closes the send stream.
 *
 * @example
 * ```ts
 * const [aSend, bReceive] = createMemoryObjectStream<string>();
 * const [bSend, aReceive] = createMemoryObjectStream<string>();
 * const a = new StapledObjectStream(aSend, aReceive);
 * ```
 */
export class StapledObjectStream<T> extends ObjectReceiveStreamBase<T> implements ObjectStream<T> {
  constructor(
    /** Where `send()` and `sendEof()` go. */
    readonly sendStream: ObjectSendStream<T>,
    /** Where `receive()` reads from. */
    readonly receiveStream: ObjectReceiveStream<T>,
  ) {
    super();
  }

  /** Receives from {@link receiveStream}. */
  receive(options?: WaitOptions): Promise<T> {
    return this.receiveStream.receive(options);
  }

  /** Sends through {@link sendStream}. */
  send(item: T, options?: WaitOptions): Promise<void> {
    return this.sendStream.send(item, options);
  }

  /** Forwards to the send stream's `sendNowait`, when it has one (memory streams do). */
  sendNowait(item: T): void {
    const send = this.sendStream as { sendNowait?: (item: T) => void };
    if (typeof send.sendNowait !== "function") throw new TypeError("the send stream has no sendNowait()");
    send.sendNowait(item);
  }

  sendEof(): Promise<void> {
    return this.sendStream.aclose();
  }

  aclose(): Promise<void> {
    return closeBoth(this.sendStream, this.receiveStream);
  }

  override get extraAttributes(): AttributeGetters {
    return mergeAttributes(this.sendStream.extraAttributes, this.receiveStream.extraAttributes);
  }
}
