/**
 * Property tests: random programs of acquire/release/send/receive/notify with random
 * cancellations and deadlines, each on the strict backend with a random scheduling seed
 * (reproducible: fast-check prints the program, including the seed, on failure). A lost
 * wake-up shows up as a violated quiescence invariant or as the strict backend's
 * DeadlockError; a leaked or double-granted permit as a violated count.
 */
import { strictBackend } from "@anyio/backend-strict";
import {
  CancelScope,
  EndOfStream,
  moveOnAfter,
  run,
  sleep,
  waitAllTasksBlocked,
  withTaskGroup,
} from "@anyio/core";
import { CapacityLimiter, Condition, createMemoryObjectStream, Lock, Semaphore } from "@anyio/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

const timeout = fc.option(fc.integer({ min: 0, max: 4 }), { nil: null, freq: 2 });
const target = fc.option(fc.nat(5), { nil: null, freq: 2 });
const chaos = fc.array(fc.record({ delay: fc.integer({ min: 0, max: 3 }), target: fc.nat(5) }), { maxLength: 4 });
const seed = fc.integer({ min: 0, max: 2 ** 30 });

function scopeFor(ms: number | null): CancelScope {
  return ms === null ? new CancelScope() : moveOnAfter(ms);
}

/** A primitive seen as a pool of permits, with its own quiescence and end-state invariants. */
interface PermitPool {
  acquire(): Promise<void>;
  release(): void;
  /** At a point where every other task is blocked: a waiter must not coexist with a free permit. */
  quiescent(): string | null;
  /** After every task finished: nothing held, nobody waiting. */
  final(): string | null;
}

function makePool(kind: string, capacity: number): { pool: PermitPool; capacity: number } {
  switch (kind) {
    case "lock":
    case "lockFast": {
      const lock = new Lock({ fastAcquire: kind === "lockFast" });
      return {
        capacity: 1,
        pool: {
          acquire: () => lock.acquire(),
          release: () => lock.release(),
          quiescent: () => (lock.statistics().tasksWaiting > 0 && !lock.locked() ? "lock free while tasks wait" : null),
          final: () => (lock.locked() || lock.statistics().tasksWaiting > 0 ? `lock left ${JSON.stringify(lock.statistics())}` : null),
        },
      };
    }
    case "semaphore":
    case "semaphoreFast": {
      const sem = new Semaphore(capacity, { maxValue: capacity, fastAcquire: kind === "semaphoreFast" });
      return {
        capacity,
        pool: {
          acquire: () => sem.acquire(),
          release: () => sem.release(),
          quiescent: () => (sem.statistics().tasksWaiting > 0 && sem.value > 0 ? `value ${sem.value} while tasks wait` : null),
          final: () => (sem.value !== capacity || sem.statistics().tasksWaiting > 0 ? `semaphore left at ${sem.value}/${capacity}` : null),
        },
      };
    }
    default: {
      const limiter = new CapacityLimiter(capacity);
      return {
        capacity,
        pool: {
          acquire: () => limiter.acquire(),
          release: () => limiter.release(),
          quiescent: () =>
            limiter.statistics().tasksWaiting > 0 && limiter.availableTokens > 0 ? `${limiter.availableTokens} tokens free while tasks wait` : null,
          final: () => (limiter.borrowedTokens !== 0 || limiter.statistics().tasksWaiting > 0 ? `limiter left ${limiter.borrowedTokens} borrowed` : null),
        },
      };
    }
  }
}

const permitProgram = fc.record({
  kind: fc.constantFrom("lock", "lockFast", "semaphore", "semaphoreFast", "limiter"),
  capacity: fc.integer({ min: 1, max: 3 }),
  tasks: fc.array(
    fc.array(fc.record({ hold: fc.integer({ min: 0, max: 3 }), timeout, cancelOnRelease: target }), { minLength: 1, maxLength: 4 }),
    { minLength: 2, maxLength: 5 },
  ),
  chaos,
  seed,
});

