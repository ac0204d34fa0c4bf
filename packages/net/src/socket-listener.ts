/**
 * `SocketListener`: accepts connections of a listening `net.Server`.
 *
 * @module
 */
import type { Server, Socket } from "node:net";
import {
  AsyncResourceBase,
  ClosedResourceError,
  checkpoint,
  isCancelled,
  withTaskGroup,
  type AttributeGetters,
  type Listener,
  type TaskContext,
  type TaskGroup,
  type TypedAttribute,
  type WaitOptions,
  requireMethods,
} from "@anyio/core";
import { SocketAttribute, type SocketFamily } from "./attributes.js";
import { brokenFrom } from "./internal/node-receiver.js";
import { Notifier } from "./internal/notifier.js";
import { SocketStream } from "./socket-stream.js";

/**
 * A listening TCP or Unix socket (AnyIO's `SocketListener`): `accept()` one connection, or
 * `serve(handler)` them all. Made by `createTcpListener` and `createUnixListener`.
 *
 * Node accepts connections as they come; they wait in the listener (each socket reading ahead
 * only up to its high-water mark) until `accept()` takes them. `aclose()` stops listening,
 * closes the connections nobody accepted yet, and wakes a blocked `accept()`/`serve()` with
 * `ClosedResourceError`.
 *
 * @example
 * ```ts
 * const listener = await createUnixListener("/tmp/app.sock");
 * const stream = await listener.listeners[0].accept();
 * ```
 */
export class SocketListener extends AsyncResourceBase implements Listener<SocketStream> {
  readonly #server: Server;
  readonly #notifier = new Notifier();
  readonly #queue: Socket[] = [];
  readonly #unixPath: string | undefined;
  readonly #family: SocketFamily;
  readonly #address: { address?: string; port?: number; family?: string };
  #closed = false;
  #error: unknown = undefined;

  /** @internal Made by the `create*Listener` functions from a listening server. */
  constructor(server: Server, unixPath?: string) {
    super();
    this.#server = requireMethods(server, ["address", "close", "on"], "SocketListener", "server");
    this.#unixPath = unixPath;
    const address = server.address();
    this.#address = typeof address === "object" && address !== null ? address : {};
    this.#family = unixPath !== undefined ? "unix" : this.#address.family === "IPv6" ? "IPv6" : "IPv4";
    server.on("connection", (socket: Socket) => {
      if (this.#closed) {
        socket.destroy();
        return;
      }
      // An error before accept() must not crash the process; the stream reports it later.
      socket.on("error", noop);
      this.#queue.push(socket);
      this.#notifier.notify();
    });
    server.on("error", (err: unknown) => {
      this.#error ??= err;
      this.#notifier.notify();
    });
  }

  /** The `net.Server` underneath. */
  get rawServer(): Server {
    return this.#server;
  }

  /** The bound port (IP listeners). */
  get port(): number | undefined {
    return this.#address.port;
  }

  /**
   * Waits for the next connection. A cancel point; a cancelled `accept()` takes no connection.
   *
   * @example
   * ```ts
   * const stream = await listener.accept();
   * ```
   */
  async accept(options?: WaitOptions): Promise<SocketStream> {
    if (this.#closed) throw new ClosedResourceError();
    await checkpoint(options);
    for (;;) {
      if (this.#closed) throw new ClosedResourceError();
      const socket = this.#queue.shift();
      if (socket !== undefined) return this.#wrap(socket);
      if (this.#error !== undefined) throw brokenFrom(this.#error, "the listener failed");
      await this.#notifier.wait("accept", "accept", options);
    }
  }

  /**
   * Accepts connections forever and runs `handler(stream)` for each in `taskGroup` (or a group
   * of its own, which `serve` waits for). The stream is closed when the handler returns. A
   * handler's error propagates through the task group (ending `serve`, as in AnyIO). Closing the
   * listener from another task ends `serve` with `ClosedResourceError` once the running
   * handlers are done.
   *
   * @example
   * ```ts
   * await listener.serve(async (stream) => {
   *   for await (const chunk of stream) await stream.send(chunk);
   * });
   * ```
   */
  async serve(handler: (stream: SocketStream, cx: TaskContext) => unknown, taskGroup?: TaskGroup, options?: WaitOptions): Promise<never> {
    if (typeof handler !== "function") throw new TypeError(`serve(): handler must be a function, got ${typeof handler}`);
    let closedError: unknown = undefined;
    await withTaskGroup(async (own) => {
      const group = taskGroup ?? own;
      for (;;) {
        let stream: SocketStream;
        try {
          stream = await this.accept(own.cancelScope);
        } catch (err) {
          if (err instanceof ClosedResourceError && !isCancelled(err)) {
            closedError = err;
            return;
          }
          throw err;
        }
        const start = (accepted: SocketStream): void => {
          group.startSoon(async (cx) => {
            try {
              await handler(accepted, cx);
            } finally {
              await accepted.aclose();
            }
          });
        };
        start(stream);
        // Connections that queued up meanwhile get their handlers now, without a schedule point
        // each: under a burst of clients the loop would otherwise take one connection per
        // scheduling round, competing with every running handler (tools/RELIABILITY.md, F8).
        for (let socket = this.#queue.shift(); socket !== undefined; socket = this.#queue.shift()) start(this.#wrap(socket));
      }
    }, options);
    throw closedError ?? new ClosedResourceError();
  }

  /** A connection taken from the queue, as the stream `accept()` returns. */
  #wrap(socket: Socket): SocketStream {
    socket.off("error", noop);
    return this.#unixPath !== undefined ? new SocketStream(socket, { localPath: this.#unixPath }) : new SocketStream(socket);
  }

  /**
   * Stops listening and destroys the connections that were never accepted; a running `serve()`
   * ends with `ClosedResourceError` once its handlers finish. Idempotent.
   */
  async aclose(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#notifier.notify();
    for (const socket of this.#queue.splice(0)) socket.destroy();
    const server = this.#server;
    // 'close' only comes once every accepted connection has ended too; the listening handle
    // itself is released by close() (libuv finishes it on the next loop turn).
    if (server.listening) server.close();
    // A schedule point when a task is at hand; closing is complete either way, so neither a
    // cancelled caller nor an explicit-context run without one (no ambient task) fails it.
    try {
      await checkpoint();
    } catch {
      // nothing left to do
    }
  }

  override get extraAttributes(): AttributeGetters {
    const getters = new Map<TypedAttribute<unknown>, () => unknown>([
      [SocketAttribute.family, () => this.#family],
      [SocketAttribute.rawSocket, () => this.#server],
      [SocketAttribute.localAddress, () => this.#unixPath ?? this.#address.address],
    ]);
    if (this.#unixPath === undefined) getters.set(SocketAttribute.localPort, () => this.#address.port);
    return getters;
  }
}

function noop(): void {}
