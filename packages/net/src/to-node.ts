/**
 * Adapters from anyio-ts streams to Node streams, for APIs that want a `Readable`/`Writable`
 * (`pipeline`, `http` bodies, parsers).
 *
 * @module
 */
import { Readable, Writable } from "node:stream";
import { EndOfStream, currentSignal, receiveFrom, type AnyByteReceiveStream, type AnyByteSendStream, type WaitOptions } from "@anyio/core";

/** Node callbacks run outside our tasks' context: pin the creator's scope (or the given one). */
function captureContext(options: WaitOptions | undefined): WaitOptions {
  if (options?.signal !== undefined) return { signal: options.signal };
  return { signal: currentSignal() };
}

/**
 * A Node `Readable` pulling from an anyio-ts receive stream: each `_read` receives once, so the
 * Node consumer drives the pace (backpressure). Receives run in the cancel scope of the task
 * that created the adapter (or the one named by `options.signal`): keep that scope open while
 * the readable is in use. Destroying the readable closes the source.
 *
 * @example
 * ```ts
 * await pipeline(toNodeReadable(socketStream), fs.createWriteStream("dump.bin"));
 * ```
 */
export function toNodeReadable(source: AnyByteReceiveStream, options?: WaitOptions & { highWaterMark?: number }): Readable {
  const context = captureContext(options);
  return new Readable({
    highWaterMark: options?.highWaterMark ?? 65_536,
    read(size) {
      receiveFrom(source, Math.max(1, size), context).then(
        (chunk) => this.push(chunk),
        (err: unknown) => (err instanceof EndOfStream ? this.push(null) : this.destroy(err as Error)),
      );
    },
    destroy(err, callback) {
      source.aclose().then(
        () => callback(err),
        (closeErr: unknown) => callback((err ?? closeErr) as Error),
      );
    },
  });
}

/**
 * A Node `Writable` sending into an anyio-ts send stream: each `_write` waits for `send()`, so
 * Node's writer sees backpressure; `end()` and `destroy()` close the target. Sends run in the
 * cancel scope of the creating task (or `options.signal`'s).
 *
 * @example
 * ```ts
 * await pipeline(fs.createReadStream("in.bin"), toNodeWritable(socketStream));
 * ```
 */
export function toNodeWritable(target: AnyByteSendStream, options?: WaitOptions & { highWaterMark?: number }): Writable {
  const context = captureContext(options);
  return new Writable({
    highWaterMark: options?.highWaterMark ?? 65_536,
    write(chunk: Uint8Array, _encoding, callback) {
      (target as { send(d: Uint8Array, o?: WaitOptions): Promise<void> }).send(chunk, context).then(() => callback(), callback);
    },
    final(callback) {
      target.aclose().then(() => callback(), callback);
    },
    destroy(err, callback) {
      target.aclose().then(
        () => callback(err),
        (closeErr: unknown) => callback((err ?? closeErr) as Error),
      );
    },
  });
}