const streamProgram = fc.record({
  buffer: fc.constantFrom(0, 1, 2, 5, Infinity),
  producers: fc.array(fc.array(fc.record({ timeout, cancelReceiver: target }), { maxLength: 6 }), { minLength: 1, maxLength: 3 }),
  consumers: fc.array(
    fc.array(fc.record({ timeout, pause: fc.integer({ min: 0, max: 2 }) }), { maxLength: 8 }),
    { minLength: 1, maxLength: 3 },
  ),
  chaos,
  seed,
});

const conditionProgram = fc.record({
  items: fc.array(fc.record({ pause: fc.integer({ min: 0, max: 2 }), cancelConsumer: target }), { minLength: 1, maxLength: 6 }),
  consumers: fc.array(timeout, { minLength: 1, maxLength: 4 }),
  chaos,
  seed,
});

describe("property: permits are never leaked nor double-granted, and no waiter is left behind", () => {
  it("Lock, Semaphore and CapacityLimiter under random holds, deadlines and cancellations (800 programs)", async () => {
    await fc.assert(
      fc.asyncProperty(permitProgram, async (p) => {
        const { pool, capacity } = makePool(p.kind, p.capacity);
        const violations: string[] = [];
        const current: Array<CancelScope | null> = p.tasks.map(() => null);
        let inside = 0;
        await run(
          async () => {
            await withTaskGroup(async (tg) => {
              p.tasks.forEach((steps, i) => {
                tg.startSoon(async () => {
                  for (const step of steps) {
                    const scope = scopeFor(step.timeout);
                    current[i] = scope;
                    await scope.run(async () => {
                      await pool.acquire();
                      if (++inside > capacity) violations.push(`${inside} holders of ${capacity} permits`);
                      try {
                        await sleep(step.hold);
                      } finally {
                        inside--;
                        pool.release();
                        // Cancel a task in the same step as the release: it may be the one just granted.
                        if (step.cancelOnRelease !== null) current[step.cancelOnRelease % current.length]?.cancel();
                      }
                    });
                    current[i] = null;
                  }
                });
              });
              tg.startSoon(async () => {
                for (const event of p.chaos) {
                  await sleep(event.delay);
                  await waitAllTasksBlocked();
                  const v = pool.quiescent();
                  if (v !== null) violations.push(v);
                  current[event.target % current.length]?.cancel();
                }
              });
            });
          },
          { backend: strictBackend({ seed: p.seed }) },
        );
        const v = pool.final();
        if (v !== null) violations.push(v);
        expect(violations).toEqual([]);
      }),
      { numRuns: 800 },
    );
  });
});

