/**
 * `createTcpListener`: listening TCP sockets as one `MultiListener`.
 *
 * @module
 */
import type { Server } from "node:net";
import { MultiListener, type WaitOptions } from "@anyio/core";
import { checkHost, checkPort, familyNumber, getaddrinfo } from "./dns.js";
import { listen } from "./internal/listen.js";
import { SocketListener } from "./socket-listener.js";
import type { SocketStream } from "./socket-stream.js";

/** Options of {@link createTcpListener}. */
export interface CreateTcpListenerOptions extends WaitOptions {
  /** Address or name to bind; unset: every interface, dual-stack where the host has IPv6. */
  localHost?: string;
  /** Port (default 0: an ephemeral port, the same for every listener created). */
  localPort?: number;
  /** Restrict to one family. */
  family?: "IPv4" | "IPv6" | 4 | 6;
  /** Accept queue length (default and cap 65536). */
  backlog?: number;
  /** SO_REUSEPORT (Node ≥ 22.12 / 23.1; an error on older Node). */
  reusePort?: boolean;
}

const SUPPORTS_REUSE_PORT = (() => {
  const [major, minor] = process.versions.node.split(".").map(Number) as [number, number];
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
})();

/**
 * Listens for TCP connections (AnyIO's `create_tcp_listener`). With no `localHost` (and no
 * `family`) one dual-stack socket on `::` serves IPv6 and IPv4 (or `0.0.0.0` without IPv6);
 * otherwise one listener per address `localHost` resolves to (IPv6 ones IPv6-only). With port
 * 0, every listener gets the port the first one was given. Returns a `MultiListener` of
 * {@link SocketListener}s (`.listeners`).
 *
 * @example
 * ```ts
 * await using listener = await createTcpListener({ localHost: "127.0.0.1" });
 * const port = listener.extra(SocketAttribute.localPort);
 * await listener.serve(async (stream) => { await stream.send(await stream.receive()); });
 * ```
 */
export async function createTcpListener(options: CreateTcpListenerOptions = {}): Promise<MultiListener<SocketStream>> {
  if (options === null || typeof options !== "object") throw new TypeError("createTcpListener(): options must be an object");
  const port = checkPort(options.localPort ?? 0, "localPort", "createTcpListener");
  const family = familyNumber(options.family, "createTcpListener");
  const backlogOption = options.backlog ?? 65536;
  if (typeof backlogOption !== "number" || !Number.isInteger(backlogOption) || backlogOption < 0) {
    throw new RangeError(`createTcpListener(): backlog must be a non-negative integer, got ${String(backlogOption)}`);
  }
  const backlog = Math.min(backlogOption, 65536);
  if (options.reusePort === true && !SUPPORTS_REUSE_PORT) {
    throw Object.assign(new Error(`createTcpListener(): reusePort needs Node ≥ 22.12 (this is ${process.versions.node})`), { code: "ERR_FEATURE_UNAVAILABLE_ON_PLATFORM" });
  }
  const wait: WaitOptions | undefined = options.signal !== undefined ? { signal: options.signal } : undefined;
  const extra = options.reusePort === true ? { reusePort: true } : {};

  let hosts: { address: string; ipv6Only: boolean }[];
  if (options.localHost === undefined) {
    if (family === 4) hosts = [{ address: "0.0.0.0", ipv6Only: false }];
    else if (family === 6) hosts = [{ address: "::", ipv6Only: true }];
    else hosts = [{ address: "", ipv6Only: false }]; // Node: "::" dual-stack, else 0.0.0.0
  } else {
    checkHost(options.localHost, "localHost", "createTcpListener");
    const infos = await getaddrinfo(options.localHost, port, { family, signal: options.signal });
    hosts = infos.map((i) => ({ address: i.address, ipv6Only: i.family === "IPv6" }));
  }

  for (let round = 0; ; round++) {
    const servers: Server[] = [];
    try {
      let chosen = port;
      for (const host of hosts) {
        const server = await listen(
          { ...(host.address === "" ? {} : { host: host.address }), port: chosen, backlog, ipv6Only: host.ipv6Only, ...extra },
          "createTcpListener",
          wait,
        );
        servers.push(server);
        if (chosen === 0) chosen = (server.address() as { port: number }).port;
      }
      return new MultiListener(servers.map((s) => new SocketListener(s)));
    } catch (err) {
      for (const s of servers) s.close();
      // Port 0: the first listener's ephemeral port was taken on another address; try again.
      const retry = port === 0 && hosts.length > 1 && (err as { code?: string }).code === "EADDRINUSE" && round < 10;
      if (!retry) throw err;
    }
  }
}
