/**
 * TCP echo over loopback: C connections each send M messages of 64 KiB and read each echo back
 * in full before sending the next; N = total messages. Reported as ns per message (and MB/s).
 * Variant names: <impl>_<connections>. `ours` in ambient context (as most Node code is written), `oursExplicit`
 * in explicit context (every call names its task; on Node 20 that runs without AsyncLocalStorage).
 * Floor: node:net, server `socket.pipe(socket)`, client write + await the echoed bytes.
 */
import { createServer, connect } from "node:net";
import { EndOfStream, run, withTaskGroup } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { SocketAttribute, connectTcp, createTcpListener } from "@anyio/net";

const SIZE = 64 * 1024;
const PAYLOAD = new Uint8Array(SIZE).fill(7);

function raw(connections) {
  return async (n) => {
    const server = createServer((s) => s.pipe(s));
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address();
    const per = Math.ceil(n / connections);
    const client = async () => {
      const sock = connect(port, "127.0.0.1");
      await new Promise((r) => sock.once("connect", r));
      let pending = 0;
      let wake = null;
      sock.on("data", (d) => {
        pending -= d.length;
        if (pending <= 0 && wake) wake();
      });
      for (let i = 0; i < per; i++) {
        pending += SIZE;
        const done = new Promise((r) => (wake = r));
        sock.write(PAYLOAD);
        await done;
      }
      sock.destroy();
    };
    await Promise.all(Array.from({ length: connections }, client));
    await new Promise((r) => server.close(r));
  };
}

function ours(connections) {
  return (n) =>
    run(
      () =>
        withTaskGroup(async (tg) => {
          const listener = await createTcpListener({ localHost: "127.0.0.1", localPort: 0 });
          const port = listener.extra(SocketAttribute.localPort);
          // serve() ending does not close the listener (as in AnyIO): close it ourselves.
          tg.startSoon(async () => {
            try {
              await listener.serve(async (stream) => {
                for await (const chunk of stream) await stream.send(chunk);
              });
            } finally {
              await listener.aclose();
            }
          });
          const per = Math.ceil(n / connections);
          await withTaskGroup((clients) => {
            for (let c = 0; c < connections; c++) {
              clients.startSoon(async () => {
                const stream = await connectTcp("127.0.0.1", port);
                try {
                  for (let i = 0; i < per; i++) {
                    await stream.send(PAYLOAD);
                    let got = 0;
                    while (got < SIZE) got += (await stream.receive(SIZE)).byteLength;
                  }
                } finally {
                  await stream.aclose();
                }
              });
            }
          });
          tg.cancel();
        }),
      { backend: nativeBackend() },
    );
}

/** The same in explicit context: every call names its task, so Node 20 runs without AsyncLocalStorage. */
function oursExplicit(connections) {
  return (n) =>
    run(
      (cx) =>
        withTaskGroup(async (tg) => {
          const listener = await createTcpListener({ localHost: "127.0.0.1", localPort: 0, signal: cx.signal });
          const port = listener.extra(SocketAttribute.localPort);
          tg.startSoon(async (scx) => {
            try {
              await listener.serve(async (stream, hcx) => {
                for (;;) {
                  let chunk;
                  try {
                    chunk = await stream.receive(undefined, hcx);
                  } catch (err) {
                    if (err instanceof EndOfStream) return;
                    throw err;
                  }
                  await stream.send(chunk, hcx);
                }
              }, undefined, scx);
            } finally {
              await listener.aclose();
            }
          });
          const per = Math.ceil(n / connections);
          await withTaskGroup((clients) => {
            for (let c = 0; c < connections; c++) {
              clients.startSoon(async (ccx) => {
                const stream = await connectTcp("127.0.0.1", port, { signal: ccx.signal });
                try {
                  for (let i = 0; i < per; i++) {
                    await stream.send(PAYLOAD, ccx);
                    let got = 0;
                    while (got < SIZE) got += (await stream.receive(SIZE, ccx)).byteLength;
                  }
                } finally {
                  await stream.aclose();
                }
              });
            }
          }, cx);
          tg.cancel();
        }, cx),
      { backend: nativeBackend(), context: "explicit" },
    );
}

export const variants = {
  raw_1: raw(1),
  raw_100: raw(100),
  ours_1: ours(1),
  ours_100: ours(100),
  oursExplicit_1: oursExplicit(1),
  oursExplicit_100: oursExplicit(100),
};
