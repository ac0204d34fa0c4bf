// A bounded concurrent crawler. Run: node examples/crawler.mjs
//
// It crawls a small FAKE web that lives in this process: `fakeFetch()` sleeps for a page's
// latency and returns its links, so the example needs no network and always behaves the same.
// crawler-http.mjs is the same crawl against a real local HTTP server, over TCP with @anyio/net.
//
// - One task per discovered page, all in one task group: when the crawl ends, nothing is left
//   running, and one unexpected bug would cancel the whole crawl instead of being lost.
// - A CapacityLimiter bounds how many fetches are in flight (like p-limit, but cancellable).
// - Each fetch has its own timeout (failAfter), and the whole crawl a budget (moveOnAfter):
//   when the budget runs out, every fetch still in flight is cancelled, not abandoned.
import { currentTime, failAfter, moveOnAfter, run, sleep, TimeoutError, withTaskGroup } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { CapacityLimiter } from "@anyio/sync";

/** The fake web: page → [latency in ms, links]. */
const WEB = {
  "/": [20, ["/docs", "/blog", "/about"]],
  "/docs": [30, ["/docs/guide", "/docs/api", "/"]],
  "/docs/guide": [25, ["/docs/api", "/docs/slow"]],
  "/docs/api": [40, ["/docs"]],
  "/docs/slow": [5_000, []], // never answers within the per-page timeout
  "/blog": [15, ["/blog/1", "/blog/2", "/blog/3"]],
  "/blog/1": [35, ["/blog/2"]],
  "/blog/2": [30, ["/blog/broken"]],
  "/blog/3": [20, ["/blog/archive"]],
  "/blog/broken": [10, null], // "HTTP 500"
  "/blog/archive": [60, ["/blog/1"]],
  "/about": [10, ["/"]],
};

let inFlight = 0;
let maxInFlight = 0;

/** Pretend HTTP GET: sleeping is a checkpoint, so a fetch can be cancelled at any moment. */
async function fakeFetch(url) {
  const page = WEB[url];
  if (!page) throw new Error(`404 ${url}`);
  maxInFlight = Math.max(maxInFlight, ++inFlight);
  try {
    await sleep(page[0]);
  } finally {
    inFlight--;
  }
  if (page[1] === null) throw new Error(`500 ${url}`);
  return page[1];
}

async function crawl(start, { concurrency, pageTimeout, budget }) {
  const limiter = new CapacityLimiter(concurrency);
  const seen = new Set([start]);
  const report = { ok: [], timedOut: [], failed: [] };
  const t0 = currentTime();
  const at = () => `${String(Math.round(currentTime() - t0)).padStart(4)} ms`;

  const visit = async (tg, url) => {
    let links;
    try {
      links = await limiter.run(() => failAfter(pageTimeout).run(() => fakeFetch(url)));
    } catch (err) {
      if (err instanceof TimeoutError) {
        report.timedOut.push(url);
        console.log(`[${at()}] timeout ${url} (no answer within ${pageTimeout} ms)`);
      } else if (err instanceof Error && /^\d{3} /.test(err.message)) {
        report.failed.push(url);
        console.log(`[${at()}] failed  ${url}: ${err.message}`);
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
  const r = await crawl("/", { concurrency: 3, pageTimeout: 200, budget: 2_000 });
  console.log(
    `crawled ${r.ok.length} pages in ${Math.round(r.elapsed)} ms: ${r.timedOut.length} timed out, ${r.failed.length} failed, ` +
      `at most ${maxInFlight} fetches in flight (limit 3)`,
  );
  // A tight budget: the crawl is cut short and every fetch still in flight is cancelled.
  const short = await crawl("/", { concurrency: 3, pageTimeout: 200, budget: 60 });
  console.log(`with a 60 ms budget: ${short.ok.length} pages, budget exceeded: ${short.budgetExceeded}, fetches still in flight: ${inFlight}`);
  if (maxInFlight > 3 || inFlight !== 0 || r.ok.length !== 10) process.exitCode = 1;
}, { backend: nativeBackend() });
