/**
 * `connectTcp`: TCP connections with AnyIO's happy eyeballs, optionally wrapped in TLS.
 *
 * @module
 */
import { isIP, type SocketConnectOpts } from "node:net";
import type { SecureContext } from "node:tls";
import { acloseForcefully, isCancelled, moveOnAfter, withTaskGroup, type WaitOptions } from "@anyio/core";
import { ConnectionFailed } from "./errors.js";
import { checkHost, checkPort, getaddrinfo, type AddrInfo } from "./dns.js";
import { connectSocket } from "./internal/connect-socket.js";
import { destroyAndWait } from "./internal/destroy.js";
import { Notifier } from "./internal/notifier.js";
import { SocketStream } from "./socket-stream.js";
import { TLSStream } from "./tls-stream.js";
import type { Socket } from "node:net";

/** Options of {@link connectTcp}. */
export interface ConnectTcpOptions extends WaitOptions {
  /** Local address to bind before connecting (its family restricts the remote addresses tried). */
  localHost?: string;
  /** Local port to bind before connecting. */
  localPort?: number;
  /** Milliseconds before the next attempt starts while the previous one is pending (default 250). */
  happyEyeballsDelay?: number;
  /** Wrap the connection in TLS (implied by `tlsHostname` or `secureContext`). */
  tls?: boolean;
  /** Server name for SNI and certificate verification (default: `host`). */
  tlsHostname?: string;
  /** The TLS settings (`tls.createSecureContext({ ca, cert, key… })`); default: Node's defaults. */
  secureContext?: SecureContext;
  /** Alias of `secureContext` (AnyIO's `ssl_context`). */
  sslContext?: SecureContext;
  /** Verify the server's certificate (default true). */
  rejectUnauthorized?: boolean;
  /** ALPN protocols to offer. */
  alpnProtocols?: string[];
  /** See `TLSStream.wrap` (default true). */
  tlsStandardCompatible?: boolean;
  /**
   * Name resolution (default {@link getaddrinfo}): an extension over AnyIO for service
   * discovery, split-horizon setups and tests. Returns candidates in resolver order.
   */
  resolver?: (host: string, port: number, options: { family: 0 | 4 | 6; signal?: AbortSignal | undefined }) => Promise<AddrInfo[]>;
}

/**
 * AnyIO's ordering: the first IPv6 result, then the first IPv4 result (when both families are
 * present), then the rest in resolver order.
 *
 * @example
 * ```ts
 * happyEyeballsOrder([
 *   { family: "IPv4", address: "10.0.0.1", port: 80 },
 *   { family: "IPv4", address: "10.0.0.2", port: 80 },
 *   { family: "IPv6", address: "fd00::1", port: 80 },
 * ]).map((a) => a.address); // ["fd00::1", "10.0.0.1", "10.0.0.2"]
 * ```
 */
export function happyEyeballsOrder(infos: readonly AddrInfo[]): AddrInfo[] {
  if (!Array.isArray(infos)) throw new TypeError(`happyEyeballsOrder(): infos must be an array of AddrInfo, got ${infos === null ? "null" : typeof infos}`);
  const v6 = infos.findIndex((i) => i.family === "IPv6");
  const v4 = infos.findIndex((i) => i.family === "IPv4");
  if (v6 === -1 || v4 === -1) return [...infos];
  return [infos[v6]!, infos[v4]!, ...infos.filter((_, k) => k !== v6 && k !== v4)];
}

/**
 * Connects to `host:port` over TCP (AnyIO's `connect_tcp`): an IP literal gets one attempt;
 * a name is resolved and the addresses are tried with happy eyeballs — IPv6 first, the first
 * IPv4 address second, the rest in resolver order; each attempt starts when the previous one
 * failed or `happyEyeballsDelay` ms after it started. The first connection wins and cancels
 * the other attempts (a connection that still completes is closed). When every attempt fails,
 * throws {@link ConnectionFailed} whose `cause` holds every attempt's error; resolution errors
 * are thrown as they are.
 *
 * With `tls` (or `tlsHostname`/`secureContext`), returns a `TLSStream` after the handshake;
 * a failed handshake closes the socket.
 *
 * @example
 * ```ts
 * await using stream = await connectTcp("localhost", 8080, { happyEyeballsDelay: 100 });
 * await using secure = await connectTcp("example.com", 443, { tls: true, alpnProtocols: ["http/1.1"] });
 * ```
 */