describe("property: memory object streams deliver every sent item exactly once", () => {
  it("producers and consumers under random buffers, deadlines and cancellations (800 programs)", async () => {
    await fc.assert(
      fc.asyncProperty(streamProgram, async (p) => {
        const [send, receive] = createMemoryObjectStream<number>(p.buffer);
        const sentOk: number[] = [];
        const received: number[] = [];
        const violations: string[] = [];
        const receiving: Array<CancelScope | null> = p.consumers.map(() => null);
        await run(
          async () => {
            await withTaskGroup(async (tg) => {
              p.producers.forEach((sends, pi) => {
                const tx = send.clone();
                tg.startSoon(async () => {
                  for (const [k, s] of sends.entries()) {
                    const item = pi * 100 + k;
                    let ok = false;
                    await scopeFor(s.timeout).run(async () => {
                      await tx.send(item);
                      ok = true;
                    });
                    if (ok) sentOk.push(item);
                    // Cancel a receiver in the same step: it may be the one just handed this item.
                    if (s.cancelReceiver !== null) receiving[s.cancelReceiver % receiving.length]?.cancel();
                  }
                  tx.close();
                });
              });
              p.consumers.forEach((plan, ci) => {
                const rx = receive.clone();
                tg.startSoon(async () => {
                  for (let n = 0; ; n++) {
                    const step = plan[n] ?? { timeout: null, pause: 0 };
                    const scope = scopeFor(step.timeout);
                    receiving[ci] = scope;
                    let ended = false;
                    await scope.run(async () => {
                      try {
                        received.push(await rx.receive());
                      } catch (err) {
                        if (err instanceof EndOfStream) ended = true;
                        else throw err;
                      }
                    });
                    receiving[ci] = null;
                    if (ended) break;
                    await sleep(step.pause);
                  }
                  rx.close();
                });
              });
              send.close();
              receive.close();
              tg.startSoon(async () => {
                for (const event of p.chaos) {
                  await sleep(event.delay);
                  await waitAllTasksBlocked();
                  const s = send.statistics();
                  if (s.tasksWaitingReceive > 0 && (s.currentBufferUsed > 0 || s.tasksWaitingSend > 0)) {
                    violations.push(`receivers wait while items are available: ${JSON.stringify(s)}`);
                  }
                  if (s.tasksWaitingSend > 0 && s.currentBufferUsed < s.maxBufferSize) {
                    violations.push(`senders wait while the buffer has room: ${JSON.stringify(s)}`);
                  }
                  receiving[event.target % receiving.length]?.cancel();
                }
              });
            });
          },
          { backend: strictBackend({ seed: p.seed }) },
        );
        expect(violations).toEqual([]);
        expect(new Set(received).size).toBe(received.length); // nothing received twice
        expect([...received].sort((a, b) => a - b)).toEqual([...sentOk].sort((a, b) => a - b)); // exactly the sends that succeeded
        if (p.consumers.length === 1) {
          // One consumer sees each producer's items in the order they were sent.
          for (let pi = 0; pi < p.producers.length; pi++) {
            const mine = received.filter((x) => Math.floor(x / 100) === pi);
            expect(mine).toEqual([...mine].sort((a, b) => a - b));
          }
        }
        expect(send.statistics()).toMatchObject({
          tasksWaitingSend: 0,
          tasksWaitingReceive: 0,
          openSendStreams: 0,
          openReceiveStreams: 0,
        });
      }),
      { numRuns: 800 },
    );
  });
});

describe("property: Condition never loses a notification", () => {
  it("a producer notifying consumers under random deadlines and cancellations (500 programs)", async () => {
    await fc.assert(
      fc.asyncProperty(conditionProgram, async (p) => {
        const cond = new Condition();
        const queue: number[] = [];
        const consumed: number[] = [];
        const violations: string[] = [];
        const scopes = p.consumers.map(scopeFor);
        let done = false;
        let drained = false;
        await run(
          async () => {
            await withTaskGroup(async (tg) => {
              scopes.forEach((scope) => {
                tg.startSoon(() =>
                  // A cancelled consumer leaves for good, so a notification it swallowed would
                  // strand the others: the pass-on rule is what keeps them going.
                  scope.run(() =>
                    cond.run(async () => {
                      for (;;) {
                        await cond.waitFor(() => queue.length > 0 || done);
                        if (queue.length === 0) {
                          drained = true;
                          return;
                        }
                        consumed.push(queue.shift()!);
                      }
                    }),
                  ),
                );
              });
              tg.startSoon(async () => {
                for (const [i, item] of p.items.entries()) {
                  await sleep(item.pause);
                  await cond.run(() => {
                    queue.push(i);
                    cond.notify();
                    if (item.cancelConsumer !== null) scopes[item.cancelConsumer % scopes.length]!.cancel();
                  });
                }
                await cond.run(() => {
                  done = true;
                  cond.notifyAll();
                });
              });
              tg.startSoon(async () => {
                for (const event of p.chaos) {
                  await sleep(event.delay);
                  await waitAllTasksBlocked();
                  if (cond.statistics().tasksWaiting > 0 && !cond.locked() && queue.length > 0) {
                    violations.push(`${cond.statistics().tasksWaiting} waiting while ${queue.length} items are queued`);
                  }
                  scopes[event.target % scopes.length]!.cancel();
                }
              });
            });
          },
          { backend: strictBackend({ seed: p.seed }) },
        );
        expect(violations).toEqual([]);
        expect(new Set(consumed).size).toBe(consumed.length);
        expect(consumed.length + queue.length).toBe(p.items.length);
        if (drained) expect(queue).toEqual([]);
        expect(cond.statistics()).toEqual({ tasksWaiting: 0, lockStatistics: { locked: false, owner: null, tasksWaiting: 0 } });
      }),
      { numRuns: 500 },
    );
  });
});
