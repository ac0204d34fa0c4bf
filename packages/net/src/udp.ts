/**
 * UDP sockets on `node:dgram`: `createUdpSocket` and `createConnectedUdpSocket`.
 *
 * @module
 */
import { createSocket, type RemoteInfo, type Socket as DgramSocket } from "node:dgram";
import { isIP } from "node:net";
import {
  AsyncResourceBase,
  BusyResourceError,
  ClosedResourceError,
  EndOfStream,
  checkBytes,
  checkpoint,
  isCancelled,
  type AttributeGetters,
  type TypedAttribute,
  type UnreliableObjectStream,
  type WaitOptions,
  requireMethods,
} from "@anyio/core";
import { SocketAttribute } from "./attributes.js";
import { checkHost, checkPort, familyNumber, getaddrinfo } from "./dns.js";
import { brokenFrom } from "./internal/node-receiver.js";
import { Notifier } from "./internal/notifier.js";

/** A datagram and its address: `[data, [host, port]]`. */
export type UDPPacket = [data: Uint8Array, address: [host: string, port: number]];

/** How many received datagrams wait for `receive()` before new ones are dropped (as a full kernel buffer would). */
const MAX_QUEUED = 1024;

/** Shared machinery of both UDP socket kinds. */
class UdpCore {
  readonly socket: DgramSocket;
  readonly notifier = new Notifier();
  readonly queue: [Uint8Array, RemoteInfo][] = [];
  closed = false;
  receiveBusy = false;
  error: unknown = undefined;
  dropped = 0;

  constructor(socket: DgramSocket) {
    this.socket = socket;
    socket.on("message", (msg: Buffer, rinfo: RemoteInfo) => {
      if (this.queue.length >= MAX_QUEUED) {
        this.dropped++;
        return;
      }
      this.queue.push([msg, rinfo]);
      this.notifier.notify();
    });
    socket.on("error", (err: unknown) => {
      this.error ??= err;
      this.notifier.notify();
    });
    socket.on("close", () => this.notifier.notify());
  }

  async receive(options: WaitOptions | undefined): Promise<[Uint8Array, RemoteInfo]> {
    if (this.closed) throw new ClosedResourceError();
    if (this.receiveBusy) throw new BusyResourceError("receiving from");
    this.receiveBusy = true;
    try {
      await checkpoint(options);
      for (;;) {
        if (this.closed) throw new ClosedResourceError();
        const item = this.queue.shift();
        if (item !== undefined) return item;
        if (this.error !== undefined) {
          // ICMP errors (ECONNREFUSED on connected sockets) are reported once, like the kernel does.
          const err = this.error;
          this.error = undefined;
          throw brokenFrom(err, "UDP socket error");
        }
        await this.notifier.wait("datagram", "receive", options);
      }
    } finally {
      this.receiveBusy = false;
    }
  }

  /** Sends one datagram; resolves when the kernel took it. Cancelled before the send: nothing sent. */
  async send(data: Uint8Array, port: number | undefined, host: string | undefined, options: WaitOptions | undefined): Promise<void> {
    checkBytes(data);
    if (this.closed) throw new ClosedResourceError();
    await checkpoint(options);
    if (this.closed) throw new ClosedResourceError();
    let done = false;
    let error: Error | null = null;
    const callback = (err: Error | null): void => {
      done = true;
      error = err;
      this.notifier.notify();
    };
    if (port === undefined) this.socket.send(data, callback);
    else this.socket.send(data, port, host, callback);
    // Handed to the socket: a cancellation now cannot unsend it, so it does not throw.
    try {
      while (!done && !this.closed) await this.notifier.wait("datagram sent", "send", options);
    } catch (err) {
      if (!isCancelled(err)) throw err;
    }
    if (error !== null) throw brokenFrom(error, "UDP send failed");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.notifier.notify();
    let done = false;
    const notifier = new Notifier();
    try {
      this.socket.close(() => {
        done = true;
        notifier.notify();
      });
    } catch {
      return; // already closed
    }
    while (!done) await notifier.wait("UDP close", "aclose", undefined, false);
  }

  attributes(connected: boolean): AttributeGetters {
    const s = this.socket;
    let local: { address?: string; port?: number; family?: string } = {};
    try {
      local = s.address();
    } catch {
      // not bound yet
    }
    const getters = new Map<TypedAttribute<unknown>, () => unknown>([
      [SocketAttribute.family, () => (local.family === "IPv6" ? "IPv6" : "IPv4")],
      [SocketAttribute.localAddress, () => local.address],
      [SocketAttribute.localPort, () => local.port],
      [SocketAttribute.rawSocket, () => s],
    ]);
    if (connected) {
      const remote = s.remoteAddress();
      getters.set(SocketAttribute.remoteAddress, () => remote.address);
      getters.set(SocketAttribute.remotePort, () => remote.port);
    }
    return getters;
  }
}

