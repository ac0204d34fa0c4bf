/**
 * Name resolution on `node:dns` (the system resolver, as `getaddrinfo(3)`), cancellable.
 *
 * @module
 */
import { lookup, lookupService } from "node:dns/promises";
import { isIP } from "node:net";
import { awaitCancellable, type WaitOptions } from "@anyio/core";
import type { SocketFamily } from "./attributes.js";

/** One result of {@link getaddrinfo}. */
export interface AddrInfo {
  /** `"IPv4"` or `"IPv6"`. */
  family: Exclude<SocketFamily, "unix">;
  /** The address (IPv6 link-local ones carry their `%scope`). */
  address: string;
  /** The port that was asked for. */
  port: number;
}

/** Options of {@link getaddrinfo}. */
export interface GetaddrinfoOptions extends WaitOptions {
  /** Restrict to one family: `"IPv4"`/`4` or `"IPv6"`/`6`. Default: both. */
  family?: "IPv4" | "IPv6" | 4 | 6 | 0 | undefined;
}

/** `"IPv4"`/`4` → 4, `"IPv6"`/`6` → 6, unset → 0. */
export function familyNumber(family: unknown, caller: string): 0 | 4 | 6 {
  if (family === undefined || family === 0 || family === null) return 0;
  if (family === 4 || family === "IPv4") return 4;
  if (family === 6 || family === "IPv6") return 6;
  throw new TypeError(`${caller}(): family must be "IPv4", "IPv6", 4 or 6, got ${String(family)}`);
}

/** Validates a port number. */
export function checkPort(port: unknown, name: string, caller: string): number {
  if (typeof port !== "number" || !Number.isInteger(port)) throw new TypeError(`${caller}(): ${name} must be an integer, got ${String(port)}`);
  if (port < 0 || port > 65535) throw new RangeError(`${caller}(): ${name} must be in 0..65535, got ${port}`);
  return port;
}

/** Validates a host name or address. */
export function checkHost(host: unknown, name: string, caller: string): string {
  if (typeof host !== "string") throw new TypeError(`${caller}(): ${name} must be a string, got ${host === null ? "null" : typeof host}`);
  if (host.length === 0) throw new RangeError(`${caller}(): ${name} must not be empty`);
  return host;
}

/**
 * Resolves `host` to its addresses, in the resolver's order (AnyIO's `getaddrinfo`). A cancel
 * point: cancelled, the lookup is abandoned (the system call itself runs on to completion in
 * libuv's thread pool; its result is dropped). Errors are Node's (`code` `"ENOTFOUND"`…).
 *
 * @example
 * ```ts
 * for (const { family, address } of await getaddrinfo("localhost", 80)) console.log(family, address);
 * ```
 */
export async function getaddrinfo(host: string, port: number, options?: GetaddrinfoOptions): Promise<AddrInfo[]> {
  checkHost(host, "host", "getaddrinfo");
  checkPort(port, "port", "getaddrinfo");
  const family = familyNumber(options?.family, "getaddrinfo");
  const literal = isIP(host);
  if (literal !== 0) {
    if (family !== 0 && family !== literal) {
      throw Object.assign(new Error(`getaddrinfo ${host}: address family mismatch`), { code: "EAI_ADDRFAMILY" });
    }
  }
  const results = await awaitCancellable(lookup(host, { all: true, family, verbatim: true }), options);
  const seen = new Set<string>();
  const out: AddrInfo[] = [];
  for (const r of results) {
    if (seen.has(r.address)) continue;
    seen.add(r.address);
    out.push({ family: r.family === 6 ? "IPv6" : "IPv4", address: r.address, port });
  }
  return out;
}

/**
 * Reverse lookup of an address and port to a host name and service name (AnyIO's
 * `getnameinfo`). Cancellable like {@link getaddrinfo}.
 *
 * @example
 * ```ts
 * const [host, service] = await getnameinfo("127.0.0.1", 22); // ["localhost", "ssh"]
 * ```
 */
export async function getnameinfo(address: string, port: number, options?: WaitOptions): Promise<[host: string, service: string]> {
  checkHost(address, "address", "getnameinfo");
  if (isIP(address) === 0) throw new TypeError(`getnameinfo(): address must be an IP address, got ${JSON.stringify(address)}`);
  checkPort(port, "port", "getnameinfo");
  const { hostname, service } = await awaitCancellable(lookupService(address, port), options);
  return [hostname, service];
}
