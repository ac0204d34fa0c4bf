// Testing with the strict backend. Run: node examples/strict-testing.mjs
//
// The same program runs on @anyio/backend-strict with a virtual clock (an hour passes at once),
// a deterministic run queue (optionally shuffled by a seed), deadlock detection and tracing.
// examples/test/retry.test.ts shows the same ideas as vitest tests on every backend.
import { checkpoint, currentTime, run, sleep, TimeoutError, withTaskGroup } from "@anyio/core";
import { DeadlockError, strictBackend } from "@anyio/backend-strict";
import { Event } from "@anyio/sync";
import { assertCheckpoints, AssertionError } from "@anyio/testing";
import { retryWithBackoff } from "./lib/retry.mjs";

const started = performance.now();

// 1. Virtual time: 5 attempts that each time out after 10 s, with 1+2+4+8 s of backoff, is
//    65 s of program time, and takes a few milliseconds of real time.
{
  let calls = 0;
  const { elapsed, error } = await run(async () => {
    const t0 = currentTime();
    const error = await retryWithBackoff(async () => { calls++; await sleep(60_000); }).catch((e) => e);
    return { elapsed: currentTime() - t0, error };
  }, { backend: strictBackend() });
  console.log(`1. virtual clock: ${calls} attempts, ${error.name}, ${elapsed / 1000} s of virtual time in ${Math.round(performance.now() - started)} ms of real time`);
  if (!(error instanceof TimeoutError) || elapsed !== 65_000) process.exitCode = 1;
}

// 2. Seeds shake out ordering assumptions. This code assumes tasks finish in the order they
//    were started; in FIFO order they always do, so the bug hides. Seeds find it.
async function startOrderAssumption() {
  const finished = [];
  await withTaskGroup(async (tg) => {
    for (const name of ["a", "b", "c"]) tg.startSoon(async () => { await checkpoint(); finished.push(name); });
  });
  return finished.join("");
}
{
  const fifo = await run(startOrderAssumption, { backend: strictBackend() });
  const failing = [];
  for (let seed = 1; seed <= 20; seed++) {
    const order = await run(startOrderAssumption, { backend: strictBackend({ seed }) });
    if (order !== "abc") failing.push(`${seed}:${order}`);
  }
  console.log(`2. seeds: FIFO order is always "${fifo}"; ${failing.length} of 20 seeds break the assumption (seed:order ${failing.slice(0, 3).join(" ")}…)`);
  // The same seed replays the same order, so a failure can be reproduced exactly.
  const again = await run(startOrderAssumption, { backend: strictBackend({ seed: Number(failing[0].split(":")[0]) }) });
  console.log(`   replaying seed ${failing[0].split(":")[0]} gives "${again}" again`);
}

// 3. Deadlocks are reported, not hung on: every task waits, no timer is pending.
try {
  await run(async () => {
    const configLoaded = new Event();
    const dbReady = new Event();
    await withTaskGroup(async (tg) => {
      tg.startSoon(async () => { await dbReady.wait(); configLoaded.set(); }, { name: "config loader" });
      tg.startSoon(async () => { await configLoaded.wait(); dbReady.set(); }, { name: "db connector" });
    });
  }, { backend: strictBackend(), name: "main" });
} catch (err) {
  if (!(err instanceof DeadlockError)) throw err;
  console.log(`3. ${err.name}: ${err.message.split("\n")[0]}`);
  console.log(err.message.split("\n").slice(1).map((l) => `   ${l}`).join("\n"));
}

// 4. Instruments trace an interleaving, step by step.
{
  const trace = [];
  const tracer = {
    taskSpawned: (t) => trace.push(`spawn ${t.name}`),
    taskBlocked: (t, what) => trace.push(`${t.name} blocks on ${what}`),
    taskExited: (t) => trace.push(`exit ${t.name}`),
  };
  await run(async () => {
    await withTaskGroup(async (tg) => {
      tg.startSoon(() => sleep(10), { name: "sleeper" });
    });
  }, { backend: strictBackend({ instruments: [tracer] }), name: "main" });
  console.log(`4. trace: ${trace.join(" → ")}`);
}

// 5. assertCheckpoints: every async operation should be a cancel point and a schedule point,
//    even on its fast path. A cache that returns hits without checkpointing breaks that rule.
{
  const cache = new Map([["answer", 42]]);
  const naiveGet = async (key) => cache.get(key) ?? (await sleep(10), 0); // hit: no checkpoint
  const politeGet = async (key) => { await checkpoint(); return cache.get(key) ?? (await sleep(10), 0); };
  await run(async () => {
    const problem = await assertCheckpoints(() => naiveGet("answer")).then(() => "passes", (e) => (e instanceof AssertionError ? e.message : String(e)));
    const value = await assertCheckpoints(() => politeGet("answer"));
    console.log(`5. assertCheckpoints(naiveGet): ${problem}`);
    console.log(`   assertCheckpoints(politeGet): passes, value ${value}`);
  }, { backend: strictBackend() });
}