/**
 * An unconnected UDP socket (AnyIO's `UDPSocket`): `receive()` gives `[data, [host, port]]`,
 * `send([data, [host, port]])` / `sendto(data, host, port)` send one datagram. Iterating yields
 * packets until the socket is closed.
 *
 * @example
 * ```ts
 * await using udp = await createUdpSocket({ localHost: "127.0.0.1" });
 * await udp.sendto(new TextEncoder().encode("ping"), "127.0.0.1", peerPort);
 * const [data, [host, port]] = await udp.receive();
 * ```
 */
export class UDPSocket extends AsyncResourceBase implements UnreliableObjectStream<UDPPacket> {
  readonly #core: UdpCore;

  /** @internal */
  constructor(socket: DgramSocket) {
    super();
    this.#core = new UdpCore(requireMethods(socket, ["send", "on", "address"], "UDPSocket", "socket"));
  }

  /** Datagrams dropped because `receive()` fell more than 1024 behind. */
  get droppedCount(): number {
    return this.#core.dropped;
  }

  async receive(options?: WaitOptions): Promise<UDPPacket> {
    const [data, rinfo] = await this.#core.receive(options);
    return [data, [rinfo.address, rinfo.port]];
  }

  send(item: UDPPacket, options?: WaitOptions): Promise<void> {
    if (!Array.isArray(item) || !Array.isArray(item[1])) throw new TypeError("UDPSocket.send(): item must be [data, [host, port]]");
    const [data, [host, port]] = item;
    return this.sendto(data, host, port, options);
  }

  /**
   * Sends one datagram to `host:port` (AnyIO's `sendto`); the same as
   * `send([data, [host, port]])`. A checkpoint.
   */
  sendto(data: Uint8Array, host: string, port: number, options?: WaitOptions): Promise<void> {
    checkHost(host, "host", "sendto");
    checkPort(port, "port", "sendto");
    return this.#core.send(data, port, host, options);
  }

  /** Yields received packets until the socket is closed. */
  [Symbol.asyncIterator](): AsyncGenerator<UDPPacket, void, undefined> {
    return receiveUntilClosed(() => this.receive());
  }

  /**
   * Closes the socket and waits until Node released it; a `receive()` blocked in another task
   * wakes with `ClosedResourceError`. Idempotent.
   */
  aclose(): Promise<void> {
    return this.#core.close();
  }

  override get extraAttributes(): AttributeGetters {
    return this.#core.attributes(false);
  }
}

/**
 * Iterates `receive()` until the socket is closed (here or from another task) or ends: both UDP
 * socket kinds iterate this way, unlike core's receive-stream bases, which only end on
 * `EndOfStream`.
 */
async function* receiveUntilClosed<T>(receive: () => Promise<T>): AsyncGenerator<T, void, undefined> {
  for (;;) {
    try {
      yield await receive();
    } catch (err) {
      if (err instanceof ClosedResourceError || err instanceof EndOfStream) return;
      throw err;
    }
  }
}

/**
 * A connected UDP socket (AnyIO's `ConnectedUDPSocket`): bytes in and out, to and from one peer.
 *
 * @example
 * ```ts
 * await using udp = await createConnectedUdpSocket("127.0.0.1", port);
 * await udp.send(new Uint8Array([1]));
 * const reply = await udp.receive();
 * ```
 */
export class ConnectedUDPSocket extends AsyncResourceBase implements UnreliableObjectStream<Uint8Array> {
  readonly #core: UdpCore;

  /** @internal */
  constructor(socket: DgramSocket) {
    super();
    this.#core = new UdpCore(requireMethods(socket, ["send", "on", "address"], "ConnectedUDPSocket", "socket"));
  }

