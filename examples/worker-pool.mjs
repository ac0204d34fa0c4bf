// CPU-bound work on worker threads, bounded by a limiter. Run: node examples/worker-pool.mjs
//
// runInWorker(moduleUrl, exportName, args, options) runs a function of a module in a pooled
// worker thread (code crosses by URL, data by structured clone). Here:
// 1. 8 chunks of a prime count run as 8 tasks of a task group, at most 2 at once on worker
//    threads (a CapacityLimiter); the workers report progress back through a host handler.
//    Meanwhile the event loop stays free: a ticker task keeps ticking.
// 2. Cancellation, "wait" mode (the default, as AnyIO): the worker's loop calls
//    fromWorker.checkCancelled() and stops; runInWorker then throws Cancelled.
// 3. Cancellation, "terminate" mode: the worker never checks, so the thread is terminated.
import { currentTime, moveOnAfter, run, sleep, withTaskGroup } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { CapacityLimiter } from "@anyio/sync";
import { defaultWorkerPool, runInWorker } from "@anyio/worker";

const primes = new URL("./lib/primes.mjs", import.meta.url);
const LIMIT = 1_000_000;
const CHUNKS = 8;

await run(async () => {
  const t0 = currentTime();
  const limiter = new CapacityLimiter(2);
  let mostBusy = 0;
  let progressReports = 0;
  let ticks = 0;

  // 1. A bounded pool of CPU work.
  const counts = new Array(CHUNKS).fill(0);
  await withTaskGroup(async (tg) => {
    const ticker = new AbortController();
    tg.startSoon(async () => {
      // Proof that the event loop is not blocked: this keeps running during the computation.
      while (!ticker.signal.aborted) {
        await sleep(5);
        ticks++;
      }
    });
    await withTaskGroup(async (work) => {
      const size = LIMIT / CHUNKS;
      for (let i = 0; i < CHUNKS; i++) {
        work.startSoon(async () => {
          counts[i] = await runInWorker(primes, "countPrimes", [i * size, (i + 1) * size], {
            limiter, // at most 2 calls hold a worker at once; the others wait their turn
            handlers: {
              progress: () => {
                progressReports++;
                mostBusy = Math.max(mostBusy, limiter.borrowedTokens);
              },
            },
          });
        }, { name: `chunk ${i}` });
      }
    });
    ticker.abort();
  });
  const total = counts.reduce((a, b) => a + b, 0);
  console.log(`1. ${total} primes below ${LIMIT.toLocaleString("en")} (expected 78498), in ${CHUNKS} chunks`);
  console.log(`   at most ${mostBusy} chunks ran at once (limit 2); ${progressReports} progress reports; the loop ticked ${ticks} times meanwhile`);

  // 2. Cancellation, "wait": the worker notices at its next checkCancelled() and stops.
  const waitScope = moveOnAfter(100);
  await waitScope.run(() => runInWorker(primes, "spin", ["cooperative"]));
  console.log(`2. "wait" mode: cancelledCaught ${waitScope.cancelledCaught}; the worker saw checkCancelled() throw and stopped itself`);

  // 3. Cancellation, "terminate": the loop never looks, so the thread is terminated.
  const killScope = moveOnAfter(100);
  await killScope.run(() => runInWorker(primes, "spin", ["busy"], { cancellation: "terminate" }));
  console.log(`3. "terminate" mode: cancelledCaught ${killScope.cancelledCaught}; the worker thread was terminated and will be replaced`);

  const stats = defaultWorkerPool().statistics();
  console.log(`pool: ${stats.busy} busy, ${stats.idle} idle workers (idle ones do not keep the process alive); total ${Math.round(currentTime() - t0)} ms`);
  if (total !== 78498 || mostBusy > 2) process.exitCode = 1;
}, { backend: nativeBackend() });
