/**
 * A FIFO of parked waiters with O(1) removal of cancelled ones.
 *
 * @internal
 */
import { retainShape, type Waiter } from "@anyio/core";

/**
 * FIFO queue of {@link Waiter}s on a growable ring buffer (no array re-allocation or length
 * changes on the hot path: a queue that keeps filling and emptying reuses its slots).
 *
 * A waiter that cancellation removes is not spliced out (that would be O(n)); its `onAbort`
 * only bumps counters, and {@link shift} skips entries that are no longer parked. The ring is
 * compacted once dead entries outnumber live ones, so a loop of timed-out acquires cannot grow
 * it without bound.
 *
 * Only `shift()`, `drain()` and `extract()` may settle a waiter that is still in the queue;
 * anything else that settles a queued waiter would desynchronise the counters.
 */
export class WaiterQueue<W extends Waiter<any, any>> {
  private buf: Array<W | undefined> = new Array<W | undefined>(4);
  private mask = 3;
  private head = 0;
  /** Entries in the ring, dead ones included. */
  private count = 0;
  private dead = 0;
  /** Waiters still parked in the queue. */
  size = 0;

  /**
   * Shared `onAbort` handler for every waiter of this queue (one closure per queue, not one per
   * wait): cancellation has already settled the waiter, so only the bookkeeping is left.
   */
  readonly onAbort = (): void => {
    this.size--;
    this.dead++;
    if (this.dead > 32 && this.dead > this.size) this.rebuild(null);
  };

  constructor() {
    retainShape(WaiterQueue, () => new WaiterQueue());
  }

  /** Appends a waiter that is parked (call after `park()`, only if `waiter.pending`). */
  push(waiter: W): void {
    if (this.count === this.buf.length) this.grow();
    this.buf[(this.head + this.count) & this.mask] = waiter;
    this.count++;
    this.size++;
  }

  /** Removes and returns the oldest waiter still parked, or `undefined`. */
  shift(): W | undefined {
    const buf = this.buf;
    while (this.count > 0) {
      const w = buf[this.head]!;
      buf[this.head] = undefined;
      this.head = (this.head + 1) & this.mask;
      this.count--;
      if (w.pending) {
        this.size--;
        return w;
      }
      this.dead--;
    }
    return undefined;
  }

  /** Removes and returns every waiter still parked, oldest first. */
  drain(): W[] {
    return this.rebuild(() => true);
  }

  /** Removes and returns the parked waiters that `match`, keeping the others in order. */
  extract(match: (waiter: W) => boolean): W[] {
    return this.rebuild(match);
  }

  /** Drops dead entries and returns (removing them) the live ones that `take` selects. */
  private rebuild(take: ((waiter: W) => boolean) | null): W[] {
    const taken: W[] = [];
    const kept: W[] = [];
    const buf = this.buf;
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) & this.mask;
      const w = buf[slot]!;
      buf[slot] = undefined;
      if (!w.pending) continue;
      if (take !== null && take(w)) taken.push(w);
      else kept.push(w);
    }
    this.head = 0;
    this.count = 0;
    this.dead = 0;
    this.size = 0;
    for (const w of kept) this.push(w);
    return taken;
  }

  private grow(): void {
    const old = this.buf;
    const size = old.length;
    const buf = new Array<W | undefined>(size * 2);
    for (let i = 0; i < size; i++) buf[i] = old[(this.head + i) & this.mask];
    this.buf = buf;
    this.head = 0;
    this.mask = size * 2 - 1;
  }
}
