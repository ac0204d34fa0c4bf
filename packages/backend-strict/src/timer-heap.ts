/**
 * The run's pending timers, earliest deadline first; equal deadlines fire in the order they
 * were set, so firing order never depends on heap internals.
 *
 * @internal
 */
import type { TimerTarget } from "@anyio/core";

/** One pending timer; the handle `setTimer()` returns. */
export class TimerEntry {
  /** Position in the heap array, -1 once fired or cleared. */
  index = -1;
  constructor(
    readonly deadline: number,
    readonly seq: number,
    readonly target: TimerTarget,
  ) {}
}

function before(a: TimerEntry, b: TimerEntry): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
}

/** A binary min-heap whose entries know their index, so clearing a timer is O(log n). */
export class TimerHeap {
  private readonly items: TimerEntry[] = [];
  private nextSeq = 0;

  get size(): number {
    return this.items.length;
  }

  /** The earliest timer, or `undefined`. */
  peek(): TimerEntry | undefined {
    return this.items[0];
  }

  add(deadline: number, target: TimerTarget): TimerEntry {
    const entry = new TimerEntry(deadline, this.nextSeq++, target);
    entry.index = this.items.length;
    this.items.push(entry);
    this.up(entry.index);
    return entry;
  }

  /** Removes `entry`; false if it already fired or was removed. */
  remove(entry: TimerEntry): boolean {
    const i = entry.index;
    if (i < 0 || this.items[i] !== entry) return false;
    const last = this.items.pop()!;
    entry.index = -1;
    if (last !== entry) {
      this.items[i] = last;
      last.index = i;
      this.down(i);
      this.up(last.index);
    }
    return true;
  }

  /** Removes and returns the earliest timer if its deadline is `<= now`. */
  popDue(now: number): TimerEntry | undefined {
    const first = this.items[0];
    if (first === undefined || first.deadline > now) return undefined;
    this.remove(first);
    return first;
  }

  clear(): void {
    for (const entry of this.items) entry.index = -1;
    this.items.length = 0;
  }

  private up(i: number): void {
    const items = this.items;
    const entry = items[i]!;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = items[parentIndex]!;
      if (!before(entry, parent)) break;
      items[i] = parent;
      parent.index = i;
      i = parentIndex;
    }
    items[i] = entry;
    entry.index = i;
  }

  private down(i: number): void {
    const items = this.items;
    const n = items.length;
    const entry = items[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(items[right]!, items[left]!) ? right : left;
      if (!before(items[child]!, entry)) break;
      items[i] = items[child]!;
      items[i]!.index = i;
      i = child;
    }
    items[i] = entry;
    entry.index = i;
  }
}
