/**
 * The stream interfaces of anyio-ts, as AnyIO's `anyio.abc` streams. Bytes are `Uint8Array`.
 *
 * Rules every implementation follows: a receive never returns an empty chunk; receiving
 * after the peer finished throws `EndOfStream`; using a stream this side closed throws
 * `ClosedResourceError`; a peer that vanished surfaces as `BrokenResourceError`; a second
 * concurrent receive (or send) throws `BusyResourceError`; an operation that throws
 * `Cancelled` did not happen (no item taken, no byte reported as sent).
 *
 * @module
 */
import type { WaitOptions } from "../context.js";
import type { TaskGroup } from "../task-group.js";
import type { TaskContext } from "../task.js";
import type { AsyncResource } from "./resource.js";
import type { TypedAttributeProvider } from "./typed-attributes.js";

/** Receives objects; may lose or reorder them (datagrams). Iterating ends at `EndOfStream`. */
export interface UnreliableObjectReceiveStream<T> extends AsyncResource, TypedAttributeProvider, AsyncIterable<T> {
  /** Receives the next item; throws `EndOfStream` once the sender finished and nothing is left. */
  receive(options?: WaitOptions): Promise<T>;
}

/** Sends objects; they may be lost or reordered. */
export interface UnreliableObjectSendStream<T> extends AsyncResource, TypedAttributeProvider {
  /** Sends one item, waiting (a checkpoint) while the receiving side applies backpressure. */
  send(item: T, options?: WaitOptions): Promise<void>;
}

/** Both directions of an unreliable object stream. */
export interface UnreliableObjectStream<T> extends UnreliableObjectReceiveStream<T>, UnreliableObjectSendStream<T> {}

/** Receives objects reliably and in order. */
export interface ObjectReceiveStream<T> extends UnreliableObjectReceiveStream<T> {}

/** Sends objects reliably and in order. */
export interface ObjectSendStream<T> extends UnreliableObjectSendStream<T> {}

/** A bidirectional reliable object stream that can close its sending half. */
export interface ObjectStream<T> extends ObjectReceiveStream<T>, ObjectSendStream<T> {
  /** Tells the peer no more items will come; receiving still works. */
  sendEof(): Promise<void>;
}

/** Receives bytes. Iterating yields chunks until `EndOfStream`. */
export interface ByteReceiveStream extends AsyncResource, TypedAttributeProvider, AsyncIterable<Uint8Array> {
  /**
   * Receives at most `maxBytes` (default 65 536) bytes — never an empty chunk.
   * @throws RangeError if `maxBytes` < 1
   */
  receive(maxBytes?: number, options?: WaitOptions): Promise<Uint8Array>;
}

/** Sends bytes; `send` resolves once the bytes are handed to the transport (backpressure). */
export interface ByteSendStream extends AsyncResource, TypedAttributeProvider {
  /** Sends all of `data`; resolves once the transport took it. An empty chunk is a no-op. */
  send(data: Uint8Array, options?: WaitOptions): Promise<void>;
}

/** A bidirectional byte stream that can close its sending half. */
export interface ByteStream extends ByteReceiveStream, ByteSendStream {
  /** Tells the peer no more bytes will come (half-close); receiving still works. Idempotent. */
  sendEof(): Promise<void>;
}

/** Either kind of byte-carrying stream. */
export type AnyByteReceiveStream = ObjectReceiveStream<Uint8Array> | ByteReceiveStream;
/** Either kind of byte-sending stream. */
export type AnyByteSendStream = ObjectSendStream<Uint8Array> | ByteSendStream;
/** Either kind of bidirectional byte stream. */
export type AnyByteStream = ObjectStream<Uint8Array> | ByteStream;

/** Accepts incoming connections. */
export interface Listener<T> extends AsyncResource, TypedAttributeProvider {
  /**
   * Accepts connections forever, running `handler(stream, cx)` for each in a task of
   * `taskGroup` (or of a group of its own); `cx` is that task's context, for explicit-context
   * code. Ends only by cancellation, or with `ClosedResourceError` when the listener is closed
   * from another task.
   */
  serve(handler: (stream: T, cx: TaskContext) => unknown, taskGroup?: TaskGroup, options?: WaitOptions): Promise<never>;
}
