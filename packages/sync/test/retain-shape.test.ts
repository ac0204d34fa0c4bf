/**
 * The primitives keep their V8 hidden classes (and the code optimized against them) after
 * every instance is gone: one retained instance per class (`retainShape` of @anyio/core). A
 * program that makes its locks and streams per run, or per request, does not start over in
 * slow code after each full GC.
 */
import { hiddenClassOutlivesInstances } from "@anyio/testing";
import { describe, expect, it } from "vitest";
import { CapacityLimiter, Condition, createMemoryObjectStream, Event, Lock, ResourceGuard, Semaphore } from "@anyio/sync";

describe("hidden classes of @anyio/sync outlive their instances", () => {
  it("Lock, Semaphore, Event, Condition, CapacityLimiter, ResourceGuard", async () => {
    for (const make of [() => new Lock(), () => new Semaphore(1), () => new Event(), () => new Condition(), () => new CapacityLimiter(1), () => new ResourceGuard()]) {
      expect(await hiddenClassOutlivesInstances(make), make.toString()).toBe(true);
    }
  });

  it("both ends of a memory object stream, their shared state, its buffer and waiter queue", async () => {
    const state = (send: object) => (send as { _state: { buffer: object; senders: object } })._state;
    const parts: Array<() => object> = [
      () => createMemoryObjectStream(1)[0],
      () => createMemoryObjectStream(1)[1],
      () => state(createMemoryObjectStream(1)[0]),
      () => state(createMemoryObjectStream(1)[0]).buffer,
      () => state(createMemoryObjectStream(1)[0]).senders,
    ];
    for (const make of parts) expect(await hiddenClassOutlivesInstances(make), make.toString()).toBe(true);
  });
});
