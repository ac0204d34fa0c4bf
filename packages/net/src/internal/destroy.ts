/**
 * Destroying a Node stream and waiting until its handle is really gone.
 *
 * @module
 */
import type { Readable, Writable } from "node:stream";
import { type WaitOptions } from "@anyio/core";
import { Notifier } from "./notifier.js";

/**
 * `destroy()` then wait (not cancellable: it is prompt, and cancelling it would let the caller
 * observe a handle that is still open) for `'close'`, so that after `aclose()` no socket or
 * file descriptor is left in `process.getActiveResourcesInfo()`.
 */
export async function destroyAndWait(stream: Readable | Writable, options?: WaitOptions, error?: Error): Promise<void> {
  const emitsClose = (stream as { _readableState?: { emitClose?: boolean }; _writableState?: { emitClose?: boolean } });
  const willEmit = (emitsClose._readableState?.emitClose ?? emitsClose._writableState?.emitClose) !== false;
  const alreadyClosed = stream.closed;
  stream.destroy(error);
  if (alreadyClosed || !willEmit) return;
  const notifier = new Notifier();
  let closed = false;
  stream.once("close", () => {
    closed = true;
    notifier.notify();
  });
  while (!closed && !stream.closed) await notifier.wait("stream close", "aclose", options, false);
}
