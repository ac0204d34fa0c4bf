/**
 * A FIFO of byte chunks: the read-ahead buffer of a binary file.
 *
 * @module
 */

/** Bytes read ahead and not yet handed out, kept as the chunks they arrived in (no copying). */
export class ByteQueue {
  #chunks: Uint8Array[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.byteLength;
  }

  clear(): void {
    this.#chunks = [];
    this.#length = 0;
  }

  /** Index of the first `byte`, or -1. */
  indexOf(byte: number): number {
    let base = 0;
    for (const chunk of this.#chunks) {
      const at = chunk.indexOf(byte);
      if (at !== -1) return base + at;
      base += chunk.byteLength;
    }
    return -1;
  }

  /** Removes and returns the first `n` bytes (all if fewer are held). */
  take(n: number): Uint8Array {
    n = Math.min(n, this.#length);
    const first = this.#chunks[0];
    if (first !== undefined && first.byteLength >= n) {
      // The common case of one chunk: hand out a view, no copy.
      const out = first.subarray(0, n);
      if (first.byteLength === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      this.#length -= n;
      return out;
    }
    const out = new Uint8Array(n);
    let got = 0;
    while (got < n) {
      const chunk = this.#chunks[0]!;
      const k = Math.min(chunk.byteLength, n - got);
      out.set(chunk.subarray(0, k), got);
      got += k;
      if (k === chunk.byteLength) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(k);
    }
    this.#length -= n;
    return out;
  }
}
