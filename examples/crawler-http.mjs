// A bounded concurrent crawler against a real local HTTP server. Run: node examples/crawler-http.mjs
//
// The same crawl as crawler.mjs, but over real TCP: a small HTTP/1.1 server built on
// createTcpListener + serve() listens on 127.0.0.1 (port 0: the OS picks one), and the crawler
// fetches pages from it with connectTcp. Loopback only; the whole program ends by itself.
//
// - The server and the crawl are tasks of one task group: when the crawl is over, cancelling
//   the group stops serve() and every request handler still running (the slow page's).
// - A CapacityLimiter bounds how many fetches are in flight; each fetch has its own timeout
//   (failAfter) and the whole crawl a budget (moveOnAfter). A cancelled fetch closes its socket.
import { BufferedByteReceiveStream, currentTime, EndOfStream, failAfter, moveOnAfter, run, sleep, TimeoutError, withTaskGroup } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { connectTcp, createTcpListener, SocketAttribute } from "@anyio/net";
import { CapacityLimiter } from "@anyio/sync";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The site the server serves: page → [latency in ms, links], or null links for "HTTP 500". */
const SITE = {
  "/": [20, ["/docs", "/blog", "/about"]],
  "/docs": [30, ["/docs/guide", "/docs/api", "/"]],
  "/docs/guide": [25, ["/docs/api", "/docs/slow"]],
  "/docs/api": [40, ["/docs"]],
  "/docs/slow": [5_000, []], // never answers within the crawler's per-page timeout
  "/blog": [15, ["/blog/1", "/blog/2", "/blog/3"]],
  "/blog/1": [35, ["/blog/2"]],
  "/blog/2": [30, ["/blog/broken"]],
  "/blog/3": [20, ["/blog/archive"]],
  "/blog/broken": [10, null],
  "/blog/archive": [60, ["/blog/1"]],
  "/about": [10, ["/"]],
};

// ---------------------------------------------------------------------------------------------
// The server: one handler task per connection, one request per connection (Connection: close).

let served = 0;

async function handleRequest(stream) {
  const head = decoder.decode(await new BufferedByteReceiveStream(stream).receiveUntil(encoder.encode("\r\n\r\n"), 8192));
  const [method, path] = head.split("\r\n", 1)[0].split(" ");
  const page = method === "GET" ? SITE[path] : undefined;
  let status = "404 Not Found";
  let body = `no page ${path}\n`;
  if (page !== undefined) {
    await sleep(page[0]); // the page's latency: a checkpoint, so shutdown cancels it
    if (page[1] === null) {
      status = "500 Internal Server Error";
      body = "something broke\n";
    } else {
      status = "200 OK";
      body = `<html><body>${page[1].map((href) => `<a href="${href}">${href}</a>`).join(" ")}</body></html>\n`;
    }
  }
  const bytes = encoder.encode(body);
  await stream.send(encoder.encode(`HTTP/1.1 ${status}\r\nContent-Type: text/html\r\nContent-Length: ${bytes.byteLength}\r\nConnection: close\r\n\r\n`));
  await stream.send(bytes);
  served++;
  // serve() closes the stream when the handler returns.
}

// ---------------------------------------------------------------------------------------------
// The client: GET over a fresh connection, read to the end, parse status and links.

let inFlight = 0;
let maxInFlight = 0;

async function httpGet(port, path) {
  maxInFlight = Math.max(maxInFlight, ++inFlight);
  let stream;
  try {
    stream = await connectTcp("127.0.0.1", port);
    await stream.send(encoder.encode(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`));
    const chunks = [];
    for (;;) {
      try {
        chunks.push(decoder.decode(await stream.receive(), { stream: true }));
      } catch (err) {
        if (err instanceof EndOfStream) break; // the server closed: the response is complete
        throw err;
      }
    }
    const response = chunks.join("");
    const status = Number(response.slice(9, 12));
    if (status !== 200) throw new Error(`${status} ${path}`);
    return [...response.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
  } finally {
    inFlight--;
    await stream?.aclose(); // also when cancelled: the socket is closed, not abandoned
  }
}

async function crawl(port, start, { concurrency, pageTimeout, budget }) {
  const limiter = new CapacityLimiter(concurrency);
  const seen = new Set([start]);
  const report = { ok: [], timedOut: [], failed: [] };
  const t0 = currentTime();
  const at = () => `${String(Math.round(currentTime() - t0)).padStart(4)} ms`;

  const visit = async (tg, url) => {
    let links;
    try {
      links = await limiter.run(() => failAfter(pageTimeout).run(() => httpGet(port, url)));
    } catch (err) {
      if (err instanceof TimeoutError) {
        report.timedOut.push(url);
        console.log(`[${at()}] timeout ${url} (no answer within ${pageTimeout} ms)`);
      } else if (err instanceof Error && /^\d{3} /.test(err.message)) {
        report.failed.push(url);
        console.log(`[${at()}] failed  ${url}: HTTP ${err.message}`);
      } else {
        throw err; // a bug, or Cancelled: never swallow it
      }
      return;
    }
    report.ok.push(url);
    console.log(`[${at()}] fetched ${url} → ${links.length} links`);
    for (const link of links) {
      if (seen.has(link)) continue;
      seen.add(link);
      tg.startSoon(() => visit(tg, link), { name: `visit ${link}` });
    }
  };

  const scope = moveOnAfter(budget);
  await scope.run(() => withTaskGroup((tg) => visit(tg, start)));
  return { ...report, budgetExceeded: scope.cancelledCaught, elapsed: currentTime() - t0 };
}

await run(async () => {
  await withTaskGroup(async (tg) => {
    const listener = await createTcpListener({ localHost: "127.0.0.1", localPort: 0 });
    const port = listener.extra(SocketAttribute.localPort);
    console.log(`server: http://127.0.0.1:${port}/`);
    tg.startSoon(() => listener.serve(handleRequest), { name: "http server" });

    const r = await crawl(port, "/", { concurrency: 3, pageTimeout: 500, budget: 3_000 });
    console.log(
      `crawled ${r.ok.length} pages in ${Math.round(r.elapsed)} ms: ${r.timedOut.length} timed out, ${r.failed.length} failed, ` +
        `at most ${maxInFlight} fetches in flight (limit 3)`,
    );
    // A tight budget: the crawl is cut short and every fetch still in flight is cancelled.
    const short = await crawl(port, "/", { concurrency: 3, pageTimeout: 500, budget: 60 });
    console.log(`with a 60 ms budget: ${short.ok.length} pages, budget exceeded: ${short.budgetExceeded}, fetches still in flight: ${inFlight}`);
    if (maxInFlight > 3 || inFlight !== 0 || r.ok.length !== 10) process.exitCode = 1;

    // Shut the server down: serve() and the slow page's handlers still sleeping are cancelled.
    tg.cancel("crawl finished");
    await listener.aclose();
  });
  console.log(`server answered ${served} requests and is shut down`);
}, { backend: nativeBackend() });
