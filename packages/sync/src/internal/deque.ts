/**
 * A growable ring buffer: O(1) push and shift without `Array.prototype.shift`'s copying.
 *
 * @internal
 */
import { retainShape } from "@anyio/core";

export class Deque<T> {
  private buf: Array<T | undefined> = new Array<T | undefined>(8);
  private head = 0;
  private mask = 7;
  length = 0;

  constructor() {
    retainShape(Deque, () => new Deque());
  }

  push(item: T): void {
    if (this.length === this.buf.length) this.grow();
    this.buf[(this.head + this.length) & this.mask] = item;
    this.length++;
  }

  /** Removes and returns the oldest item; the caller checks `length > 0` first. */
  shift(): T {
    const buf = this.buf;
    const item = buf[this.head] as T;
    buf[this.head] = undefined; // let it be collected
    this.head = (this.head + 1) & this.mask;
    this.length--;
    return item;
  }

  clear(): void {
    this.buf = new Array<T | undefined>(8);
    this.head = 0;
    this.mask = 7;
    this.length = 0;
  }

  private grow(): void {
    const old = this.buf;
    const size = old.length;
    const buf = new Array<T | undefined>(size * 2);
    for (let i = 0; i < size; i++) buf[i] = old[(this.head + i) & this.mask];
    this.buf = buf;
    this.head = 0;
    this.mask = size * 2 - 1;
  }
}
