/**
 * Memory per parked task: the RSS (and V8 heap) growth from N tasks all parked in a sleep,
 * measured after a full GC, divided by N. Each variant returns { value: bytes per task }
 * (RSS) and the harness runs each repetition in a fresh process (RSS never shrinks back).
 * The `Heap` variants return the heapUsed delta instead.
 * observedHeap: the floor with each async function's promise observed by `then()` with two bound
 * functions (the cheapest way JavaScript offers to learn that a task ended, and what ours does) —
 * a lower bound for any task runner, before it keeps a record of the task or of its wait.
 * pLimitQueuedHeap: what p-limit holds per call waiting for a slot (the CapacityLimiter row's peer).
 */
import { checkpoint, createTaskGroup, run, sleepForever } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { Effect, Fiber } from "effect";
import pLimit from "p-limit";
import { run as effectionRun, sleep as effectionSleep, spawn as effectionSpawn, suspend } from "effection";

const gc = globalThis.gc;
const settle = () => new Promise((r) => setImmediate(r));

function snapshot() {
  gc();
  gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

function perTask(before, after, n, key) {
  return (after[key] - before[key]) / n;
}

async function raw(n, key) {
  await settle();
  const before = snapshot();
  const never = [];
  const all = new Array(n);
  for (let i = 0; i < n; i++) {
    all[i] = (async () => {
      await new Promise((resolve) => never.push(resolve));
    })();
  }
  await settle();
  const after = snapshot();
  for (const resolve of never) resolve();
  await Promise.all(all);
  return { value: perTask(before, after, n, key) };
}

const promiseThen = Promise.prototype.then;

async function observed(n, key) {
  await settle();
  const before = snapshot();
  const never = [];
  const ended = { count: 0 };
  function onEnd() {
    this.count++;
  }
  for (let i = 0; i < n; i++) {
    const task = (async () => {
      await new Promise((resolve) => never.push(resolve));
    })();
    promiseThen.call(task, onEnd.bind(ended), onEnd.bind(ended));
  }
  await settle();
  const after = snapshot();
  for (const resolve of never) resolve();
  await settle();
  if (ended.count !== n) throw new Error(`only ${ended.count} of ${n} tasks were seen to end`);
  return { value: perTask(before, after, n, key) };
}

async function pLimitQueued(n, key) {
  await settle();
  const before = snapshot();
  const limit = pLimit(1);
  let open;
  const busy = new Promise((resolve) => (open = resolve));
  const all = new Array(n);
  all[0] = limit(() => busy);
  for (let i = 1; i < n; i++) all[i] = limit(async () => {});
  await settle();
  const after = snapshot();
  if (limit.pendingCount !== n - 1) throw new Error(`p-limit has ${limit.pendingCount} calls waiting, expected ${n - 1}`);
  open();
  await Promise.all(all);
  return { value: perTask(before, after, n, key) };
}

async function ours(n, key) {
  let value = 0;
  await run(
    async (cx) => {
      await settle();
      const before = snapshot();
      let parked = 0;
      const tg = createTaskGroup();
      await tg.run(async () => {
        const sleeper = async (tcx) => {
          parked++;
          await sleepForever(tcx);
        };
        for (let i = 0; i < n; i++) tg.startSoon(sleeper);
        while (parked < n) await checkpoint(cx);
        await checkpoint(cx);
        value = perTask(before, snapshot(), n, key);
        tg.cancel();
      }, cx);
    },
    { backend: nativeBackend(), context: "explicit" },
  );
  return { value };
}

async function effect(n, key) {
  await settle();
  const before = snapshot();
  const value = await Effect.runPromise(
    Effect.gen(function* () {
      const fibers = new Array(n);
      for (let i = 0; i < n; i++) fibers[i] = yield* Effect.forkChild(Effect.never);
      yield* Effect.yieldNow;
      yield* Effect.yieldNow;
      const v = perTask(before, snapshot(), n, key);
      yield* Fiber.interruptAll(fibers);
      return v;
    }),
  );
  return { value };
}

async function effection(n, key) {
  await settle();
  const before = snapshot();
  let value = 0;
  await effectionRun(function* () {
    const tasks = new Array(n);
    for (let i = 0; i < n; i++) tasks[i] = yield* effectionSpawn(suspend);
    yield* effectionSleep(0);
    value = perTask(before, snapshot(), n, key);
    for (const task of tasks) yield* task.halt();
  });
  return { value };
}

export const variants = {
  raw: (n) => raw(n, "rss"),
  ours: (n) => ours(n, "rss"),
  effect: (n) => effect(n, "rss"),
  effection: (n) => effection(n, "rss"),
  rawHeap: (n) => raw(n, "heap"),
  oursHeap: (n) => ours(n, "heap"),
  effectHeap: (n) => effect(n, "heap"),
  effectionHeap: (n) => effection(n, "heap"),
  observedHeap: (n) => observed(n, "heap"),
  pLimitQueuedHeap: (n) => pLimitQueued(n, "heap"),
};
