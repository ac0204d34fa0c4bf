/**
 * Positioned reads of a file handle that keep one read in flight ahead of the reader: the
 * engine of `FileReadStream`.
 *
 * Why: each read is a round trip through libuv's thread pool. With the next chunk already on
 * its way while one is awaited, two reads overlap (the pool has four threads): reading 256 MiB
 * in 64 KiB chunks (warm page cache, 2 cores) took 333–343 ms against 472–497 ms for
 * `fs/promises` one read at a time (tools/bench, file-read). `fs.createReadStream` reads ahead
 * the same way.
 *
 * Only for regular files (a `stat` beside the first read says so): on a device a read ahead
 * could wait for data nobody asked for, and closing the handle waits for pending reads.
 *
 * @internal
 */
import { Buffer } from "node:buffer";
import type { FileHandle } from "node:fs/promises";

/** A read started before it was asked for. */
interface Ahead {
  readonly position: number;
  readonly size: number;
  readonly bytes: Promise<Uint8Array>;
}

function noop(): void {}

export class PositionedReader {
  readonly #handle: FileHandle;
  /** `true` once a stat said regular file; `false` if not, or when reading ahead is off. */
  #readAhead: boolean | null;
  #ahead: Ahead | null = null;
  /** No read has been made yet (the first one finds out what the handle is). */
  #first = true;
  /** A pipe or a terminal: no positions (`pread` fails with ESPIPE), read in order. */
  #sequential = false;

  /**
   * @param readAhead - `false` turns reading ahead off (a limiter bounds the stream's calls:
   *   a read ahead would run outside it)
   */
  constructor(handle: FileHandle, readAhead: boolean) {
    this.#handle = handle;
    this.#readAhead = readAhead ? null : false;
  }

  /** Whether the handle has no positions (a pipe, a terminal): known after the first read. */
  get sequential(): boolean {
    return this.#sequential;
  }

  /**
   * Reads up to `size` bytes at `position` (fewer at the end of the file, none past it); on a
   * handle without positions, the next bytes in order. When the previous call read ahead
   * exactly this, its result is used. The first call also asks (in parallel) whether the
   * handle is a regular file, and falls back to reading in order if positions fail (ESPIPE).
   */
  read(position: number, size: number): Promise<Uint8Array> {
    if (this.#sequential) return this.#start(null, size);
    const ahead = this.#ahead;
    this.#ahead = null;
    if (ahead !== null && ahead.position === position && ahead.size === size) {
      this.#readAheadOf(position, size);
      return ahead.bytes;
    }
    if (!this.#first) {
      const bytes = this.#start(position, size);
      this.#readAheadOf(position, size);
      return bytes;
    }
    this.#first = false;
    // ESPIPE comes before anything is read, so the same bytes are then read in order.
    const bytes = this.#start(position, size).catch((err: unknown) => {
      if ((err as { code?: unknown } | null)?.code !== "ESPIPE") throw err;
      this.#sequential = true;
      this.#readAhead = false;
      return this.#start(null, size);
    });
    if (this.#readAhead === false) return bytes;
    const regular = this.#handle.stat().then((stats) => stats.isFile(), () => false);
    return Promise.all([bytes, regular]).then(([read, isFile]) => {
      this.#readAhead = isFile && !this.#sequential;
      // A short first read is the whole file: nothing to read ahead.
      if (read.byteLength === size) this.#readAheadOf(position, size);
      return read;
    });
  }

  /** Starts the read that follows `size` bytes at `position`, when reading ahead is on. */
  #readAheadOf(position: number, size: number): void {
    if (this.#readAhead !== true) return;
    // Assumes the read at `position` comes back full; if it does not (the end of the file),
    // the next call asks for another position and this read is dropped.
    const next = this.#start(position + size, size);
    next.catch(noop); // an error surfaces when (if) this read is asked for
    this.#ahead = { position: position + size, size, bytes: next };
  }

  /** Forgets the read ahead (the position moved; data read before the move may be stale). */
  discard(): void {
    this.#ahead = null;
  }

  #start(position: number | null, size: number): Promise<Uint8Array> {
    const buffer = Buffer.allocUnsafeSlow(size);
    return this.#handle.read(buffer, 0, size, position).then(({ bytesRead }) => (bytesRead === size ? buffer : buffer.subarray(0, bytesRead)));
  }
}
