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
});
