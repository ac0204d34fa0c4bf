/**
 * The Node `Duplex` a `tls.TLSSocket` runs over when the transport is an anyio-ts `ByteStream`.
 *
 * It does no I/O of its own — that would need a background task, and anyio-ts has none without
 * a parent. Ciphertext the TLS layer writes waits in `outgoing` (its write callback held back,
 * so Node's TLS sees backpressure) until a `TLSStream` operation sends it on the transport in
 * the caller's task; ciphertext from the transport is `push`ed in by those operations too.
 *
 * @module
 */
import { Duplex } from "node:stream";
import type { Notifier } from "./notifier.js";

export interface OutgoingChunk {
  chunk: Uint8Array;
  callback: (error?: Error | null) => void;
}

export class TransportBridge extends Duplex {
  readonly outgoing: OutgoingChunk[] = [];
  /** The TLS layer ended its side (after writing close_notify). */
  finalRequested = false;
  /** Called when the TLS layer wrote or ended: someone must move that to the transport. */
  onActivity: (() => void) | null = null;
  readonly #notifier: Notifier;

  constructor(notifier: Notifier) {
    super({ allowHalfOpen: true });
    this.#notifier = notifier;
  }

  override _read(): void {
    this.#notifier.notify();
  }

  override _write(chunk: Uint8Array, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.outgoing.push({ chunk, callback });
    this.#notifier.notify();
    this.onActivity?.();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.finalRequested = true;
    this.#notifier.notify();
    this.onActivity?.();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const failed = error ?? new Error("the TLS transport was closed");
    for (const item of this.outgoing.splice(0)) item.callback(failed);
    this.#notifier.notify();
    callback(error);
  }
}
