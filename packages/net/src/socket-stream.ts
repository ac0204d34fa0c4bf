/**
 * `SocketStream`: a `ByteStream` over a connected `net.Socket` (TCP or Unix).
 *
 * @module
 */
import type { Socket } from "node:net";
import { mergeAttributes, type AttributeGetters, type TypedAttribute, requireMethods } from "@anyio/core";
import { SocketAttribute, socketFamily, type SocketFamily } from "./attributes.js";
import { NodeByteStream } from "./node-streams.js";

/**
 * A connected TCP or Unix stream socket (AnyIO's `SocketStream`). Made by `connectTcp`,
 * `connectUnix` and listeners; wrap a socket of your own with {@link SocketStream.fromSocket}.
 *
 * Stream rules: `receive()` returns what the kernel delivered (never an empty chunk; data that
 * came with the peer's FIN first, then `EndOfStream`); `send()` resolves once the kernel took
 * the bytes; `sendEof()` half-closes; a reset connection is a `BrokenResourceError` whose cause
 * is Node's error (`code` kept, e.g. `"ECONNRESET"`); after `aclose()` everything throws
 * `ClosedResourceError`. TCP sockets have `TCP_NODELAY` on.
 *
 * @example
 * ```ts
 * await using stream = await connectTcp("127.0.0.1", 8000);
 * await stream.send(new TextEncoder().encode("hello"));
 * await stream.sendEof();
 * for await (const chunk of stream) console.log(chunk);
 * ```
 */
export class SocketStream extends NodeByteStream {
  readonly #socket: Socket;
  readonly #family: SocketFamily;
  readonly #path: string | undefined;
  readonly #localPath: string | undefined;
  /** Addresses as they were when connected: still answer after close. */
  readonly #local: { address?: string; port?: number };
  readonly #remote: { address?: string | undefined; port?: number | undefined };

  /** @internal Use {@link SocketStream.fromSocket}. */
  constructor(socket: Socket, unix?: { path?: string; localPath?: string }) {
    super(requireMethods(socket, ["read", "write", "on", "address"], "SocketStream", "socket"));
    this.#socket = socket;
    this.#family = unix !== undefined ? "unix" : socketFamily(socket);
    this.#path = unix?.path;
    this.#localPath = unix?.localPath;
    this.#local = this.#family === "unix" ? {} : (socket.address() as { address?: string; port?: number });
    this.#remote = { address: socket.remoteAddress, port: socket.remotePort };
    if (this.#family !== "unix") socket.setNoDelay(true);
  }

  /**
   * Wraps a connected `net.Socket`. It must have been created with `allowHalfOpen: true` for
   * `sendEof()`/half-close to work (otherwise Node closes the write side on the peer's FIN).
   *
   * @example
   * ```ts
   * const raw = net.connect({ host: "127.0.0.1", port, allowHalfOpen: true });
   * await once(raw, "connect");
   * const stream = SocketStream.fromSocket(raw);
   * ```
   */
  static fromSocket(socket: Socket): SocketStream {
    if (socket === null || typeof socket !== "object" || typeof (socket as Socket).setNoDelay !== "function") {
      throw new TypeError(`SocketStream.fromSocket(): socket must be a net.Socket, got ${typeof socket}`);
    }
    if (socket.connecting || socket.destroyed) {
      throw new RangeError("SocketStream.fromSocket(): the socket must be connected");
    }
    const isIp = socket.remoteFamily !== undefined;
    return isIp ? new SocketStream(socket) : new SocketStream(socket, {});
  }

  /** The `net.Socket` underneath. */
  get rawSocket(): Socket {
    return this.#socket;
  }

  override get extraAttributes(): AttributeGetters {
    const s = this.#socket;
    const getters = new Map<TypedAttribute<unknown>, () => unknown>([
      [SocketAttribute.family, () => this.#family],
      [SocketAttribute.rawSocket, () => s],
    ]);
    if (this.#family === "unix") {
      getters.set(SocketAttribute.localAddress, () => this.#localPath ?? "");
      if (this.#path !== undefined) getters.set(SocketAttribute.remoteAddress, () => this.#path);
    } else {
      const local = this.#local;
      const remote = this.#remote;
      getters.set(SocketAttribute.localAddress, () => local.address);
      getters.set(SocketAttribute.localPort, () => local.port);
      getters.set(SocketAttribute.remoteAddress, () => remote.address);
      getters.set(SocketAttribute.remotePort, () => remote.port);
    }
    return mergeAttributes(getters);
  }
}
