import { readFileSync, writeFileSync } from "node:fs";
import { open as fsOpen } from "node:fs/promises";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  BufferedByteReceiveStream,
  BusyResourceError,
  CancelScope,
  ClosedResourceError,
  EndOfStream,
  isCancelled,
  TypedAttributeLookupError,
  waitAllTasksBlocked,
  withTaskGroup,
} from "@anyio/core";
import { describeEachBackend } from "@anyio/testing/vitest";
import { expect, it } from "vitest";
import { FileReadStream, FileStreamAttribute, FileWriteStream, Path } from "../src/index.js";
import { pattern, useTempDir } from "./helpers.js";

describeEachBackend("file streams", ({ run }) => {
  const tmp = useTempDir();
  const file = (name = "s.bin") => join(tmp.path, name);

  it("bytes written with FileWriteStream read back intact with FileReadStream, then EndOfStream", () =>
    run(async () => {
      const data = pattern(1 << 20);
      {
        await using out = await FileWriteStream.fromPath(file());
        for (let i = 0; i < data.byteLength; i += 10_000) await out.send(data.subarray(i, i + 10_000));
        await out.send(new Uint8Array(0));
      }
      await using input = await FileReadStream.fromPath(new Path(file()));
      const got = new Uint8Array(data.byteLength);
      let n = 0;
      for (;;) {
        let chunk: Uint8Array;
        try {
          chunk = await input.receive(7_000);
        } catch (err) {
          expect(err).toBeInstanceOf(EndOfStream);
          break;
        }
        expect(chunk.byteLength).toBeGreaterThan(0);
        expect(chunk.byteLength).toBeLessThanOrEqual(7_000);
        got.set(chunk, n);
        n += chunk.byteLength;
      }
      expect(n).toBe(data.byteLength);
      expect(Buffer.compare(Buffer.from(got), Buffer.from(data))).toBe(0);
      await expect(input.receive()).rejects.toBeInstanceOf(EndOfStream);
      await expect(input.receive(0)).rejects.toThrow(RangeError);
    }));

  it("for await yields the chunks; works with BufferedByteReceiveStream", () =>
    run(async () => {
      writeFileSync(file(), "header\nbody");
      const chunks: string[] = [];
      {
        await using s = await FileReadStream.fromPath(file());
        for await (const c of s) chunks.push(Buffer.from(c).toString());
      }
      expect(chunks.join("")).toBe("header\nbody");
      await using s = await FileReadStream.fromPath(file());
      const buffered = new BufferedByteReceiveStream(s);
      expect(Buffer.from(await buffered.receiveUntil(new TextEncoder().encode("\n"), 100)).toString()).toBe("header");
    }));

  it("append mode adds to the end; seek and tell move the read position", () =>
    run(async () => {
      writeFileSync(file(), "0123");
      {
        await using out = await FileWriteStream.fromPath(file(), { append: true });
        await out.send(new TextEncoder().encode("4567"));
      }
      expect(readFileSync(file(), "utf8")).toBe("01234567");
      await using s = await FileReadStream.fromPath(file());
      expect(await s.seek(2)).toBe(2);
      expect(Buffer.from(await s.receive(3)).toString()).toBe("234");
      expect(await s.tell()).toBe(5);
      expect(await s.seek(-2, 2)).toBe(6);
      expect(await s.seek(-1, 1)).toBe(5);
      expect(Buffer.from(await s.receive()).toString()).toBe("567");
      await expect(s.seek(-100, 1)).rejects.toThrow(RangeError);
    }));

  it("ClosedResourceError after close; aclose is idempotent", () =>
    run(async () => {
      writeFileSync(file(), "x");
      const r = await FileReadStream.fromPath(file());
      const w = await FileWriteStream.fromPath(file("w"));
      await r.aclose();
      await r.aclose();
      await w.aclose();
      await w.aclose();
      await expect(r.receive()).rejects.toBeInstanceOf(ClosedResourceError);
      await expect(w.send(new Uint8Array(1))).rejects.toBeInstanceOf(ClosedResourceError);
      await expect(w.send("x" as never)).rejects.toThrow(TypeError);
    }));

  it("a second concurrent receive throws BusyResourceError", () =>
    run(async () => {
      writeFileSync(file(), pattern(4 << 20));
      await using s = await FileReadStream.fromPath(file());
      let second: unknown;
      await withTaskGroup(async (tg) => {
        tg.startSoon(() => s.receive(4 << 20));
        await waitAllTasksBlocked();
        second = await s.receive().catch((e: unknown) => e);
      });
      // The first receive is normally still in flight; if the OS was faster, the second simply read on.
      if (!(second instanceof Uint8Array) && !(second instanceof EndOfStream)) expect(second).toBeInstanceOf(BusyResourceError);
    }));

  it("closing the stream while another task's receive is in flight makes that receive throw ClosedResourceError", () =>
    run(async () => {
      writeFileSync(file(), pattern(4 << 20));
      const s = await FileReadStream.fromPath(file());
      let error: unknown;
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          try {
            for (;;) await s.receive(1 << 20);
          } catch (err) {
            error = err;
          }
        });
        await waitAllTasksBlocked();
        await s.aclose();
      });
      expect(error).toBeInstanceOf(ClosedResourceError);
    }));

  it("offers FileStreamAttribute file, path and fileno", () =>
    run(async () => {
      writeFileSync(file(), "x");
      await using s = await FileReadStream.fromPath(file());
      expect(s.extra(FileStreamAttribute.path)).toBe(file());
      expect(typeof s.extra(FileStreamAttribute.fileno)).toBe("number");
      expect(s.extra(FileStreamAttribute.file).fd).toBe(s.extra(FileStreamAttribute.fileno));
      const handle = await fsOpen(file(), "r");
      await using bare = new FileReadStream(handle);
      expect(() => bare.extra(FileStreamAttribute.path)).toThrow(TypedAttributeLookupError);
      expect(bare.extra(FileStreamAttribute.path, null)).toBe(null);
    }));

  it("a receive whose scope is cancelled mid-stream keeps the stream consistent", () =>
    run(async () => {
      const data = pattern(300_000);
      writeFileSync(file(), data);
      await using s = await FileReadStream.fromPath(file());
      const first = await s.receive(100_000);
      const scope = new CancelScope();
      let caught: unknown;
      await scope.run(async () => {
        scope.cancel();
        try {
          await s.receive(100_000);
        } catch (err) {
          caught = err;
          throw err;
        }
      });
      expect(isCancelled(caught)).toBe(true);
      expect(await s.tell()).toBe(first.byteLength);
      const rest: Uint8Array[] = [first];
      for await (const c of s) rest.push(c);
      expect(Buffer.compare(Buffer.concat(rest), Buffer.from(data))).toBe(0);
    }));

  it("a failed open leaves nothing open and keeps the code", () =>
    run(async () => {
      await expect(FileReadStream.fromPath(file("missing"))).rejects.toMatchObject({ code: "ENOENT" });
      await expect(FileWriteStream.fromPath(join(tmp.path, "no/dir/x"))).rejects.toMatchObject({ code: "ENOENT" });
    }));

  it("streams a file of tens of MiB in constant memory", () =>
    run(async () => {
      const size = 32 << 20;
      const block = pattern(1 << 20);
      {
        await using out = await FileWriteStream.fromPath(file());
        for (let i = 0; i < size; i += block.byteLength) await out.send(block);
      }
      setFlagsFromString("--expose-gc");
      const gc = runInNewContext("gc") as () => void;
      gc();
      const base = process.memoryUsage().arrayBuffers;
      let peak = 0;
      let total = 0;
      let chunks = 0;
      await using s = await FileReadStream.fromPath(file());
      for await (const chunk of s) {
        total += chunk.byteLength;
        if (++chunks % 64 === 0) {
          gc();
          peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
        }
      }
      expect(total).toBe(size);
      // Only recent chunks (whose memory the GC frees lazily) stay alive, never the file.
      expect(peak).toBeLessThan(size / 4);
    }));
});

