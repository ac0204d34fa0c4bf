/**
 * Typed attributes of sockets and TLS streams (AnyIO's `SocketAttribute`, `TLSAttribute`).
 *
 * @module
 */
import type { Socket } from "node:net";
import type { PeerCertificate, TLSSocket, CipherNameAndProtocol } from "node:tls";
import { typedAttribute } from "@anyio/core";

/** Address family of a socket. */
export type SocketFamily = "IPv4" | "IPv6" | "unix";

/**
 * Attributes of socket streams, listeners and UDP sockets. `remote*` only when connected; ports
 * only for IP sockets; for Unix sockets the addresses are paths.
 *
 * @example
 * ```ts
 * const stream = await connectTcp("127.0.0.1", port);
 * console.log(stream.extra(SocketAttribute.remotePort), stream.extra(SocketAttribute.family));
 * ```
 */
export const SocketAttribute = {
  /** `"IPv4"`, `"IPv6"` or `"unix"`. */
  family: typedAttribute<SocketFamily>("SocketAttribute.family"),
  /** The local address (a socket path for Unix sockets). */
  localAddress: typedAttribute<string>("SocketAttribute.localAddress"),
  /** The local port (TCP and UDP only). */
  localPort: typedAttribute<number>("SocketAttribute.localPort"),
  /** The peer's address (connected sockets only). */
  remoteAddress: typedAttribute<string>("SocketAttribute.remoteAddress"),
  /** The peer's port (connected TCP and UDP sockets only). */
  remotePort: typedAttribute<number>("SocketAttribute.remotePort"),
  /** The Node object underneath (`net.Socket`, `net.Server`, `dgram.Socket`). */
  rawSocket: typedAttribute<unknown>("SocketAttribute.rawSocket"),
} as const;

/**
 * Attributes of a TLS stream.
 *
 * @example
 * ```ts
 * const tls = await connectTcp("example.com", 443, { tls: true });
 * console.log(tls.extra(TLSAttribute.tlsVersion), tls.extra(TLSAttribute.alpnProtocol));
 * ```
 */
export const TLSAttribute = {
  /** The negotiated ALPN protocol, or null. */
  alpnProtocol: typedAttribute<string | null>("TLSAttribute.alpnProtocol"),
  /** The negotiated cipher suite (Node's `getCipher()`). */
  cipher: typedAttribute<CipherNameAndProtocol>("TLSAttribute.cipher"),
  /** The peer's certificate (parsed), or null when it sent none. */
  peerCertificate: typedAttribute<PeerCertificate | null>("TLSAttribute.peerCertificate"),
  /** The peer's certificate, DER-encoded, or null. */
  peerCertificateBinary: typedAttribute<Uint8Array | null>("TLSAttribute.peerCertificateBinary"),
  /** "TLSv1.3", "TLSv1.2"… */
  tlsVersion: typedAttribute<string | null>("TLSAttribute.tlsVersion"),
  /** True on the server side of the connection. */
  serverSide: typedAttribute<boolean>("TLSAttribute.serverSide"),
  /** Whether the stream follows the TLS standard on closing (see `TLSStream.wrap`). */
  standardCompatible: typedAttribute<boolean>("TLSAttribute.standardCompatible"),
  /** The `tls.TLSSocket` doing the work. */
  tlsSocket: typedAttribute<TLSSocket>("TLSAttribute.tlsSocket"),
} as const;

/** The family of a connected or bound `net.Socket`. */
export function socketFamily(socket: Socket): SocketFamily {
  const family = socket.remoteFamily ?? (socket.address() as { family?: string }).family;
  if (family === "IPv6") return "IPv6";
  if (family === "IPv4") return "IPv4";
  return "unix";
}
