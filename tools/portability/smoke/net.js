// @uses core=@anyio/core anyionet=@anyio/net nodenet=node:net
// @requires net
// connectTcp to a local echo server (node:net, as Deno and Bun provide it), a round trip, a
// half-close, and a connection refused with its code kept.
const server = nodenet.createServer((socket) => socket.pipe(socket));
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = server.address().port;
try {
  const echoed = await core.run(async () => {
    const stream = await anyionet.connectTcp("127.0.0.1", port);
    try {
      await stream.send(new TextEncoder().encode("ping"));
      await stream.sendEof();
      let text = "";
      for (;;) {
        try {
          text += new TextDecoder().decode(await stream.receive());
        } catch (err) {
          if (err instanceof core.EndOfStream) break;
          throw err;
        }
      }
      return text;
    } finally {
      await stream.aclose();
    }
  }, { backend: makeBackend() });
  same(echoed, "ping", "the echo");
} finally {
  await new Promise((resolve) => server.close(resolve));
}
let refused = null;
await core.run(async () => {
  try {
    // Port 1 on loopback: nothing listens there.
    await anyionet.connectTcp("127.0.0.1", 1);
  } catch (err) {
    refused = err;
  }
}, { backend: makeBackend() });
check(refused !== null, "connecting to a closed port fails");
// Shown in the matrix: what each runtime reports (Node's error code is kept).
const inner = refused.errors?.[0] ?? refused.cause ?? refused;
detail(`refused: ${refused.constructor.name}/${refused.code ?? inner.code ?? "no code"}`);
