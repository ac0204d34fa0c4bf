import { TimerQueue } from "@anyio/core";
import { describe, expect, it } from "vitest";

describe("TimerQueue", () => {
  it("fires due timers earliest first, equal deadlines in arming order", () => {
    const q = new TimerQueue();
    const fired: string[] = [];
    const t = (name: string) => ({ onTimer: () => void fired.push(name) });
    q.add(30, t("c"));
    q.add(10, t("a1"));
    q.add(20, t("b"));
    q.add(10, t("a2"));
    expect(q.nextDeadline).toBe(10);
    expect(q.fireDue(20)).toBe(3);
    expect(fired).toEqual(["a1", "a2", "b"]);
    expect(q.size).toBe(1);
    expect(q.nextDeadline).toBe(30);
  });

  it("removes timers anywhere in the heap and keeps the order of the rest", () => {
    const q = new TimerQueue();
    const fired: number[] = [];
    const handles = Array.from({ length: 50 }, (_, i) => q.add((i * 37) % 50, { onTimer: () => void fired.push((i * 37) % 50) }));
    for (let i = 0; i < 50; i += 3) expect(q.remove(handles[i]!)).toBe(true);
    expect(q.remove(handles[0]!)).toBe(false);
    q.fireDue(Infinity);
    const expected = Array.from({ length: 50 }, (_, i) => i)
      .filter((_, i) => i % 3 !== 0)
      .map((i) => (i * 37) % 50)
      .sort((a, b) => a - b);
    expect(fired).toEqual(expected);
    expect(q.nextDeadline).toBe(Infinity);
  });

  it("fires timers armed during firing when they are already due", () => {
    const q = new TimerQueue();
    const fired: string[] = [];
    q.add(5, { onTimer: () => { fired.push("first"); q.add(4, { onTimer: () => void fired.push("nested") }); } });
    q.fireDue(5);
    expect(fired).toEqual(["first", "nested"]);
  });

  it("stays a correct heap through emptying and refilling, also after a burst of thousands", () => {
    const q = new TimerQueue();
    const fired: number[] = [];
    const target = (d: number) => ({ onTimer: () => void fired.push(d) });
    for (let round = 0; round < 3; round++) {
      const burst = Array.from({ length: 3000 }, (_, i) => q.add((i * 7919) % 3000, target(-1)));
      expect(q.size).toBe(3000);
      for (const handle of burst) expect(q.remove(handle)).toBe(true);
      expect(q.size).toBe(0);
      expect(q.peek()).toBeUndefined();
      expect(q.nextDeadline).toBe(Infinity);
      expect(q.remove(burst[0]!)).toBe(false);
      // One at a time, as moveOnAfter() around fast operations arms and clears them.
      for (let i = 0; i < 5; i++) expect(q.remove(q.add(i, target(-1)))).toBe(true);
      q.add(3, target(3));
      q.add(1, target(1));
      const gone = q.add(2, target(2));
      q.add(4, target(4));
      q.remove(gone);
      expect(q.fireDue(Infinity)).toBe(3);
    }
    expect(fired).toEqual([1, 3, 4, 1, 3, 4, 1, 3, 4]);
    q.add(1, target(1));
    q.clear();
    expect(q.size).toBe(0);
    expect(q.fireDue(Infinity)).toBe(0);
  });
});
