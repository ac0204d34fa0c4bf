/**
 * Starting a `net.Server`, cancellably, leaving nothing behind on failure.
 *
 * @module
 */
import { createServer, type ListenOptions, type Server } from "node:net";
import type { WaitOptions } from "@anyio/core";
import { Notifier } from "./notifier.js";

export async function listen(listenOptions: ListenOptions, caller: string, options?: WaitOptions): Promise<Server> {
  const server = createServer({ allowHalfOpen: true, noDelay: true });
  const notifier = new Notifier();
  let listening = false;
  let error: Error | null = null;
  const onListening = (): void => {
    listening = true;
    notifier.notify();
  };
  const onError = (err: Error): void => {
    error ??= err;
    notifier.notify();
  };
  server.once("listening", onListening);
  server.once("error", onError);
  try {
    server.listen(listenOptions);
    while (!listening && error === null) await notifier.wait("listen", caller, options);
  } catch (err) {
    server.close();
    throw err;
  } finally {
    server.off("listening", onListening);
    server.off("error", onError);
  }
  if (error !== null) {
    server.close();
    throw error;
  }
  return server;
}
