import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { open as fsOpen } from "node:fs/promises";
import { join } from "node:path";
import {
  BusyResourceError,
  CancelScope,
  ClosedResourceError,
  isCancelled,
  waitAllTasksBlocked,
  withTaskGroup,
} from "@anyio/core";
import { describeEachBackend } from "@anyio/testing/vitest";
import { describe, expect, it } from "vitest";
import { openFile, SEEK_CUR, SEEK_END, wrapFile } from "../src/index.js";
import { HookLimiter, pattern, useTempDir } from "./helpers.js";

describeEachBackend("openFile", ({ run }) => {
  const tmp = useTempDir();
  const file = (name = "f.txt") => join(tmp.path, name);

  it("round-trips text and reads it back by size, line and iteration", () =>
    run(async () => {
      {
        await using f = await openFile(file(), "w");
        expect(await f.write("héllo\nwörld\n")).toBe(12);
        await f.writeLines(["third", " line\n", "last"]);
      }
      expect(readFileSync(file(), "utf8")).toBe("héllo\nwörld\nthird line\nlast");
      await using f = await openFile(file());
      expect(await f.read(3)).toBe("hél");
      expect(await f.readline()).toBe("lo\n");
      const lines: string[] = [];
      for await (const line of f) lines.push(line);
      expect(lines).toEqual(["wörld\n", "third line\n", "last"]);
      expect(await f.read()).toBe("");
      expect(await f.readline()).toBe("");
    }));

  it("round-trips bytes in binary mode", () =>
    run(async () => {
      const data = pattern(200_000);
      {
        await using f = await openFile(file("b.bin"), "wb");
        expect(await f.write(data)).toBe(data.byteLength);
      }
      await using f = await openFile(file("b.bin"), "rb");
      const head = await f.read(10);
      expect(head).toBeInstanceOf(Uint8Array);
      expect(Array.from(head)).toEqual(Array.from(data.subarray(0, 10)));
      const rest = await f.read();
      expect(Buffer.compare(Buffer.from(rest), Buffer.from(data.subarray(10)))).toBe(0);
      expect((await f.read()).byteLength).toBe(0);
    }));

  it("iterates lines across read chunk boundaries, keeping CRLF in binary mode and translating it in text mode", () =>
    run(async () => {
      // Lines of varying length so that line ends and CRLF pairs straddle the 64 KiB chunks.
      const lines: string[] = [];
      for (let i = 0; i < 7_000; i++) lines.push(`${"x".repeat(i % 23)}${i}€\r\n`);
      writeFileSync(file(), lines.join(""));
      const binary: string[] = [];
      await using b = await openFile(file(), "rb");
      for await (const line of b) binary.push(Buffer.from(line).toString("utf8"));
      expect(binary).toEqual(lines);
      const text: string[] = [];
      await using t = await openFile(file(), "r");
      for await (const line of t) text.push(line);
      expect(text).toEqual(lines.map((l) => l.replace("\r\n", "\n")));
      const untranslated: string[] = [];
      await using u = await openFile(file(), "r", { newline: "" });
      for await (const line of u) untranslated.push(line);
      expect(untranslated).toEqual(lines);
    }));

  it("treats a lone CR as a line end with universal newlines and reads a CR at end of file", () =>
    run(async () => {
      writeFileSync(file(), "a\rb\r\nc\nd\r");
      await using f = await openFile(file());
      expect(await f.readLines()).toEqual(["a\n", "b\n", "c\n", "d\n"]);
      await f.seek(0);
      expect(await f.read()).toBe("a\nb\nc\nd\n");
      await using g = await openFile(file(), "r", { newline: "\n" });
      expect(await g.readLines()).toEqual(["a\rb\r\n", "c\n", "d\r"]);
    }));

  it("translates \\n on write with newline \\r\\n", () =>
    run(async () => {
      {
        await using f = await openFile(file(), "w", { newline: "\r\n" });
        await f.write("a\nb\n");
      }
      expect(readFileSync(file(), "utf8")).toBe("a\r\nb\r\n");
    }));

  it("seeks and tells in bytes, also in text mode after read-ahead", () =>
    run(async () => {
      writeFileSync(file(), "αβγ\nline two\n");
      await using f = await openFile(file(), "r+");
      expect(await f.tell()).toBe(0);
      expect(await f.readline()).toBe("αβγ\n");
      const pos = await f.tell();
      expect(pos).toBe(Buffer.byteLength("αβγ\n"));
      expect(await f.read(4)).toBe("line");
      await f.seek(pos);
      expect(await f.readline()).toBe("line two\n");
      expect(await f.seek(0, SEEK_END)).toBe(Buffer.byteLength("αβγ\nline two\n"));
      await f.write("3\n");
      await f.seek(0);
      expect(await f.read()).toBe("αβγ\nline two\n3\n");
      await expect(f.seek(1, SEEK_CUR)).rejects.toThrow(RangeError);
      await expect(f.seek(-1)).rejects.toThrow(RangeError);
    }));

  it("overwrites in place with r+b at the position after a read, and truncates", () =>
    run(async () => {
      writeFileSync(file(), "0123456789");
      await using f = await openFile(file(), "r+b");
      expect(Buffer.from(await f.read(3)).toString()).toBe("012");
      await f.write(Buffer.from("ab"));
      expect(await f.tell()).toBe(5);
      expect(await f.seek(-2, SEEK_CUR)).toBe(3);
      expect(await f.truncate(7)).toBe(7);
      expect(await f.tell()).toBe(3);
      await f.seek(0);
      expect(Buffer.from(await f.read()).toString()).toBe("012ab56");
    }));

  it("appends in a and a+ modes wherever the position is", () =>
    run(async () => {
      writeFileSync(file(), "start\n");
      {
        await using f = await openFile(file(), "a");
        await f.write("one\n");
        expect(await f.tell()).toBe(10);
      }
      await using f = await openFile(file(), "a+");
      expect(await f.tell()).toBe(10);
      await f.seek(0);
      expect(await f.readline()).toBe("start\n");
      await f.write("two\n");
      await f.seek(0);
      expect(await f.read()).toBe("start\none\ntwo\n");
      expect(readFileSync(file(), "utf8")).toBe("start\none\ntwo\n");
    }));

  it("mode x creates a new file and fails with EEXIST (code and path kept) on an existing one", () =>
    run(async () => {
      await (await openFile(file(), "x")).aclose();
      const err = await openFile(file(), "x").catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "EEXIST", path: file() });
      const missing = await openFile(file("nope"), "r").catch((e: unknown) => e);
      expect(missing).toMatchObject({ code: "ENOENT", path: file("nope") });
    }));

  it("decodes utf-16le and latin1, and reports invalid utf-8 unless errors is replace", () =>
    run(async () => {
      writeFileSync(file(), Buffer.from("hi ✓\n", "utf16le"));
      await using f = await openFile(file(), "r", { encoding: "utf-16le" });
      expect(await f.read()).toBe("hi ✓\n");
      writeFileSync(file("l"), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
      await using l = await openFile(file("l"), "r", { encoding: "latin1" });
      expect(await l.read()).toBe("café");
      await using bad = await openFile(file("l"));
      await expect(bad.read()).rejects.toThrow(TypeError);
      await using rep = await openFile(file("l"), "r", { errors: "replace" });
      expect(await rep.read()).toBe("caf\uFFFD");
    }));

  it("throws ClosedResourceError after close, and close is idempotent", () =>
    run(async () => {
      const f = await openFile(file(), "w+");
      await f.aclose();
      await f.aclose();
      expect(f.closed).toBe(true);
      await expect(f.read()).rejects.toThrow(ClosedResourceError);
      await expect(f.write("x")).rejects.toThrow(ClosedResourceError);
      await expect(f.seek(0)).rejects.toThrow(ClosedResourceError);
    }));

  it("rejects bad arguments with named TypeError/RangeError and opens nothing", () =>
    run(async () => {
      await expect(openFile(file(), "rw")).rejects.toThrow(RangeError);
      await expect(openFile(file(), "rbt")).rejects.toThrow(/invalid mode/);
      await expect(openFile(file(), "rb", { encoding: "utf-8" })).rejects.toThrow(/binary mode/);
      await expect(openFile(file(), "w", { encoding: "klingon" })).rejects.toThrow(/encoding/);
      await expect(openFile(42 as never)).rejects.toThrow(TypeError);
      await using f = await openFile(file(), "w");
      await expect(f.write(new Uint8Array(1) as never)).rejects.toThrow(/data must be a string/);
      await expect(f.read()).rejects.toThrow(/not open for reading/);
      await expect(f.read(1.5)).rejects.toThrow(TypeError);
    }));

  it("a second task using the file during an operation gets BusyResourceError", () =>
    run(async () => {
      writeFileSync(file(), "x".repeat(1 << 20));
      await using f = await openFile(file(), "rb");
      let busy: unknown;
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          await f.read();
        });
        await waitAllTasksBlocked();
        busy = await f.read(1).catch((e: unknown) => e);
      });
      // Either the first read was still in flight (busy) or it had finished (then "" at EOF).
      if (!(busy instanceof Uint8Array)) expect(busy).toBeInstanceOf(BusyResourceError);
    }));

  it("wrapFile wraps an open FileHandle and closes it", () =>
    run(async () => {
      const handle = await fsOpen(file(), "w+");
      const f = wrapFile(handle, { mode: "w+", name: file() });
      await f.write("wrapped\n");
      await f.seek(0);
      expect(await f.read()).toBe("wrapped\n");
      expect(f.wrapped).toBe(handle);
      expect(f.name).toBe(file());
      await f.aclose();
      expect(handle.fd).toBe(-1);
      expect(() => wrapFile({} as never)).toThrow(TypeError);
    }));

  it("bounds every call by the limiter and releases it after failures", () =>
    run(async () => {
      const limiter = new HookLimiter();
      await using f = await openFile(file(), "w+", { limiter });
      await f.write("abc");
      await f.seek(0);
      expect(await f.read()).toBe("abc");
      expect(limiter.acquired).toBeGreaterThanOrEqual(4);
      expect(limiter.held).toBe(0);
      await expect(openFile(file("missing"), "r", { limiter })).rejects.toMatchObject({ code: "ENOENT" });
      expect(limiter.held).toBe(0);
    }));
});

