#!/usr/bin/env node
/**
 * Soak: an echo server on 127.0.0.1 (createTcpListener + serve from @anyio/net) under up to
 * 10,000 concurrent clients for a bounded time, on the native backend. Clients behave in four
 * ways, chosen at random per connection: echo (send, read the echo back, verify), abort (close
 * forcefully at a random moment, mid-send or mid-receive), garbage (random bytes, half-close,
 * read until the server closes) and slow-read (send 256 KiB, read it back in small pieces with
 * pauses, so the server is held up by backpressure).
 *
 *   pnpm soak            60 s          pnpm soak --quick     10 s
 *   pnpm soak --seconds N (≤ 120)      --clients N (≤ 10000, further capped by `ulimit -n`)
 *
 * Fails (exit 1) on a crash (an error escaping the run), a hung task (the run does not finish
 * within 30 s of the end of the load, when every client and handler has been cancelled), a wrong echo, or memory that keeps growing (heap after
 * GC at the end more than 1.5× and 64 MiB above the middle sample). Writes
 * tools/soak/results/soak.json and regenerates tools/RELIABILITY.md.
 *
 * The parent process raises the soft `ulimit -n` to the hard limit for a child that does the
 * work (`sh -c 'ulimit -n …; exec node --expose-gc soak.mjs --child …'`).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (flag, dflt) => (args.includes(flag) ? Number(args[args.indexOf(flag) + 1]) : dflt);

if (!args.includes("--child")) {
  const hard = execFileSync("sh", ["-c", "ulimit -Hn"]).toString().trim();
  const soft = execFileSync("sh", ["-c", "ulimit -Sn"]).toString().trim();
  const target = hard === "unlimited" ? "1048576" : hard;
  process.stderr.write(`[soak] ulimit -n: soft ${soft}, hard ${hard}; the child raises the soft limit to ${target}\n`);
  const childArgs = args.map((a) => `'${a.replace(/'/g, "")}'`).join(" ");
  const r = spawnSync("sh", ["-c", `ulimit -Sn ${target} 2>/dev/null || true; exec "${process.execPath}" --expose-gc "${join(here, "soak.mjs")}" --child ${childArgs}`], {
    stdio: "inherit",
  });
  spawnSync(process.execPath, [join(here, "..", "fuzz", "report.mjs")], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

const { run, withTaskGroup, moveOnAfter, sleep, currentTime, acloseForcefully, isCancelled, EndOfStream } = await import("@anyio/core");
const { nativeBackend } = await import("@anyio/backend-native");
const { createTcpListener, connectTcp } = await import("@anyio/net");

const quick = args.includes("--quick");
const seconds = Math.min(opt("--seconds", quick ? 10 : 60), 120);
const fdLimit = (() => {
  const m = /Max open files\s+(\d+|unlimited)/.exec(readFileSync("/proc/self/limits", "utf8"));
  return m === null || m[1] === "unlimited" ? 1 << 20 : Number(m[1]);
})();
// Each connection costs two descriptors here (client end and server end); keep a reserve.
const clients = Math.max(1, Math.min(opt("--clients", 10_000), Math.floor((fdLimit - 256) / 2)));

const errors = new Map();
const countError = (side, err) => {
  if (Array.isArray(err?.exceptions)) {
    for (const e of err.exceptions) countError(side, e);
    return;
  }
  const kind = `${side}: ${err?.code ?? err?.name ?? typeof err}`;
  errors.set(kind, (errors.get(kind) ?? 0) + 1);
};
const stats = { served: 0, serverDone: 0, connects: 0, echoOk: 0, echoBad: 0, aborts: 0, garbage: 0, slowReads: 0, bytesEchoed: 0 };
const memory = [];
const sampleMemory = (label) => {
  globalThis.gc?.();
  const m = process.memoryUsage();
  memory.push({ label, atSeconds: Math.round(performance.now() / 100) / 10, heapUsedMiB: +(m.heapUsed / 2 ** 20).toFixed(1), rssMiB: +(m.rss / 2 ** 20).toFixed(1) });
};

let random = 0x9e3779b9;
const rand = () => {
  random ^= random << 13;
  random ^= random >>> 17;
  random ^= random << 5;
  return (random >>> 0) / 2 ** 32;
};

async function echoHandler(stream) {
  stats.served++;
  try {
    for await (const chunk of stream) {
      await stream.send(chunk);
      stats.bytesEchoed += chunk.length;
    }
  } catch (err) {
    if (isCancelled(err)) throw err;
    countError("server", err);
  } finally {
    await acloseForcefully(stream);
    stats.serverDone++;
  }
}

async function receiveExactly(stream, n) {
  const parts = [];
  let got = 0;
  while (got < n) {
    const chunk = await stream.receive(Math.min(65536, n - got));
    parts.push(chunk);
    got += chunk.length;
  }
  return Buffer.concat(parts);
}

async function oneClient(port) {
  const stream = await connectTcp("127.0.0.1", port);
  stats.connects++;
  try {
    const r = rand();
    if (r < 0.55) {
      const payload = Buffer.alloc(1 + Math.floor(rand() * 2048), Math.floor(rand() * 256));
      await stream.send(payload);
      const back = await receiveExactly(stream, payload.length);
      if (Buffer.compare(back, payload) === 0) stats.echoOk++;
      else stats.echoBad++;
    } else if (r < 0.75) {
      stats.aborts++;
      // Abort at a random moment: right away, mid-send, or while a receive is pending.
      await moveOnAfter(rand() * 20).run(async () => {
        await stream.send(Buffer.alloc(Math.floor(rand() * 200_000)));
        await stream.receive();
      });
    } else if (r < 0.9) {
      stats.garbage++;
      await stream.send(Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 512) }, () => Math.floor(rand() * 256))));
      await stream.sendEof();
      try {
        for (;;) await stream.receive();
      } catch (err) {
        if (!(err instanceof EndOfStream)) throw err;
      }
    } else {
      stats.slowReads++;
      const size = 256 * 1024;
      await withTaskGroup(async (tg) => {
        tg.startSoon(() => stream.send(Buffer.alloc(size, 7)));
        let got = 0;
        while (got < size) {
          got += (await stream.receive(4096)).length;
          await sleep(rand() * 5);
        }
      });
    }
  } finally {
    await acloseForcefully(stream);
  }
}

let failure = null;
const started = performance.now();
let finish = null;
// A hung task keeps run() from returning: the watchdog ends the process with the figures so far.
finish = () => report();
const watchdog = setTimeout(() => {
  failure = `hung: run() had not returned 30 s after the load was cancelled`;
  finish?.();
}, (seconds + 30) * 1000);

sampleMemory("start");
process.stderr.write(`[soak] ${clients} concurrent clients for ${seconds} s (fd limit ${fdLimit})\n`);
try {
  await run(
    async () => {
      const listener = await createTcpListener({ localHost: "127.0.0.1", backlog: 65535 });
      const port = listener.listeners[0].port;
      await withTaskGroup(async (tg) => {
        tg.startSoon(() => listener.serve(echoHandler));
        // The load runs for `seconds`, then its scope's deadline cancels every client wherever
        // it is (mid-connect, mid-send, parked on a receive): they must all unwind promptly.
        await moveOnAfter(seconds * 1000).run(() =>
          withTaskGroup(async (load) => {
            load.startSoon(async () => {
              await sleep((seconds * 1000) / 2);
              sampleMemory("middle");
            });
            for (let i = 0; i < clients; i++) {
              load.startSoon(async () => {
                // Bounded: cancelled at the end of the load; each connection at most 10 s.
                for (;;) {
                  const op = moveOnAfter(10_000);
                  try {
                    await op.run(() => oneClient(port));
                    if (op.cancelledCaught) countError("client", { name: "timeout (10 s)" });
                  } catch (err) {
                    if (isCancelled(err)) throw err;
                    countError("client", err);
                    await sleep(rand() * 10);
                  }
                }
              });
            }
          }),
        );
        // Load over: stop serving; every handler must finish (the watchdog bounds how long).
        tg.cancel("soak over");
      });
      await listener.aclose();
    },
    { backend: nativeBackend() },
  );
} catch (err) {
  failure = `crash: ${err?.stack ?? err}`;
}
clearTimeout(watchdog);
finish = null;
report();

function report() {
const elapsed = (performance.now() - started) / 1000;
sampleMemory("end");
const mid = memory.find((m) => m.label === "middle");
const end = memory.find((m) => m.label === "end");
if (failure === null && stats.echoBad > 0) failure = `${stats.echoBad} echoes came back wrong`;
if (failure === null && mid !== undefined && end.heapUsedMiB > mid.heapUsedMiB * 1.5 && end.heapUsedMiB > mid.heapUsedMiB + 64) {
  failure = `heap kept growing: ${mid.heapUsedMiB} MiB at the middle, ${end.heapUsedMiB} MiB at the end`;
}
const result = {
  date: new Date().toISOString(),
  node: process.version,
  mode: quick ? "quick" : "full",
  seconds,
  elapsedSeconds: +elapsed.toFixed(1),
  concurrentClients: clients,
  fdLimit,
  connectionsServed: stats.served,
  connectionsMade: stats.connects,
  byBehaviour: { echo: stats.echoOk + stats.echoBad, abort: stats.aborts, garbage: stats.garbage, slowRead: stats.slowReads },
  echoOk: stats.echoOk,
  echoBad: stats.echoBad,
  bytesEchoed: stats.bytesEchoed,
  handlersFinished: stats.serverDone,
  errorsByKind: Object.fromEntries([...errors].sort((a, b) => b[1] - a[1])),
  memory,
  passed: failure === null,
  failure,
};
mkdirSync(join(here, "results"), { recursive: true });
writeFileSync(join(here, "results", quick ? "soak-quick.json" : "soak.json"), JSON.stringify(result, null, 2) + "\n");
process.stdout.write(JSON.stringify(result, null, 2) + "\n");
process.exit(failure === null ? 0 : 1);
}
