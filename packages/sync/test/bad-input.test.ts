import { CapacityLimiter, Condition, createMemoryObjectStream, Lock, ResourceGuard, Semaphore } from "@anyio/sync";
import { describe, expect, it } from "vitest";

describe("bad input is refused with a TypeError/RangeError naming the argument", () => {
  it("Semaphore", () => {
    expect(() => new Semaphore(1.5)).toThrow(new TypeError("new Semaphore(): initialValue must be an integer, got 1.5"));
    expect(() => new Semaphore("1" as never)).toThrow(TypeError);
    expect(() => new Semaphore(-1)).toThrow(new RangeError("new Semaphore(): initialValue cannot be negative, got -1"));
    expect(() => new Semaphore(Infinity)).toThrow(TypeError);
    expect(() => new Semaphore(1, { maxValue: 0.5 })).toThrow(/options.maxValue must be an integer/);
    expect(() => new Semaphore(3, { maxValue: 2 })).toThrow(RangeError);
    expect(() => new Semaphore(3, { maxValue: 2 })).toThrow(/maxValue must be equal to or larger than the initial value/);
    expect(() => new Semaphore(1, { fastAcquire: "yes" as never })).toThrow(/fastAcquire must be a boolean/);
    expect(() => new Semaphore(1, 5 as never)).toThrow(/options must be an object/);
  });

  it("CapacityLimiter", () => {
    expect(() => new CapacityLimiter(2.5)).toThrow(
      new TypeError("new CapacityLimiter(): totalTokens must be either an integer or Infinity, got 2.5"),
    );
    expect(() => new CapacityLimiter(Number.NaN)).toThrow(TypeError);
    expect(() => new CapacityLimiter(-Infinity)).toThrow(TypeError);
    expect(() => new CapacityLimiter(-1)).toThrow(new RangeError("new CapacityLimiter(): totalTokens cannot be negative, got -1"));
    const limiter = new CapacityLimiter(1);
    expect(() => (limiter.totalTokens = 0.5)).toThrow(TypeError);
    expect(() => (limiter.totalTokens = -2)).toThrow(RangeError);
    expect(limiter.totalTokens).toBe(1);
    expect(new CapacityLimiter(0).totalTokens).toBe(0);
    expect(new CapacityLimiter(Infinity).availableTokens).toBe(Infinity);
  });

  it("createMemoryObjectStream", () => {
    expect(() => createMemoryObjectStream(1.5)).toThrow(
      new TypeError("createMemoryObjectStream(): maxBufferSize must be either an integer or Infinity, got 1.5"),
    );
    expect(() => createMemoryObjectStream("4" as never)).toThrow(/maxBufferSize/);
    expect(() => createMemoryObjectStream(-1)).toThrow(
      new RangeError("createMemoryObjectStream(): maxBufferSize cannot be negative, got -1"),
    );
    expect(() => createMemoryObjectStream(Number.NaN)).toThrow(TypeError);
    expect(createMemoryObjectStream(Infinity)[0].statistics().maxBufferSize).toBe(Infinity);
  });

  it("Lock, Condition, ResourceGuard", () => {
    expect(() => new Lock({ fastAcquire: 1 as never })).toThrow(/options.fastAcquire must be a boolean, got 1/);
    expect(() => new Lock(null as never)).toThrow(/options must be an object/);
    expect(() => new Condition("lock" as never)).toThrow(/lock must be a Lock/);
    expect(() => new ResourceGuard(5 as never)).toThrow(/action must be a string/);
  });

  it("callbacks must be functions", async () => {
    await expect(new ResourceGuard().run(5 as never)).rejects.toThrow(/fn must be a function/);
    await expect(new Lock().run(5 as never)).rejects.toThrow(/Lock.run\(\): fn must be a function/);
    await expect(new Semaphore(1).run(5 as never)).rejects.toThrow(/fn must be a function/);
    await expect(new CapacityLimiter(1).run(5 as never)).rejects.toThrow(/fn must be a function/);
    await expect(new Condition().waitFor(5 as never)).rejects.toThrow(/predicate must be a function/);
  });

  it("waiting calls outside run() say how to give a context", () => {
    expect(() => new Lock().acquire()).toThrow(/needs the current task/);
    expect(() => new Lock().acquire({ signal: 5 as never })).toThrow(/options.signal must be an AbortSignal/);
  });
});