  async receive(options?: WaitOptions): Promise<Uint8Array> {
    return (await this.#core.receive(options))[0];
  }

  send(data: Uint8Array, options?: WaitOptions): Promise<void> {
    return this.#core.send(data, undefined, undefined, options);
  }

  /** Yields received datagrams until the socket is closed. */
  [Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    return receiveUntilClosed(() => this.receive());
  }

  /**
   * Closes the socket and waits until Node released it; a `receive()` blocked in another task
   * wakes with `ClosedResourceError`. Idempotent.
   */
  aclose(): Promise<void> {
    return this.#core.close();
  }

  override get extraAttributes(): AttributeGetters {
    return this.#core.attributes(true);
  }
}

/** Options of {@link createUdpSocket}. */
export interface CreateUdpSocketOptions extends WaitOptions {
  /** The address family; required unless `localHost` is given (then its family is used). */
  family?: "IPv4" | "IPv6" | 4 | 6;
  /** The local address (or a name, resolved) to bind to. */
  localHost?: string;
  /** The local port to bind to (default 0: the OS picks a free one). */
  localPort?: number;
  /** SO_REUSEADDR on the socket (Node's dgram `reuseAddr`), so several sockets can bind one port. */
  reusePort?: boolean;
}

async function resolveFamily(host: string | undefined, family: 0 | 4 | 6, caller: string, options: WaitOptions | undefined): Promise<{ address: string | undefined; family: 4 | 6 }> {
  if (host === undefined) {
    if (family === 0) throw new TypeError(`${caller}(): either "family" or "localHost" must be given`);
    return { address: undefined, family };
  }
  checkHost(host, "localHost", caller);
  const literal = isIP(host);
  if (literal !== 0) return { address: host, family: literal as 4 | 6 };
  const [first] = await getaddrinfo(host, 0, { family, signal: options?.signal });
  if (first === undefined) throw Object.assign(new Error(`${caller}(): ${host} did not resolve`), { code: "ENOTFOUND" });
  return { address: first.address, family: first.family === "IPv6" ? 6 : 4 };
}

async function bindOrConnect(socket: DgramSocket, start: (done: () => void) => void, caller: string, options: WaitOptions | undefined): Promise<void> {
  const notifier = new Notifier();
  let done = false;
  let error: Error | null = null;
  const onError = (err: Error): void => {
    error ??= err;
    notifier.notify();
  };
  socket.once("error", onError);
  try {
    start(() => {
      done = true;
      notifier.notify();
    });
    while (!done && error === null) await notifier.wait(caller, caller, options);
  } catch (err) {
    await closeQuietly(socket);
    throw err;
  } finally {
    socket.off("error", onError);
  }
  if (error !== null) {
    await closeQuietly(socket);
    throw error;
  }
}

async function closeQuietly(socket: DgramSocket): Promise<void> {
  const notifier = new Notifier();
  let closed = false;
  try {
    socket.close(() => {
      closed = true;
      notifier.notify();
    });
  } catch {
    return;
  }
  while (!closed) await notifier.wait("UDP close", "aclose", undefined, false);
}

/**
 * Creates a UDP socket bound to `localHost:localPort` (AnyIO's `create_udp_socket`); one of
 * `family` and `localHost` is required.
 *
 * @example
 * ```ts
 * await using udp = await createUdpSocket({ localHost: "127.0.0.1", localPort: 0 });
 * const port = udp.extra(SocketAttribute.localPort);
 * ```
 */
export async function createUdpSocket(options: CreateUdpSocketOptions = {}): Promise<UDPSocket> {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`createUdpSocket(): options must be an object, got ${options === null ? "null" : typeof options}`);
  }
  const wanted = familyNumber(options.family, "createUdpSocket");
  const localPort = checkPort(options.localPort ?? 0, "localPort", "createUdpSocket");
  const { address, family } = await resolveFamily(options.localHost, wanted, "createUdpSocket", options);
  const socket = createSocket({ type: family === 6 ? "udp6" : "udp4", reuseAddr: options.reusePort === true });
  await bindOrConnect(socket, (done) => socket.bind({ port: localPort, address }, done), "createUdpSocket", options);
  return new UDPSocket(socket);
}

/** Options of {@link createConnectedUdpSocket}. */
export type CreateConnectedUdpSocketOptions = CreateUdpSocketOptions;

/**
 * Creates a UDP socket connected to `remoteHost:remotePort` (AnyIO's
 * `create_connected_udp_socket`): it only exchanges datagrams with that peer.
 *
 * @example
 * ```ts
 * await using udp = await createConnectedUdpSocket("127.0.0.1", 5353);
 * ```
 */
export async function createConnectedUdpSocket(remoteHost: string, remotePort: number, options: CreateConnectedUdpSocketOptions = {}): Promise<ConnectedUDPSocket> {
  checkHost(remoteHost, "remoteHost", "createConnectedUdpSocket");
  checkPort(remotePort, "remotePort", "createConnectedUdpSocket");
  const wanted = familyNumber(options.family, "createConnectedUdpSocket");
  const localPort = checkPort(options.localPort ?? 0, "localPort", "createConnectedUdpSocket");
  let family: 4 | 6;
  let localAddress: string | undefined;
  if (options.localHost !== undefined) {
    ({ address: localAddress, family } = await resolveFamily(options.localHost, wanted, "createConnectedUdpSocket", options));
  } else {
    const literal = isIP(remoteHost);
    if (literal !== 0) family = literal as 4 | 6;
    else {
      const [first] = await getaddrinfo(remoteHost, remotePort, { family: wanted, signal: options.signal });
      if (first === undefined) throw Object.assign(new Error(`createConnectedUdpSocket(): ${remoteHost} did not resolve`), { code: "ENOTFOUND" });
      family = first.family === "IPv6" ? 6 : 4;
    }
  }
  const socket = createSocket({ type: family === 6 ? "udp6" : "udp4", reuseAddr: options.reusePort === true });
  if (localAddress !== undefined || localPort !== 0) {
    await bindOrConnect(socket, (done) => socket.bind({ port: localPort, address: localAddress }, done), "createConnectedUdpSocket", options);
  }
  await bindOrConnect(socket, (done) => socket.connect(remotePort, remoteHost, done), "createConnectedUdpSocket", options);
  return new ConnectedUDPSocket(socket);
}
