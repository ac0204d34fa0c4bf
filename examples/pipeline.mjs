// A producer/consumer pipeline with backpressure. Run: node examples/pipeline.mjs
//
//   producer ──(buffer of 4)──▶ 3 workers ──(rendezvous)──▶ collector
//                                  │
//                        CapacityLimiter(2) around the expensive step
//
// - The producer is faster than the workers; `send()` waits whenever the buffer is full, so it
//   can never run ahead by more than 4 items (backpressure, not an unbounded queue).
// - Three workers share one receive end through clones; a CapacityLimiter lets at most two of
//   them into the expensive step at once.
// - Closing the producer's send end ends the workers' `for await` loops once the buffer is
//   drained; the last worker to close its results end ends the collector's loop.
import { currentTime, run, sleep, withTaskGroup } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { CapacityLimiter, createMemoryObjectStream } from "@anyio/sync";

const ITEMS = 12;

await run(async () => {
  const t0 = currentTime();
  const log = (msg) => console.log(`[${String(Math.round(currentTime() - t0)).padStart(4)} ms] ${msg}`);
  const limiter = new CapacityLimiter(2);
  let inExpensive = 0;
  let maxInExpensive = 0;
  let producerWaits = 0;
  let maxBuffered = 0;
  const results = [];

  const [jobsTx, jobsRx] = createMemoryObjectStream(4);
  const [resultsTx, resultsRx] = createMemoryObjectStream(0);

  await withTaskGroup(async (tg) => {
    tg.startSoon(async () => {
      try {
        for (let job = 1; job <= ITEMS; job++) {
          if (jobsTx.statistics().currentBufferUsed === 4) producerWaits++; // this send will wait
          await jobsTx.send(job);
          maxBuffered = Math.max(maxBuffered, jobsTx.statistics().currentBufferUsed);
        }
        log(`producer: all ${ITEMS} jobs sent`);
      } finally {
        jobsTx.close(); // workers see the end of the stream once the buffer drains
      }
    }, { name: "producer" });

    for (let w = 1; w <= 3; w++) {
      const jobs = jobsRx.clone();
      const out = resultsTx.clone();
      tg.startSoon(async () => {
        try {
          for await (const job of jobs) {
            await sleep(5); // cheap step: parsing, say
            const value = await limiter.run(async () => {
              maxInExpensive = Math.max(maxInExpensive, ++inExpensive);
              try {
                await sleep(20); // the expensive step, at most two at a time
                return job * job;
              } finally {
                inExpensive--;
              }
            });
            await out.send({ worker: w, job, value });
          }
        } finally {
          jobs.close();
          out.close(); // the collector's loop ends when the last clone is closed
        }
      }, { name: `worker ${w}` });
    }
    // The originals are not used by anyone: close them so only the clones count.
    jobsRx.close();
    resultsTx.close();

    tg.startSoon(async () => {
      for await (const r of resultsRx) {
        results.push(r);
        log(`collector: job ${String(r.job).padStart(2)} → ${String(r.value).padStart(3)} (worker ${r.worker})`);
      }
    }, { name: "collector" });
  });

  const sum = results.reduce((s, r) => s + r.value, 0);
  log(`pipeline done: ${results.length} results, sum ${sum}`);
  console.log(`backpressure: the buffer never held more than ${maxBuffered} jobs; the producer waited for space ${producerWaits} times`);
  console.log(`limiter: at most ${maxInExpensive} workers in the expensive step at once (limit 2)`);
  if (results.length !== ITEMS || maxInExpensive > 2 || maxBuffered > 4) process.exitCode = 1;
}, { backend: nativeBackend() });
