/**
 * TCP echo over loopback: C connections each send M messages of 64 KiB and read each echo back
 * in full before sending the next; N = total messages. Reported as ns per message (and MB/s).
 * Variant names: <impl>_<connections>. Ambient context (the listener's serve() spawns handlers).
 * Floor: node:net, server `socket.pipe(socket)`, client write + await the echoed bytes.
 */
import { createServer, connect } from "node:net";
import { run, withTaskGroup } from "@anyio/core";
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

export const variants = { raw_1: raw(1), raw_100: raw(100), ours_1: ours(1), ours_100: ours(100) };
