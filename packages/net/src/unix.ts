/**
 * Unix domain stream sockets: `connectUnix` and `createUnixListener`.
 *
 * @module
 */
import { lstat, unlink, chmod } from "node:fs/promises";
import { awaitCancellable, type WaitOptions } from "@anyio/core";
import { connectSocket } from "./internal/connect-socket.js";
import { destroyAndWait } from "./internal/destroy.js";
import { listen } from "./internal/listen.js";
import { SocketListener } from "./socket-listener.js";
import { SocketStream } from "./socket-stream.js";

function checkPath(path: unknown, caller: string): string {
  if (typeof path !== "string") throw new TypeError(`${caller}(): path must be a string, got ${path === null ? "null" : typeof path}`);
  if (path.length === 0) throw new RangeError(`${caller}(): path must not be empty`);
  return path;
}

/**
 * Connects to a Unix socket (AnyIO's `connect_unix`). Linux abstract names start with `"\0"`.
 *
 * @example
 * ```ts
 * await using stream = await connectUnix("/run/app.sock");
 * ```
 */
export async function connectUnix(path: string, options?: WaitOptions): Promise<SocketStream> {
  checkPath(path, "connectUnix");
  const socket = await connectSocket({ path }, "connectUnix", options);
  return new SocketStream(socket, { path });
}

/** Options of {@link createUnixListener}. */
export interface CreateUnixListenerOptions extends WaitOptions {
  /** Permissions of the socket file (e.g. `0o600`). */
  mode?: number;
  /** Accept queue length (default and cap 65536). */
  backlog?: number;
}

/**
 * Listens on a Unix socket (AnyIO's `create_unix_listener`). A socket file left at `path` by a
 * dead server (nothing accepts on it) is replaced; a live one, or any other kind of file, is an
 * `EADDRINUSE` error. The file is not deleted on close (as in AnyIO).
 *
 * @example
 * ```ts
 * await using listener = await createUnixListener("/tmp/app.sock", { mode: 0o600 });
 * await listener.serve(async (stream) => { … });
 * ```
 */
export async function createUnixListener(path: string, options: CreateUnixListenerOptions = {}): Promise<SocketListener> {
  checkPath(path, "createUnixListener");
  const backlogOption = options.backlog ?? 65536;
  if (typeof backlogOption !== "number" || !Number.isInteger(backlogOption) || backlogOption < 0) {
    throw new RangeError(`createUnixListener(): backlog must be a non-negative integer, got ${String(backlogOption)}`);
  }
  if (options.mode !== undefined && (typeof options.mode !== "number" || !Number.isInteger(options.mode) || options.mode < 0 || options.mode > 0o7777)) {
    throw new RangeError(`createUnixListener(): mode must be a file mode such as 0o600, got ${String(options.mode)}`);
  }
  const wait: WaitOptions | undefined = options.signal !== undefined ? { signal: options.signal } : undefined;
  if (!path.startsWith("\0")) await removeStaleSocket(path, wait);
  const server = await listen({ path, backlog: Math.min(backlogOption, 65536) }, "createUnixListener", wait);
  const listener = new SocketListener(server, path);
  if (options.mode !== undefined && !path.startsWith("\0")) {
    try {
      await awaitCancellable(chmod(path, options.mode), wait);
    } catch (err) {
      await listener.aclose();
      throw err;
    }
  }
  return listener;
}

async function removeStaleSocket(path: string, wait: WaitOptions | undefined): Promise<void> {
  let stats;
  try {
    stats = await awaitCancellable(lstat(path), wait);
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") return;
    throw err;
  }
  const inUse = (what: string) => Object.assign(new Error(`createUnixListener(): ${path} ${what}`), { code: "EADDRINUSE", path });
  if (!stats.isSocket()) throw inUse("exists and is not a socket");
  try {
    const probe = await connectSocket({ path }, "createUnixListener", wait);
    await destroyAndWait(probe, wait);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ECONNREFUSED" || code === "ENOENT") {
      await awaitCancellable(unlink(path), wait).catch((e: unknown) => {
        if ((e as { code?: string }).code !== "ENOENT") throw e;
      });
      return;
    }
    throw err;
  }
  throw inUse("is a socket another process is listening on");
}
