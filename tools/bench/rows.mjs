/**
 * The rows of the benchmark table (issue 7): which case file, which variants (ours, peers, the
 * raw floor), the sizes, the V8 flag sets and runtimes each row runs under, and the goals.
 *
 * Ratios are computed only between variants of one group (same row, runtime and flag set,
 * same `run.mjs` invocation). A goal names the group it reads, so nothing is compared across
 * flag sets or runtimes.
 */

/** V8 flag sets. The raw floor of fan-out rows is young-generation-GC bound, hence both. */
export const FLAG_SETS = {
  default: [],
  ss64: ["--max-semi-space-size=64"],
};

/** Flags every child gets (for `gc()` between repetitions). */
export const BASE_FLAGS = ["--expose-gc"];

const GC_BOUND = ["default", "ss64"];

/**
 * @typedef {{ name: string, label: string, role: "ours" | "peer" | "floor" | "bound", n?: number, quickN?: number,
 *   runtimes?: string[], warmup?: number, compareWith?: string }} Variant
 * @typedef {{ text: string, runtime?: string, flags?: string, check: (g: Group) => { value: number, met: boolean, shown: string } }} Goal
 */

// Helpers for goals: `a` and `b` are variant names; values are per-op numbers.
const slower = (ours, floor, max) => (g) => {
  const v = g.metric(ours) / g.metric(floor);
  return { value: v, met: v <= max, shown: `${v.toFixed(2)}×` };
};
const faster = (ours, peer, min) => (g) => {
  const v = g.metric(peer) / g.metric(ours);
  return { value: v, met: v >= min, shown: `${v.toFixed(1)}× faster` };
};
const atMost = (ours, max, unit) => (g) => {
  const v = g.metric(ours);
  return { value: v, met: v <= max, shown: `${Math.round(v)} ${unit}` };
};
const throughputAtLeast = (ours, min) => (g) => {
  const v = g.throughput(ours);
  return { value: v, met: v >= min, shown: `${(v / 1e6).toFixed(2)} M/s` };
};

const throughputRatio = (ours, floor, min) => (g) => {
  const v = g.metric(floor) / g.metric(ours);
  return { value: v, met: v >= min, shown: `${v.toFixed(2)}× raw throughput` };
};

function perFlagSet(goals) {
  return GC_BOUND.flatMap((flags) => goals.map((goal) => ({ ...goal, flags })));
}

/** @type {Array<{ id: string, title: string, file: string, n: number, quickN: number, unit: string,
 *   metric?: "time" | "value", flagSets: string[], runtimes: string[], freshProcessPerRep?: boolean, processes?: number,
 *   variants: Variant[], goals: Goal[], note?: string }>} */
