/**
 * One connection attempt: a `net.Socket` that is connected, or closed and gone.
 *
 * @module
 */
import { Socket, type SocketConnectOpts } from "node:net";
import type { WaitOptions } from "@anyio/core";
import { destroyAndWait } from "./destroy.js";
import { Notifier } from "./notifier.js";

/**
 * Connects a fresh socket (half-open allowed) with `connectOptions`. A cancel point; cancelled
 * or failed, the socket is destroyed and its handle closed before this returns.
 */
export async function connectSocket(connectOptions: SocketConnectOpts, caller: string, options?: WaitOptions): Promise<Socket> {
  const socket = new Socket({ allowHalfOpen: true });
  const notifier = new Notifier();
  let connected = false;
  let error: Error | null = null;
  const onConnect = (): void => {
    connected = true;
    notifier.notify();
  };
  const onError = (err: Error): void => {
    error ??= err;
    notifier.notify();
  };
  socket.once("connect", onConnect);
  socket.on("error", onError);
  try {
    socket.connect(connectOptions);
    while (!connected && error === null) await notifier.wait("connect", caller, options);
  } catch (err) {
    await destroyAndWait(socket, options);
    throw err;
  } finally {
    // The error listener stays: an error before the socket is wrapped must not go unhandled.
    socket.off("connect", onConnect);
  }
  if (error !== null) {
    await destroyAndWait(socket, options);
    throw error;
  }
  return socket;
}
