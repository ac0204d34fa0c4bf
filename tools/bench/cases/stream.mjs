/**
 * Memory object stream: N items through a channel with buffer 0, 1 or 64, with 1 producer ×
 * 1 consumer or 4 × 4. Each producer sends N/P items, each consumer takes N/C items.
 * Variant names: <impl>_<buffer>_<P>x<C>, e.g. ours_64_1x1.
 * Floor ("raw"): a minimal hand-written bounded channel on plain promises (no cancellation,
 * no fairness guarantees beyond FIFO arrays) — what the hand-off itself costs.
 */
import { run, withTaskGroup } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { createMemoryObjectStream } from "@anyio/sync";
import { Effect, Queue } from "effect";

class RawChannel {
  constructor(capacity) {
    this.capacity = capacity;
    this.buffer = [];
    this.getters = [];
    this.putters = [];
  }
  send(item) {
    if (this.getters.length > 0) {
      this.getters.shift()(item);
      return undefined;
    }
    if (this.buffer.length < this.capacity) {
      this.buffer.push(item);
      return undefined;
    }
    return new Promise((resolve) => this.putters.push({ item, resolve }));
  }
  receive() {
    if (this.buffer.length > 0) {
      const item = this.buffer.shift();
      if (this.putters.length > 0) {
        const p = this.putters.shift();
        this.buffer.push(p.item);
        p.resolve();
      }
      return item;
    }
    if (this.putters.length > 0) {
      const p = this.putters.shift();
      p.resolve();
      return p.item;
    }
    return new Promise((resolve) => this.getters.push(resolve));
  }
}

function raw(buffer, producers, consumers) {
  return async (n) => {
    const ch = new RawChannel(buffer);
    const tasks = [];
    for (let p = 0; p < producers; p++) {
      tasks.push(
        (async () => {
          for (let i = 0, m = n / producers; i < m; i++) await ch.send(i);
        })(),
      );
    }
    for (let c = 0; c < consumers; c++) {
      tasks.push(
        (async () => {
          for (let i = 0, m = n / consumers; i < m; i++) await ch.receive();
        })(),
      );
    }
    await Promise.all(tasks);
  };
}

function ours(buffer, producers, consumers) {
  return (n) =>
    run(
      (cx) =>
        withTaskGroup((tg) => {
          const [send, receive] = createMemoryObjectStream(buffer);
          for (let p = 0; p < producers; p++) {
            tg.startSoon(async (tcx) => {
              for (let i = 0, m = n / producers; i < m; i++) await send.send(i, tcx);
            });
          }
          for (let c = 0; c < consumers; c++) {
            tg.startSoon(async (tcx) => {
              for (let i = 0, m = n / consumers; i < m; i++) await receive.receive(tcx);
            });
          }
        }, cx),
      { backend: nativeBackend(), context: "explicit" },
    );
}

function effect(buffer, producers, consumers) {
  return (n) =>
    Effect.runPromise(
      Effect.gen(function* () {
        const q = yield* Queue.bounded(buffer);
        const work = [];
        for (let p = 0; p < producers; p++) {
          work.push(
            Effect.gen(function* () {
              for (let i = 0, m = n / producers; i < m; i++) yield* Queue.offer(q, i);
            }),
          );
        }
        for (let c = 0; c < consumers; c++) {
          work.push(
            Effect.gen(function* () {
              for (let i = 0, m = n / consumers; i < m; i++) yield* Queue.take(q);
            }),
          );
        }
        yield* Effect.all(work, { concurrency: "unbounded", discard: true });
      }),
    );
}

export const variants = {};
for (const buffer of [0, 1, 64]) {
  for (const [p, c] of [
    [1, 1],
    [4, 4],
  ]) {
    variants[`raw_${buffer}_${p}x${c}`] = raw(buffer, p, c);
    variants[`ours_${buffer}_${p}x${c}`] = ours(buffer, p, c);
    variants[`effect_${buffer}_${p}x${c}`] = effect(buffer, p, c);
  }
}
