/**
 * Spawn + join N children that each pass one checkpoint.
 * raw floor: N async functions that each await a resolved promise, joined by Promise.all.
 * rawAmbient: the same with each child started in its own AsyncLocalStorage.run() — what
 * carrying a per-task ambient value costs the platform itself (on Node 24 one AsyncContextFrame,
 * a Map copy, per run; on Node 20 the PromiseHook on every promise), with no task machinery.
 * rawEnterWith: one AsyncLocalStorage.enterWith() per child instead, never restored — the least
 * any per-task ambient value can cost (one context frame per child, where run() makes two).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { checkpoint, run, withTaskGroup } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { strictBackend } from "@anyio/backend-strict";
import { Effect, Fiber } from "effect";
import { run as effectionRun, sleep as effectionSleep, spawn as effectionSpawn } from "effection";

const RESOLVED = Promise.resolve();

async function rawChild() {
  await RESOLVED;
}

function spawnJoin(backend, context) {
  const explicit = context === "explicit";
  const child = explicit ? (cx) => checkpoint(cx) : () => checkpoint();
  return (n) =>
    run(
      (cx) =>
        withTaskGroup((tg) => {
          for (let i = 0; i < n; i++) tg.startSoon(child);
        }, explicit ? cx : undefined),
      { backend: backend(), context },
    );
}

export const variants = {
  raw: async (n) => {
    const all = new Array(n);
    for (let i = 0; i < n; i++) all[i] = rawChild();
    await Promise.all(all);
  },
  rawAmbient: async (n) => {
    const storage = new AsyncLocalStorage();
    const all = new Array(n);
    for (let i = 0; i < n; i++) all[i] = storage.run(i, rawChild);
    await Promise.all(all);
    // Node 20: switch the PromiseHook off again, as run() does when its last ambient run ends.
    storage.disable();
  },
  rawEnterWith: async (n) => {
    const storage = new AsyncLocalStorage();
    const all = new Array(n);
    // Each child starts in a frame of its own; the loop keeps the last one (nothing here reads it).
    for (let i = 0; i < n; i++) {
      storage.enterWith(i);
      all[i] = rawChild();
    }
    await Promise.all(all);
    storage.disable();
  },
  nativeExplicit: spawnJoin(nativeBackend, "explicit"),
  nativeAmbient: spawnJoin(nativeBackend, "ambient"),
  strictExplicit: spawnJoin(strictBackend, "explicit"),
  effect: (n) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const fibers = new Array(n);
        for (let i = 0; i < n; i++) fibers[i] = yield* Effect.forkChild(Effect.yieldNow);
        yield* Fiber.joinAll(fibers);
      }),
    ),
  effection: (n) =>
    effectionRun(function* () {
      const tasks = new Array(n);
      for (let i = 0; i < n; i++) {
        tasks[i] = yield* effectionSpawn(function* () {
          yield* effectionSleep(0);
        });
      }
      for (const task of tasks) yield* task;
    }),
};
