/**
 * FileReadStream reads the next chunk of a regular file ahead while one is awaited (two reads
 * overlap in libuv's thread pool), and nothing else: nothing past a seek, nothing with a
 * limiter, nothing from a pipe (read in order), and the end of the file is read afresh each time.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { type FileHandle, open as fsOpen } from "node:fs/promises";
import { join } from "node:path";
import { EndOfStream } from "@anyio/core";
import { describeEachBackend } from "@anyio/testing/vitest";
import { expect, it } from "vitest";
import { CapacityLimiter } from "@anyio/sync";
import { FileReadStream } from "../src/index.js";
import { pattern, useTempDir } from "./helpers.js";

const CHUNK = 64 * 1024;

/** Counts the positioned reads issued on `handle` (and where). */
function countReads(handle: FileHandle): number[] {
  const positions: number[] = [];
  const read = handle.read.bind(handle) as (...args: unknown[]) => Promise<unknown>;
  (handle as unknown as { read: (...args: unknown[]) => Promise<unknown> }).read = (...args: unknown[]) => {
    positions.push(args[3] as number);
    return read(...args);
  };
  return positions;
}

describeEachBackend("FileReadStream read-ahead", ({ run }) => {
  const tmp = useTempDir();
  const file = (name = "r.bin") => join(tmp.path, name);

  it("from a regular file, each receive after the first finds its chunk already read, and the bytes come in order", () =>
    run(async () => {
      const data = pattern(8 * CHUNK);
      writeFileSync(file(), data);
      const handle = await fsOpen(file(), "r");
      const reads = countReads(handle);
      await using stream = new FileReadStream(handle);
      const got: Uint8Array[] = [];
      got.push(await stream.receive(CHUNK)); // learns (stat) it is a regular file; reads ahead
      expect(reads).toEqual([0, CHUNK]);
      got.push(await stream.receive(CHUNK)); // the chunk read ahead; the next one goes out
      expect(reads).toEqual([0, CHUNK, 2 * CHUNK]);
      for await (const chunk of stream) got.push(chunk);
      expect(Buffer.concat(got).equals(Buffer.from(data))).toBe(true);
    }));

  it("seek() drops the chunk read ahead: bytes written meanwhile are read afresh", () =>
    run(async () => {
      writeFileSync(file(), Buffer.alloc(4 * CHUNK, "a"));
      await using stream = await FileReadStream.fromPath(file());
      await stream.receive(CHUNK);
      await stream.receive(CHUNK); // [2 CHUNK, 3 CHUNK) is read ahead, as "a"s
      const writer = await fsOpen(file(), "r+");
      await writer.write(Buffer.alloc(CHUNK, "b"), 0, CHUNK, 2 * CHUNK);
      await writer.close();
      expect(await stream.tell()).toBe(2 * CHUNK);
      await stream.seek(2 * CHUNK);
      expect(Buffer.from(await stream.receive(CHUNK)).toString()).toBe("b".repeat(CHUNK));
    }));

  it("the end of the file is read afresh: a file that grows is read on", () =>
    run(async () => {
      writeFileSync(file(), Buffer.alloc(CHUNK + 10, "a"));
      await using stream = await FileReadStream.fromPath(file());
      let total = 0;
      for await (const chunk of stream) total += chunk.byteLength;
      expect(total).toBe(CHUNK + 10);
      const writer = await fsOpen(file(), "a");
      await writer.write(Buffer.alloc(5, "z"));
      await writer.close();
      expect(Buffer.from(await stream.receive(CHUNK)).toString()).toBe("zzzzz");
      await expect(stream.receive(CHUNK)).rejects.toBeInstanceOf(EndOfStream);
    }));

  it("a named pipe is read in order (no positions there), never ahead, and seek() says ESPIPE", () =>
    run(async () => {
      const fifo = file("pipe");
      execFileSync("mkfifo", [fifo]);
      // Opening either end of a FIFO waits for the other end, so open both at once.
      const readerOpened = fsOpen(fifo, "r");
      const writer = await fsOpen(fifo, "w");
      const handle = await readerOpened;
      const reads = countReads(handle);
      await using stream = new FileReadStream(handle);
      let expected = "";
      let got = "";
      for (const word of ["one ", "two ", "three"]) {
        await writer.write(word);
        expected += word;
        got += Buffer.from(await stream.receive(CHUNK)).toString();
      }
      expect(got).toBe(expected);
      // The first read tried a position (ESPIPE) and read in order; one read per receive since.
      expect(reads).toEqual([0, null, null, null]);
      await expect(stream.seek(0)).rejects.toMatchObject({ code: "ESPIPE" });
      await writer.close();
      await expect(stream.receive(CHUNK)).rejects.toBeInstanceOf(EndOfStream);
      expect(await stream.tell()).toBe(expected.length);
    }));

  it("never reads ahead when a limiter bounds the stream's calls", () =>
    run(async () => {
      writeFileSync(file(), pattern(4 * CHUNK));
      const handle = await fsOpen(file(), "r");
      const reads = countReads(handle);
      await using stream = new FileReadStream(handle, { limiter: new CapacityLimiter(2) });
      for (let i = 0; i < 4; i++) await stream.receive(CHUNK);
      expect(reads).toEqual([0, CHUNK, 2 * CHUNK, 3 * CHUNK]);
    }));
});
