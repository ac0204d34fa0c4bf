// Streams: in-memory channels from @anyio/sync and the generic stream wrappers of @anyio/core.
// Run: node examples/streams.mjs
import {
  BrokenResourceError,
  BufferedByteReceiveStream,
  EndOfStream,
  ReadableByteReceiveStream,
  run,
  StapledObjectStream,
  TextReceiveStream,
  withTaskGroup,
} from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { createMemoryObjectStream } from "@anyio/sync";

/** A WHATWG ReadableStream that delivers `text` in awkward chunks, as a socket would. */
function chunkedBody(text, size) {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, (offset += size)));
    },
  });
}

await run(async () => {
  // 1. Memory object streams: the receiving end iterates until every send end is closed.
  const [tx, rx] = createMemoryObjectStream(2);
  const received = [];
  await withTaskGroup(async (tg) => {
    tg.startSoon(async () => {
      try {
        for (const word of ["structured", "concurrency", "for", "TypeScript"]) await tx.send(word);
      } finally {
        tx.close(); // or `await using sender = tx` where the syntax is available (Node 24, TS)
      }
    });
    tg.startSoon(async () => {
      for await (const word of rx) received.push(word);
    });
  });
  console.log(`1. channel delivered: ${received.join(" ")}`);

  // 2. The end-of-stream rules: closed send end → EndOfStream for receivers (after the buffer
  //    drains); closed receive end → BrokenResourceError for senders.
  {
    const [tx, rx] = createMemoryObjectStream(1);
    await tx.send("last item");
    tx.close();
    const first = await rx.receive();
    const second = await rx.receive().catch((err) => err);
    console.log(`2. after close: got "${first}", then ${second instanceof EndOfStream ? "EndOfStream" : second}`);
    const [tx2, rx2] = createMemoryObjectStream(1);
    rx2.close();
    const err = await tx2.send("anyone?").catch((e) => e);
    console.log(`   send to a closed receiver: ${err instanceof BrokenResourceError ? "BrokenResourceError" : err}`);
  }

  // 3. Byte streams: wrap a WHATWG ReadableStream, then read line by line whatever the chunking.
  const body = "GET / HTTP/1.1\r\nHost: example.test\r\nAccept: */*\r\n\r\nhello body";
  const buffered = new BufferedByteReceiveStream(new ReadableByteReceiveStream(chunkedBody(body, 7)));
  const crlf = new TextEncoder().encode("\r\n");
  const lines = [];
  for (;;) {
    const line = new TextDecoder().decode(await buffered.receiveUntil(crlf, 1024));
    if (line === "") break; // the blank line ends the headers
    lines.push(line);
  }
  const rest = new TextDecoder().decode(await buffered.receiveExactly(10));
  console.log(`3. parsed ${lines.length} header lines from 7-byte chunks: ${JSON.stringify(lines)}, body "${rest}"`);

  // 4. Text over bytes: TextReceiveStream decodes UTF-8 safely across chunk boundaries.
  const text = new TextReceiveStream(new ReadableByteReceiveStream(chunkedBody("naïve café ☕ — ok", 3)));
  let decoded = "";
  for await (const piece of text) decoded += piece;
  console.log(`4. decoded across 3-byte chunks: ${decoded}`);

  // 5. StapledObjectStream: two one-way channels make one two-way "connection".
  const [toServerTx, toServerRx] = createMemoryObjectStream(0);
  const [toClientTx, toClientRx] = createMemoryObjectStream(0);
  const client = new StapledObjectStream(toServerTx, toClientRx);
  const server = new StapledObjectStream(toClientTx, toServerRx);
  await withTaskGroup(async (tg) => {
    tg.startSoon(async () => {
      for await (const msg of server) await server.send(msg.toUpperCase());
      await server.aclose();
    });
    await client.send("ping");
    const reply = await client.receive();
    await client.sendEof(); // closes our sending half: the server's loop ends
    console.log(`5. stapled request/reply: ping → ${reply}`);
    await client.aclose();
  });
}, { backend: nativeBackend() });