describeEachBackend("AsyncFile cancellation", ({ run }) => {
  const tmp = useTempDir();
  const file = (name = "f.bin") => join(tmp.path, name);

  it("a read cancelled between chunks throws Cancelled, loses nothing and leaves the position alone", () =>
    run(async () => {
      const data = pattern(300_000);
      writeFileSync(file(), data);
      const scope = new CancelScope();
      // The limiter runs before every OS call: cancel just before the third chunk is read.
      const limiter = new HookLimiter((n) => {
        if (n === 4) scope.cancel();
      });
      await using f = await openFile(file(), "rb", { limiter });
      expect(Array.from(await f.read(5))).toEqual(Array.from(data.subarray(0, 5)));
      let error: unknown;
      await scope.run(async () => {
        try {
          await f.read();
        } catch (err) {
          error = err;
          throw err;
        }
      });
      expect(isCancelled(error)).toBe(true);
      expect(scope.cancelledCaught).toBe(true);
      expect(await f.tell()).toBe(5);
      const rest = await f.read();
      expect(Buffer.compare(Buffer.from(rest), Buffer.from(data.subarray(5)))).toBe(0);
      expect(limiter.held).toBe(0);
    }));

  // A FIFO holds the write in flight for as long as the test wants: the kernel blocks it once
  // the pipe buffer is full, until the reader below drains it. (A regular file's write can
  // finish before the cancel lands on a loaded machine, which made this test flaky.)
  it.skipIf(process.platform === "win32")(
    "a write whose scope is cancelled while it is in flight completes whole; Cancelled comes at the next checkpoint",
    () =>
      run(async () => {
        const data = pattern(1 << 20);
        const fifo = file("pipe");
        execFileSync("mkfifo", [fifo]);
        const scope = new CancelScope();
        let returned = false;
        let after: unknown;
        // Opening either end of a FIFO waits for the other end, so open both at once.
        const readerOpened = fsOpen(fifo, "r");
        // Append mode writes at "the end" with write(2); a positional pwrite(2) is ESPIPE on a pipe.
        await using f = await openFile(fifo, "ab");
        await using reader = await readerOpened;
        const received: Buffer[] = [];
        await withTaskGroup(async (tg) => {
          tg.startSoon(() =>
            scope.run(async () => {
              await f.write(data);
              returned = true;
              try {
                await f.flush();
              } catch (err) {
                after = err;
                throw err;
              }
            }),
          );
          await waitAllTasksBlocked();
          expect(returned).toBe(false);
          scope.cancel();
          let total = 0;
          while (total < data.byteLength) {
            const { bytesRead, buffer } = await reader.read(Buffer.alloc(1 << 16), 0, 1 << 16, null);
            expect(bytesRead).toBeGreaterThan(0);
            received.push(buffer.subarray(0, bytesRead));
            total += bytesRead;
          }
        });
        expect(returned).toBe(true);
        expect(isCancelled(after)).toBe(true);
        expect(Buffer.compare(Buffer.concat(received), Buffer.from(data))).toBe(0);
      }),
  );

  it("an operation in a scope cancelled before it starts does not happen (nothing opened, nothing written)", () =>
    run(async () => {
      writeFileSync(file(), "keep");
      const scope = new CancelScope();
      scope.cancel();
      await scope.run(async () => {
        await openFile(file(), "w"); // would truncate
      });
      expect(readFileSync(file(), "utf8")).toBe("keep");
      await using f = await openFile(file(), "a");
      const again = new CancelScope();
      again.cancel();
      await again.run(() => f.write("more"));
      expect(readFileSync(file(), "utf8")).toBe("keep");
    }));

  it("opening with a limiter that gets cancelled leaves no handle", () =>
    run(async () => {
      writeFileSync(file(), "x");
      const scope = new CancelScope();
      const limiter = new HookLimiter(() => scope.cancel());
      await scope.run(() => openFile(file(), "r", { limiter }));
      expect(scope.cancelledCaught).toBe(true);
      expect(limiter.held).toBe(0);
    }));
});

describe("openFile outside a task", () => {
  it("needs the task context", async () => {
    await expect(openFile("/nonexistent-anyio")).rejects.toThrow(/needs the current task/);
  });
});
