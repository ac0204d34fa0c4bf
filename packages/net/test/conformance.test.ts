import { byteStreamCases, standardBackends } from "@anyio/testing";
import { conformanceTests } from "@anyio/testing/vitest";
import { afterAll } from "vitest";
import { connectUnix, createUnixListener, type SocketStream } from "@anyio/net";
import { withTaskGroup } from "@anyio/core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ipv6Available, makeCerts, tcpPair, tlsPair } from "./helpers.js";

const certs = makeCerts();
const dir = mkdtempSync(join(tmpdir(), "anyio-net-unix-"));
let n = 0;
afterAll(() => {
  certs.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function unixPair(): Promise<[SocketStream, SocketStream]> {
  const listener = await createUnixListener(join(dir, `s${n++}.sock`));
  try {
    let server!: SocketStream;
    let client!: SocketStream;
    await withTaskGroup(async (tg) => {
      tg.startSoon(async () => void (server = await listener.accept()));
      client = await connectUnix(join(dir, `s${n - 1}.sock`));
    });
    return [client, server];
  } finally {
    await listener.aclose();
  }
}

for (const b of standardBackends) {
  conformanceTests(b.name, b.make, byteStreamCases("TCP over 127.0.0.1", () => tcpPair("127.0.0.1")));
  if (ipv6Available) conformanceTests(b.name, b.make, byteStreamCases("TCP over ::1", () => tcpPair("::1")));
  conformanceTests(b.name, b.make, byteStreamCases("Unix socket", unixPair));
  conformanceTests(b.name, b.make, byteStreamCases("TLS over TCP", () => tlsPair(certs), { halfClose: false, bulkBytes: 256 * 1024 }));
}