export const ROWS = [
  {
    id: "spawn-join",
    title: "spawn + join N children, one checkpoint each",
    file: "cases/spawn-join.mjs",
    n: 100_000,
    quickN: 2_000,
    unit: "ns/task",
    // Effect's process alone ranged 3,819–5,056 ns per task over three full runs (ours
    // 1,298–1,539), which moved "≥ 3× faster than Effect" from 3.5× to 2.9×: three processes
    // per variant, taking turns, pooled.
    processes: 3,
    flagSets: GC_BOUND,
    runtimes: ["node20", "node24"],
    variants: [
      { name: "raw", label: "raw Promise.all (floor)", role: "floor" },
      // Not a goal's yardstick (the goals read the plain floor): it shows how much of the
      // ambient rows is AsyncLocalStorage itself.
      { name: "rawAmbient", label: "raw Promise.all, one AsyncLocalStorage.run per child (ambient floor)", role: "peer", compareWith: "nativeAmbient" },
      // The least a value per task in AsyncLocalStorage costs: on Node 24 it alone is ~2.5× raw,
      // past the 1.5× the ambient goal allows for everything.
      { name: "rawEnterWith", label: "raw Promise.all, one AsyncLocalStorage.enterWith per child (least per-task ambient cost)", role: "peer", compareWith: "nativeAmbient" },
      { name: "nativeExplicit", label: "ours, native, explicit context", role: "ours" },
      { name: "nativeAmbient", label: "ours, native, ambient context", role: "ours" },
      { name: "strictExplicit", label: "ours, strict, explicit context", role: "ours", runtimes: ["node20"] },
      { name: "effect", label: "Effect forkChild + Fiber.joinAll", role: "peer" },
      // Effection costs ~100 µs per task, linear in N: a smaller N keeps the row under a minute.
      { name: "effection", label: "Effection spawn + join", role: "peer", n: 5_000, quickN: 100, warmup: 1 },
    ],
    goals: [
      ...perFlagSet([
        { text: "Node 20, native explicit ≤ 1.5× raw", runtime: "node20", check: slower("nativeExplicit", "raw", 1.5) },
        { text: "Node 20, native explicit ≥ 3× faster than Effect", runtime: "node20", check: faster("nativeExplicit", "effect", 3) },
        { text: "Node 20, native explicit ≥ 50× faster than Effection", runtime: "node20", check: faster("nativeExplicit", "effection", 50) },
        { text: "Node 20, strict explicit ≤ 2.5× raw", runtime: "node20", check: slower("strictExplicit", "raw", 2.5) },
        { text: "Node 24, native ambient ≤ 1.5× raw", runtime: "node24", check: slower("nativeAmbient", "raw", 1.5) },
        { text: "Node 24, native ambient ≥ 3× faster than Effect", runtime: "node24", check: faster("nativeAmbient", "effect", 3) },
        { text: "Node 24, native ambient ≥ 50× faster than Effection", runtime: "node24", check: faster("nativeAmbient", "effection", 50) },
      ]),
    ],
    note: "Node 20 ambient is reported, not judged: AsyncLocalStorage's PromiseHook adds ~0.8 µs per promise there.",
  },
  {
    id: "checkpoint",
    title: "checkpoint() and sleep(0), per call, one task in a loop",
    file: "cases/checkpoint.mjs",
    n: 200_000,
    quickN: 5_000,
    unit: "ns/call",
    flagSets: ["default"],
    runtimes: ["node20"],
    variants: [
      { name: "microtask", label: "await queueMicrotask hop (floor)", role: "floor" },
      { name: "checkpoint", label: "ours checkpoint(cx)", role: "ours" },
      { name: "sleep0", label: "ours sleep(0, cx)", role: "ours" },
      { name: "checkpointAmbient", label: "ours checkpoint(), ambient (Node 20 ALS)", role: "ours" },
    ],
    goals: [
      { text: "checkpoint ≤ 2× a microtask hop", check: slower("checkpoint", "microtask", 2) },
      { text: "sleep(0) ≤ 2× a microtask hop", check: slower("sleep0", "microtask", 2) },
    ],
  },
  {
    id: "lock-uncontended",
    title: "uncontended Lock acquire + release",
    file: "cases/lock.mjs",
    n: 200_000,
    quickN: 5_000,
    unit: "ns/op",
    flagSets: ["default"],
    runtimes: ["node20"],
    variants: [
      { name: "microtask", label: "await queueMicrotask hop (floor)", role: "floor" },
      { name: "lock", label: "ours Lock()", role: "ours" },
      { name: "lockFast", label: "ours Lock({ fastAcquire: true })", role: "ours" },
      { name: "asyncMutex", label: "async-mutex Mutex", role: "peer" },
    ],
    goals: [
      { text: "Lock ≥ 5× faster than async-mutex", check: faster("lock", "asyncMutex", 5) },
      { text: "Lock fastAcquire ≥ 5× faster than async-mutex", check: faster("lockFast", "asyncMutex", 5) },
    ],
  },
  {
    id: "lock-contended",
    title: "100 contenders on one Lock (100 × N/100 acquires, sync critical section)",
    file: "cases/lock.mjs",
    n: 100_000,
    quickN: 5_000,
    unit: "ns/op",
    flagSets: ["default"],
    runtimes: ["node20"],
    variants: [
      { name: "contendedMicrotask", label: "100 workers × microtask hop (floor)", role: "floor" },
      { name: "contendedLock", label: "ours Lock()", role: "ours" },
      { name: "contendedAsyncMutex", label: "async-mutex Mutex", role: "peer" },
    ],
    goals: [{ text: "100 contenders ≥ 4× faster than async-mutex", check: faster("contendedLock", "contendedAsyncMutex", 4) }],
  },
  {
    id: "limiter",
    title: "CapacityLimiter(10) over N tasks (each holds a token across one checkpoint)",
    file: "cases/limiter.mjs",
    n: 100_000,
    quickN: 2_000,
    unit: "ns/task",
    flagSets: GC_BOUND,
    runtimes: ["node20"],
    variants: [
      { name: "raw", label: "raw Promise.all, unlimited (floor)", role: "floor" },
      // The row's shape with nothing of ours: how much faster than p-limit any implementation
      // can be that starts every task and parks it until a permit frees, as AnyIO does.
      { name: "rawSemaphore", label: "hand-written promise semaphore(10), every task started and parked (bound)", role: "bound" },
      { name: "limiter", label: "ours CapacityLimiter(10)", role: "ours" },
      { name: "pLimit", label: "p-limit(10)", role: "peer" },
      // Its cost per task grows with N (~700 µs per task at 20k, 138 s per repetition set): a
      // smaller N keeps the row bounded and only flatters Effect.
      { name: "effectSemaphore", label: "Effect Semaphore(10).withPermits(1)", role: "peer", n: 5_000, quickN: 500 },
    ],
    goals: perFlagSet([{ text: "CapacityLimiter(10) ≥ 3× faster than p-limit(10)", check: faster("limiter", "pLimit", 3) }]),
  },
  ...[0, 1, 64].flatMap((buffer) =>
    ["1x1", "4x4"].map((shape) => ({
      id: `stream-${buffer}-${shape}`,
      title: `memory object stream, buffer ${buffer}, ${shape.replace("x", " producer(s) × ")} consumer(s)`,
      file: "cases/stream.mjs",
      n: 100_000,
      quickN: 2_000,
      unit: "ns/item",
      // In one full run the floor and ours ran ~1.6× slower than in the run before while
      // Effect's process ran at its usual speed, which alone turned 3.9× into 2.6×: three
      // processes per variant, taking turns, pooled.
      processes: 3,
      flagSets: ["default"],
      runtimes: ["node20"],
      variants: [
        { name: `raw_${buffer}_${shape}`, label: "hand-written promise channel (floor)", role: "floor" },
        { name: `ours_${buffer}_${shape}`, label: `ours createMemoryObjectStream(${buffer})`, role: "ours" },
        { name: `effect_${buffer}_${shape}`, label: `Effect Queue.bounded(${buffer})`, role: "peer" },
      ],
      goals: [
        ...(buffer === 64 ? [{ text: `buffer 64, ${shape}: ≥ 3 M items/s`, check: throughputAtLeast(`ours_${buffer}_${shape}`, 3e6) }] : []),
        { text: `buffer ${buffer}, ${shape}: ≥ 3× faster than Effect Queue`, check: faster(`ours_${buffer}_${shape}`, `effect_${buffer}_${shape}`, 3) },
      ],
    })),
  ),
  {
    id: "timeout-scopes",
    title: "moveOnAfter / failAfter around a resolved op (an async fn awaiting a resolved promise)",
    file: "cases/timeout.mjs",
    n: 100_000,
    quickN: 2_000,
    unit: "ns/op",
    // The op alone ranged 111–197 ns from one process to the next (three full runs, one day):
    // three processes per variant, taking turns, pooled.
    processes: 3,
    flagSets: ["default"],
    runtimes: ["node20"],
    variants: [
      { name: "op", label: "the op alone (floor)", role: "floor" },
      { name: "moveOnAfter", label: "ours moveOnAfter(10 s, cx).run(op, cx)", role: "ours" },
      { name: "failAfter", label: "ours failAfter(10 s, cx).run(op, cx)", role: "ours" },
      { name: "effectOp", label: "Effect.promise(op) alone", role: "peer" },
      { name: "effectTimeout", label: "Effect.timeoutOption(Effect.promise(op), 10 s)", role: "peer" },
    ],
    goals: [
      { text: "moveOnAfter ≤ 3× the op alone", check: slower("moveOnAfter", "op", 3) },
      { text: "failAfter ≤ 3× the op alone", check: slower("failAfter", "op", 3) },
    ],
  },
  {
    id: "cancel-latency",
    title: "cancellation latency: cancel N sleeping tasks until every finally ran",
    file: "cases/cancel.mjs",
    n: 10_000,
    quickN: 1_000,
    unit: "ns/task",
    // Effect's median moved 3,473–4,986 ns between full runs (its reps 1,361–6,661): three
    // processes per variant, taking turns, pooled.
    processes: 3,
    flagSets: GC_BOUND,
    runtimes: ["node20"],
    variants: [
      { name: "raw", label: "AbortController → N rejected promises (floor)", role: "floor" },
      { name: "ours", label: "ours tg.cancel() → group exit", role: "ours" },
      { name: "effect", label: "Effect Fiber.interruptAll", role: "peer" },
    ],
    goals: perFlagSet([{ text: "cancel 10k sleepers ≥ 3× faster than Effect interruption", check: faster("ours", "effect", 3) }]),
  },
  ...[1, 100].map((connections) => ({
    id: `tcp-echo-${connections}`,
    title: `TCP echo over loopback, 64 KiB messages, ${connections} connection(s) (N messages in all, each echoed in full before the next)`,
    file: "cases/tcp.mjs",
    n: connections === 1 ? 4_000 : 10_000,
    quickN: connections === 1 ? 50 : 200,
    unit: "ns/msg",
    throughputBytes: 64 * 1024,
    // The node:net floor alone ranged 72–179 µs per message from one process to the next on
    // the reference VM: three processes per variant, taking turns, pooled.
    processes: 3,
    flagSets: ["default"],
    runtimes: ["node20"],
    variants: [
      { name: `raw_${connections}`, label: "node:net, server socket.pipe(socket) (floor)", role: "floor" },
      { name: `oursExplicit_${connections}`, label: "ours createTcpListener + connectTcp, explicit context", role: "ours" },
      { name: `ours_${connections}`, label: "ours, ambient context (Node 20 ALS: reported, not judged)", role: "ours" },
    ],
    // Judged in explicit context, as spawn + join on Node 20: AsyncLocalStorage's PromiseHook
    // costs every promise of Node's own socket code too (~60 µs per message here).
    goals: [{ text: `${connections} connection(s): ≥ 0.9× raw node:net throughput (explicit context)`, check: throughputRatio(`oursExplicit_${connections}`, `raw_${connections}`, 0.9) }],
  })),
  {
    id: "file-read",
    title: "file read via FileReadStream, 64 KiB receives, warm page cache (N = MiB)",
    file: "cases/file-read.mjs",
    n: 256,
    quickN: 8,
    unit: "ns/MiB",
    throughputBytes: 1 << 20,
    flagSets: ["default"],
    runtimes: ["node20"],
    variants: [
      { name: "fsPromises", label: "fs/promises FileHandle.read, 64 KiB (floor)", role: "floor" },
      { name: "fileReadStream", label: "ours FileReadStream.fromPath().receive(64 KiB)", role: "ours" },
    ],
    goals: [{ text: "256 MiB: ≥ 0.95× fs/promises throughput", check: throughputRatio("fileReadStream", "fsPromises", 0.95) }],
  },
  {
    id: "memory",
    title: "memory per parked task: RSS delta / N tasks parked in a sleep (after full GC)",
    file: "cases/memory.mjs",
    n: 100_000,
    quickN: 2_000,
    unit: "B/task",
    metric: "value",
    freshProcessPerRep: true,
    flagSets: ["default"],
    runtimes: ["node20"],
    variants: [
      { name: "raw", label: "async fn awaiting a never-settled promise (floor), RSS", role: "floor" },
      { name: "ours", label: "ours, task parked in sleepForever(cx), RSS", role: "ours" },
      { name: "effect", label: "Effect fiber in Effect.never, RSS", role: "peer" },
      { name: "effection", label: "Effection task in suspend(), RSS", role: "peer", n: 10_000, quickN: 200 },
      { name: "rawHeap", label: "floor, V8 heapUsed", role: "floor" },
      { name: "oursHeap", label: "ours, V8 heapUsed", role: "ours" },
      { name: "effectHeap", label: "Effect, V8 heapUsed", role: "peer" },
      { name: "effectionHeap", label: "Effection, V8 heapUsed", role: "peer", n: 10_000, quickN: 200 },
      // What no design can leave out, and what p-limit holds per waiting call (the limiter row).
      { name: "observedHeap", label: "floor + each fn's promise observed by then() with two bound functions (least cost of learning a task ended), V8 heapUsed", role: "bound" },
      { name: "pLimitQueuedHeap", label: "p-limit(1): a call queued behind a busy slot (its function not called yet), V8 heapUsed", role: "peer" },
    ],
    goals: [{ text: "memory per parked task ≤ 1 KiB (RSS)", check: atMost("ours", 1024, "B/task") }],
  },
];