export async function connectTcp(
  host: string,
  port: number,
  options?: ConnectTcpOptions & { tls?: false; tlsHostname?: undefined; secureContext?: undefined; sslContext?: undefined },
): Promise<SocketStream>;
export async function connectTcp(host: string, port: number, options?: ConnectTcpOptions & { tls: true }): Promise<TLSStream>;
export async function connectTcp(host: string, port: number, options?: ConnectTcpOptions): Promise<SocketStream | TLSStream>;
export async function connectTcp(host: string, port: number, options: ConnectTcpOptions = {}): Promise<SocketStream | TLSStream> {
  checkHost(host, "host", "connectTcp");
  checkPort(port, "port", "connectTcp");
  if (options === null || typeof options !== "object") throw new TypeError(`connectTcp(): options must be an object`);
  const delay = options.happyEyeballsDelay ?? 250;
  if (typeof delay !== "number" || Number.isNaN(delay)) throw new RangeError(`connectTcp(): happyEyeballsDelay must be a number of ms, got ${String(delay)}`);
  if (options.localHost !== undefined) checkHost(options.localHost, "localHost", "connectTcp");
  if (options.localPort !== undefined) checkPort(options.localPort, "localPort", "connectTcp");
  const wait: WaitOptions | undefined = options.signal !== undefined ? { signal: options.signal } : undefined;

  let localAddress: string | undefined;
  let family: 0 | 4 | 6 = 0;
  if (options.localHost !== undefined) {
    const literal = isIP(options.localHost);
    if (literal !== 0) {
      localAddress = options.localHost;
      family = literal as 4 | 6;
    } else {
      const [first] = await getaddrinfo(options.localHost, 0, wait);
      if (first === undefined) throw Object.assign(new Error(`connectTcp(): localHost ${options.localHost} did not resolve`), { code: "ENOTFOUND" });
      localAddress = first.address;
      family = first.family === "IPv6" ? 6 : 4;
    }
  }

  let targets: AddrInfo[];
  const literal = isIP(host);
  if (literal !== 0) {
    targets = [{ family: literal === 6 ? "IPv6" : "IPv4", address: host, port }];
  } else {
    const resolve = options.resolver ?? ((h, p, o) => getaddrinfo(h, p, { family: o.family, signal: o.signal }));
    targets = happyEyeballsOrder(await resolve(host, port, { family, signal: options.signal }));
    if (targets.length === 0) throw Object.assign(new Error(`connectTcp(): ${host} resolved to no addresses`), { code: "ENOTFOUND" });
  }

  const socket = await happyEyeballs(targets, port, localAddress, options.localPort, delay, wait);
  const stream = new SocketStream(socket);
  const secureContext = options.secureContext ?? options.sslContext;
  if (options.tls !== true && options.tlsHostname === undefined && secureContext === undefined) return stream;
  try {
    return await TLSStream.wrap(stream, {
      hostname: options.tlsHostname ?? host,
      secureContext,
      rejectUnauthorized: options.rejectUnauthorized,
      alpnProtocols: options.alpnProtocols,
      standardCompatible: options.tlsStandardCompatible ?? true,
      signal: options.signal,
    });
  } catch (err) {
    await acloseForcefully(stream);
    throw err;
  }
}

async function happyEyeballs(
  targets: readonly AddrInfo[],
  port: number,
  localAddress: string | undefined,
  localPort: number | undefined,
  delay: number,
  wait: WaitOptions | undefined,
): Promise<Socket> {
  const errors: unknown[] = [];
  let winner: Socket | null = null;
  try {
    await withTaskGroup(async (tg) => {
      for (let i = 0; i < targets.length; i++) {
        const target = targets[i]!;
        const finished = new Notifier();
        let done = false;
        tg.startSoon(async (cx) => {
          try {
            const connectOptions: SocketConnectOpts = { host: target.address, port, family: target.family === "IPv6" ? 6 : 4 };
            if (localAddress !== undefined) connectOptions.localAddress = localAddress;
            if (localPort !== undefined) connectOptions.localPort = localPort;
            const socket = await connectSocket(connectOptions, "connectTcp", cx);
            if (winner === null) {
              winner = socket;
              tg.cancel("happy eyeballs: a connection attempt succeeded");
            } else {
              await destroyAndWait(socket, cx); // a later success: not needed
            }
          } catch (err) {
            if (isCancelled(err)) throw err;
            errors[i] = err;
          } finally {
            done = true;
            finished.notify();
          }
        }, { name: `connectTcp attempt ${i + 1}: ${target.address}` });
        if (i === targets.length - 1) break;
        // Start the next attempt when this one finishes (failed) or after the delay.
        const scope = tg.cancelScope;
        await moveOnAfter(delay, scope).run(async (timer) => {
          while (!done) await finished.wait("happy eyeballs attempt", "connectTcp", timer);
        }, scope);
      }
    }, wait);
  } catch (err) {
    if (winner !== null) await destroyAndWait(winner, wait);
    throw err;
  }
  if (winner !== null) return winner;
  const all = errors.filter((e) => e !== undefined);
  throw new ConnectionFailed(
    targets.length === 1 ? `Could not connect to ${targets[0]!.address}:${port}` : "All connection attempts failed",
    all,
  );
}
