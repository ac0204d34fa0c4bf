/**
 * A priority queue of deadlines: what a backend needs to keep thousands of timers behind a
 * single host timer (native) or a virtual clock (strict). Arming and clearing are O(log n)
 * and allocate nothing beyond the heap slot.
 *
 * @module
 */
import type { TimerTarget } from "./backend.js";
import { retainShape } from "./retain-shape.js";

/** Whether TimerEntry / TimerQueue have their retained instances (see retainShape). */
let entryShapeRetained = false;
let queueShapeRetained = false;
/** The target of the retained entry, which never fires. */
const NO_TARGET: TimerTarget = { onTimer() {} };

/**
 * One armed timer; the handle `TimerQueue.add()` returns.
 *
 * @example
 * ```ts
 * const entry: TimerEntry = timers.add(deadline, target);
 * timers.remove(entry); // cancel it
 * ```
 */
export class TimerEntry {
  /** @internal position in the heap, -1 once fired or cleared */
  _index = -1;
  constructor(
    /** When it fires, on the backend's clock. */
    readonly deadline: number,
    /** What it fires. */
    readonly target: TimerTarget,
    /** Arming order, so equal deadlines fire first-armed first (determinism). */
    readonly seq: number,
  ) {
    if (!entryShapeRetained) {
      entryShapeRetained = true;
      retainShape(TimerEntry, () => new TimerEntry(Infinity, NO_TARGET, 0));
    }
  }
}

/**
 * A binary min-heap of {@link TimerEntry} ordered by deadline, then arming order.
 *
 * @example
 * ```ts
 * const timers = new TimerQueue();
 * const handle = timers.add(now + 100, { onTimer: () => console.log("fired") });
 * timers.fireDue(now + 100); // fires it
 * timers.remove(handle);     // no-op: already fired
 * ```
 */
export class TimerQueue {
  /**
   * Slots 0 to `count - 1` hold the heap; the rest are `undefined`. The array keeps its length
   * when timers go: emptied by `pop()`, V8 may shrink its backing store, and the next `push()`
   * grow it again. Arming and clearing one timer at a time, as every `moveOnAfter()` around a
   * fast operation does, took ~76 instructions more that way (valgrind, tools/bench
   * timeout-scopes: 3,720 → 3,644 per scope).
   */
  private readonly heap: (TimerEntry | undefined)[] = [];
  private count = 0;
  private seq = 0;

  constructor() {
    if (!queueShapeRetained) {
      queueShapeRetained = true;
      retainShape(TimerQueue, () => new TimerQueue());
    }
  }

  /** Number of armed timers. */
  get size(): number {
    return this.count;
  }

  /** The earliest deadline, or `Infinity` when empty. */
  get nextDeadline(): number {
    const first = this.heap[0];
    return first === undefined ? Infinity : first.deadline;
  }

  /** The earliest timer, or `undefined` when empty. */
  peek(): TimerEntry | undefined {
    return this.heap[0];
  }

  /** Removes and returns the earliest timer if its deadline is `<= now`. */
  popDue(now: number): TimerEntry | undefined {
    const first = this.heap[0];
    if (first === undefined || first.deadline > now) return undefined;
    this.remove(first);
    return first;
  }

  /** Arms a timer. */
  add(deadline: number, target: TimerTarget): TimerEntry {
    const entry = new TimerEntry(deadline, target, this.seq++);
    const i = this.count++;
    entry._index = i;
    this.heap[i] = entry;
    this.up(i);
    return entry;
  }

  /** Disarms a timer; returns false if it already fired or was removed. */
  remove(entry: TimerEntry): boolean {
    const i = entry._index;
    const heap = this.heap;
    if (i < 0 || heap[i] !== entry) return false;
    entry._index = -1;
    const lastIndex = --this.count;
    const last = heap[lastIndex]!;
    heap[lastIndex] = undefined;
    if (last !== entry) {
      heap[i] = last;
      last._index = i;
      this.down(i);
      this.up(last._index);
    } else if (lastIndex === 0 && heap.length > 1024) {
      // Empty after a burst (thousands of timers at once): give the slots back.
      heap.length = 0;
    }
    return true;
  }

  /**
   * Removes every timer whose deadline is `<= now` and calls its target, earliest first.
   * Timers armed by a target while firing fire in the same call if they are due too.
   * Returns how many fired.
   */
  fireDue(now: number): number {
    let fired = 0;
    let entry: TimerEntry | undefined;
    while ((entry = this.popDue(now)) !== undefined) {
      fired++;
      entry.target.onTimer();
    }
    return fired;
  }

  /** Disarms everything (a run ended). */
  clear(): void {
    for (let i = 0; i < this.count; i++) this.heap[i]!._index = -1;
    this.heap.length = 0;
    this.count = 0;
  }

  private less(a: TimerEntry, b: TimerEntry): boolean {
    return a.deadline < b.deadline || (a.deadline === b.deadline && a.seq < b.seq);
  }

  private up(i: number): void {
    const heap = this.heap;
    const entry = heap[i]!;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (!this.less(entry, parent)) break;
      heap[i] = parent;
      parent._index = i;
      i = parentIndex;
    }
    heap[i] = entry;
    entry._index = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = this.count;
    const entry = heap[i]!;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && this.less(heap[right]!, heap[left]!) ? right : left;
      if (!this.less(heap[child]!, entry)) break;
      heap[i] = heap[child]!;
      heap[i]!._index = i;
      i = child;
    }
    heap[i] = entry;
    entry._index = i;
  }
}
