/** Test helpers: connected pairs over real sockets, generated certificates, handle-leak checks. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSecureContext, type SecureContext } from "node:tls";
import { awaitCancellable, withTaskGroup, type ByteReceiveStream } from "@anyio/core";
import { leaksSince, resourceSnapshot } from "@anyio/testing";
import { SocketListener, TLSStream, connectTcp, createTcpListener, type SocketStream } from "@anyio/net";

/** A connected TCP pair over `host` (a loopback address). */
export async function tcpPair(host = "127.0.0.1"): Promise<[SocketStream, SocketStream]> {
  const multi = await createTcpListener({ localHost: host });
  const listener = multi.listeners[0] as SocketListener;
  try {
    let server!: SocketStream;
    let client!: SocketStream;
    await withTaskGroup(async (tg) => {
      tg.startSoon(async () => void (server = await listener.accept()));
      client = await connectTcp(host, listener.port!);
    });
    return [client, server];
  } finally {
    await multi.aclose();
  }
}

/** Whether `::1` can be bound here (checked once, outside any run). */
export const ipv6Available: boolean = (() => {
  try {
    execFileSync(process.execPath, ["-e", "require('net').createServer().listen(0,'::1',function(){this.close()}).on('error',()=>process.exit(1))"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
void createServer;

export interface Certs {
  dir: string;
  certPath: string;
  keyPath: string;
  cert: Buffer;
  key: Buffer;
  /** Server context with the certificate for "localhost" and 127.0.0.1. */
  server: SecureContext;
  /** Client context trusting that certificate. */
  client: SecureContext;
  cleanup(): void;
}

/** A self-signed P-256 certificate for localhost/127.0.0.1, made with the openssl CLI. */
export function makeCerts(): Certs {
  const dir = mkdtempSync(join(tmpdir(), "anyio-net-tls-"));
  const certPath = join(dir, "cert.pem");
  const keyPath = join(dir, "key.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
    "-keyout", keyPath, "-out", certPath, "-days", "1", "-subj", "/CN=localhost",
    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
  ], { stdio: "ignore" });
  const cert = readFileSync(certPath);
  const key = readFileSync(keyPath);
  return {
    dir, certPath, keyPath, cert, key,
    server: createSecureContext({ cert, key }),
    client: createSecureContext({ ca: cert }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A TLS pair over a TCP pair. */
export async function tlsPair(certs: Certs, standardCompatible = true): Promise<[TLSStream, TLSStream]> {
  const [a, b] = await tcpPair();
  let server!: TLSStream;
  let client!: TLSStream;
  await withTaskGroup(async (tg) => {
    tg.startSoon(async () => void (server = await TLSStream.wrap(b, { serverSide: true, secureContext: certs.server, standardCompatible })));
    client = await TLSStream.wrap(a, { hostname: "localhost", secureContext: certs.client, standardCompatible });
  });
  return [client, server];
}

/** Counts of the socket/timer kinds of `process.getActiveResourcesInfo()` we care about. */
export function handleCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (/TCP|Pipe|UDP|Timeout|GetAddrInfo|TLS/.test(kind)) counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/**
 * Waits (real time, a few loop turns) until the counted handles are back to `before`; returns
 * the difference left (empty when nothing leaked). Handle closes finish on the next loop turn;
 * an abandoned getaddrinfo request (a cancelled lookup) finishes in libuv's thread pool on its
 * own. The polling is the shared leak check's (`leaksSince` from @anyio/testing), which every
 * `describeEachBackend` run also applies after the run; this one checks inside a run.
 */
export async function leakedSince(before: Record<string, number>): Promise<Record<string, number>> {
  // Only socket/timer kinds are compared here: files open now count as the baseline.
  const report = await awaitCancellable(
    resourceSnapshot().then((now) => leaksSince({ kinds: before, files: now.files }, 500)),
  );
  const diff: Record<string, number> = {};
  for (const [kind, n] of Object.entries(report.resources)) if (/TCP|Pipe|UDP|Timeout|GetAddrInfo|TLS/.test(kind)) diff[kind] = n;
  return diff;
}

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function text(data: Uint8Array): string {
  return new TextDecoder().decode(data);
}

/** Receives until EndOfStream. */
export async function receiveAll(stream: ByteReceiveStream): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream) parts.push(chunk);
  return Buffer.concat(parts);
}
