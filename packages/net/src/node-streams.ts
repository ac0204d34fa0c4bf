/**
 * Adapters from Node streams (`Readable`, `Writable`, `Duplex`) to anyio-ts byte streams, with
 * backpressure kept both ways and cancellation leaving nothing half-done.
 *
 * @module
 */
import type { Duplex, Readable, Writable } from "node:stream";
import { ByteReceiveStreamBase, type ByteSendStream, type ByteStream, type WaitOptions, AsyncResourceBase, requireMethods } from "@anyio/core";
import { destroyAndWait } from "./internal/destroy.js";
import { NodeReceiver } from "./internal/node-receiver.js";
import { NodeSender } from "./internal/node-sender.js";
import { Notifier } from "./internal/notifier.js";

/**
 * A `ByteReceiveStream` over a Node `Readable` of bytes. The readable stays paused: Node reads
 * ahead only up to its `readableHighWaterMark`, so a slow receiver slows the producer.
 * `receive()` returns buffered bytes at once and never loses any to cancellation. `aclose()`
 * destroys the readable. An `'error'` of the readable surfaces as `BrokenResourceError` (cause:
 * the Node error, `code` kept) after the data that came before it.
 *
 * @example
 * ```ts
 * const file = new NodeByteReceiveStream(fs.createReadStream("data.bin"));
 * for await (const chunk of file) total += chunk.byteLength;
 * ```
 */
export class NodeByteReceiveStream extends ByteReceiveStreamBase {
  /** @internal */ readonly _receiver: NodeReceiver;

  constructor(readable: Readable) {
    super();
    this._receiver = new NodeReceiver(requireMethods(readable, ["read", "on"], "NodeByteReceiveStream", "readable"));
  }

  receive(maxBytes?: number, options?: WaitOptions): Promise<Uint8Array> {
    return this._receiver.receive(maxBytes, options);
  }

  /**
   * Destroys the readable and waits until it closed; a `receive()` blocked in another task
   * wakes with `ClosedResourceError`. Idempotent.
   */
  async aclose(options?: WaitOptions): Promise<void> {
    if (this._receiver.closed) return;
    this._receiver.close();
    await destroyAndWait(this._receiver.readable, options);
  }
}

/**
 * A `ByteSendStream` over a Node `Writable`. `send()` waits for `'drain'` before writing when
 * the writable is above its high-water mark (cancellable: nothing written), then for the write
 * callback. `aclose()` ends the writable (flushing what was sent) and waits for it to finish;
 * cancelled, it destroys it instead.
 *
 * @example
 * ```ts
 * const out = new NodeByteSendStream(fs.createWriteStream("out.bin"));
 * await out.send(new Uint8Array([1, 2, 3]));
 * await out.aclose();
 * ```
 */
export class NodeByteSendStream extends AsyncResourceBase implements ByteSendStream {
  /** @internal */ readonly _sender: NodeSender;
  #closed = false;

  constructor(writable: Writable) {
    super();
    this._sender = new NodeSender(requireMethods(writable, ["write", "on"], "NodeByteSendStream", "writable"));
  }

  send(data: Uint8Array, options?: WaitOptions): Promise<void> {
    return this._sender.send(data, options);
  }

  /**
   * Ends the writable, waits for what was sent to be flushed (given up when cancelled), then
   * destroys it. Idempotent.
   */
  async aclose(options?: WaitOptions): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const writable = this._sender.writable;
    this._sender.close();
    if (!writable.destroyed && !writable.writableFinished) {
      const notifier = new Notifier();
      const wake = (): void => notifier.notify();
      writable.on("finish", wake).on("error", wake).on("close", wake);
      writable.end();
      try {
        while (!writable.writableFinished && !writable.destroyed && !writable.errored) {
          await notifier.wait("writable finish", "aclose", options);
        }
      } catch {
        // Cancelled (or failed): give up on the flush, release the resource anyway.
      } finally {
        writable.off("finish", wake).off("error", wake).off("close", wake);
      }
    }
    await destroyAndWait(writable, options);
  }
}

/**
 * A `ByteStream` over a Node `Duplex` (a socket, a TLS socket, any duplex of bytes): both
 * halves above plus `sendEof()` (half-close with `end()`). `aclose()` destroys the duplex at
 * once — bytes the kernel already accepted still reach the peer, followed by FIN — and wakes a
 * `receive()` or `send()` blocked in another task with `ClosedResourceError`.
 *
 * For sockets create the duplex with `allowHalfOpen: true`, or Node ends the write side as soon
 * as the peer's FIN arrives.
 *
 * @example
 * ```ts
 * const stream = new NodeByteStream(someDuplex);
 * await stream.send(new TextEncoder().encode("ping"));
 * const reply = await stream.receive();
 * ```
 */
export class NodeByteStream extends ByteReceiveStreamBase implements ByteStream {
  /** @internal */ readonly _receiver: NodeReceiver;
  /** @internal */ readonly _sender: NodeSender;
  /** @internal */ readonly _duplex: Duplex;

  constructor(duplex: Duplex) {
    super();
    this._duplex = requireMethods(duplex, ["read", "write", "on"], "NodeByteStream", "duplex");
    this._receiver = new NodeReceiver(duplex);
    this._sender = new NodeSender(duplex);
    // A write that fails (EPIPE, ECONNRESET) breaks the receiving half too.
    this._sender.onFail = (err) => this._receiver.fail(err);
  }

  receive(maxBytes?: number, options?: WaitOptions): Promise<Uint8Array> {
    return this._receiver.receive(maxBytes, options);
  }

  send(data: Uint8Array, options?: WaitOptions): Promise<void> {
    return this._sender.send(data, options);
  }

  async sendEof(): Promise<void> {
    this._sender.sendEof();
  }

  /** True once `aclose()` was called. */
  get closed(): boolean {
    return this._receiver.closed;
  }

  /**
   * Destroys the duplex at once (bytes the kernel already accepted still go out) and waits until
   * its handle closed; calls blocked in other tasks wake with `ClosedResourceError`. Idempotent.
   */
  async aclose(options?: WaitOptions): Promise<void> {
    if (this._receiver.closed) return;
    this._receiver.close();
    this._sender.close();
    await destroyAndWait(this._duplex, options);
  }
}
