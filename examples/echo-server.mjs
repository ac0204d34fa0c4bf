// An echo server with per-connection timeouts, and concurrent clients. Run: node examples/echo-server.mjs
//
// Everything happens on 127.0.0.1, on a port the OS picks (port 0), and ends by itself.
//
// - The server is one task (`listener.serve(handler)`); each connection is a child task of it,
//   so when the server's task group is cancelled, every connection handler is cancelled too.
// - Each connection has an idle timeout: a client that says nothing for 300 ms is hung up on
//   (moveOnAfter around each receive), and a session limit of 2 s in total (failAfter).
// - Five clients run at once, each with its own 1 s budget (failAfter). A sixth connects and
//   says nothing: the server's idle timeout hangs up on it. A seventh talks slowly and runs out
//   of its own 250 ms budget mid-conversation: it is cancelled and its socket closed.
import { BrokenResourceError, BufferedByteReceiveStream, currentTime, EndOfStream, failAfter, IncompleteRead, moveOnAfter, run, sleep, TimeoutError, withTaskGroup } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { connectTcp, createTcpListener, SocketAttribute } from "@anyio/net";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NL = encoder.encode("\n");
const IDLE_TIMEOUT = 300;
const SESSION_LIMIT = 2_000;

let t0 = 0;
const at = () => `${String(Math.round(currentTime() - t0)).padStart(4)} ms`;

/** One connection: echo each line upper-cased until the client ends, idles or runs out of time. */
async function handle(stream) {
  const peer = `${stream.extra(SocketAttribute.remoteAddress)}:${stream.extra(SocketAttribute.remotePort)}`;
  const lines = new BufferedByteReceiveStream(stream);
  let echoed = 0;
  try {
    await failAfter(SESSION_LIMIT).run(async () => {
      for (;;) {
        // moveOnAfter: no line within IDLE_TIMEOUT ms → `undefined`, the scope absorbed it.
        const line = await moveOnAfter(IDLE_TIMEOUT).run(() => lines.receiveUntil(NL, 4096));
        if (line === undefined) {
          console.log(`[${at()}] server: ${peer} idle for ${IDLE_TIMEOUT} ms, hanging up after ${echoed} lines`);
          return;
        }
        await stream.send(encoder.encode(decoder.decode(line).toUpperCase() + "\n"));
        echoed++;
      }
    });
  } catch (err) {
    // The client closed its end: a normal goodbye (receiveUntil reports it as IncompleteRead
    // when a partial line was pending, EndOfStream otherwise).
    if (err instanceof EndOfStream || err instanceof IncompleteRead) return;
    // The client vanished: a client that closes with an echo still unread makes its kernel
    // reset the connection (the "slow" client below, when its budget runs out just after it sent
    // a line). A server must expect that from any peer; it ends this connection only.
    if (err instanceof BrokenResourceError) {
      console.log(`[${at()}] server: ${peer} reset the connection (${err.code ?? err.message})`);
      return;
    }
    if (err instanceof TimeoutError) {
      console.log(`[${at()}] server: ${peer} hit the ${SESSION_LIMIT} ms session limit`);
      return;
    }
    throw err; // Cancelled or a bug: never swallow it
  }
  // serve() closes the stream when this handler returns.
}

/** A client: sends its lines, reads each echo, and closes. */
async function client(port, name, lines, pauseMs) {
  const stream = await connectTcp("127.0.0.1", port);
  try {
    const replies = new BufferedByteReceiveStream(stream);
    const got = [];
    for (const line of lines) {
      await stream.send(encoder.encode(`${line}\n`));
      got.push(decoder.decode(await replies.receiveUntil(NL, 4096)));
      await sleep(pauseMs);
    }
    return got;
  } finally {
    await stream.aclose();
  }
}

await run(async () => {
  t0 = currentTime();
  await withTaskGroup(async (server) => {
    const listener = await createTcpListener({ localHost: "127.0.0.1", localPort: 0 });
    const port = listener.extra(SocketAttribute.localPort);
    console.log(`[${at()}] server: listening on 127.0.0.1:${port}`);
    // serve() runs until its task group is cancelled; every handler is a child task of it.
    server.startSoon(() => listener.serve(handle), { name: "echo server" });

    await withTaskGroup(async (clients) => {
      // Five concurrent clients, each with a 1 s budget.
      for (const [i, name] of ["ann", "bob", "cy", "dee", "eve"].entries()) {
        clients.startSoon(async () => {
          const words = [`hello from ${name}`, `${name} says bye`];
          const got = await failAfter(1_000).run(() => client(port, name, words, 10 * (i + 1)));
          console.log(`[${at()}] client ${name}: ${got.join(" / ")}`);
        });
      }
      // A client that connects and then says nothing: the server's idle timeout hangs up.
      clients.startSoon(async () => {
        const stream = await connectTcp("127.0.0.1", port);
        try {
          await stream.receive(); // waits until the server closes the connection
        } catch (err) {
          if (!(err instanceof EndOfStream)) throw err;
          console.log(`[${at()}] client silent: the server closed the idle connection (EndOfStream)`);
        } finally {
          await stream.aclose();
        }
      });
      // A client whose budget (250 ms) is shorter than its conversation: it is cancelled mid-way.
      clients.startSoon(async () => {
        try {
          await failAfter(250).run(() => client(port, "slow", ["one", "two", "three", "four"], 100));
        } catch (err) {
          if (!(err instanceof TimeoutError)) throw err;
          console.log(`[${at()}] client slow: TimeoutError after its 250 ms budget; its socket was closed`);
        }
      });
    });

    // Shut down: cancelling the server's group cancels serve() and any handler still running.
    server.cancel("shutting down");
    await listener.aclose();
  });
  console.log(`[${at()}] done: 5 clients echoed, 1 idle connection timed out, 1 client over budget; no task left running`);
}, { backend: nativeBackend() });
