import { existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CancelScope, sleep, waitAllTasksBlocked, withTaskGroup, isCancelled } from "@anyio/core";
import { CapacityLimiter } from "@anyio/sync";
import { describeEachBackend } from "@anyio/testing/vitest";
import { expect, it } from "vitest";
import { mkdtemp, namedTemporaryFile, openFile, Path, TemporaryDirectory, temporaryFile } from "../src/index.js";
import { openFdsUnder, pattern, useTempDir } from "./helpers.js";

describeEachBackend("temporary files and directories", ({ run }) => {
  const tmp = useTempDir();

  it("mkdtemp creates a private directory with prefix and suffix", () =>
    run(async () => {
      const dir = await mkdtemp({ dir: tmp.path, prefix: "job-", suffix: ".d" });
      expect(new Path(dir).name).toMatch(/^job-.+\.d$/);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      await expect(mkdtemp({ dir: tmp.path, prefix: "a/b" })).rejects.toThrow(RangeError);
    }));

  it("TemporaryDirectory is removed with its contents by await using", () =>
    run(async () => {
      let name: string;
      {
        await using d = await TemporaryDirectory.create({ dir: tmp.path });
        name = d.name;
        await d.path.joinpath("sub").mkdir();
        await d.path.joinpath("sub/f.txt").writeText("x");
        expect(existsSync(name)).toBe(true);
      }
      expect(existsSync(name)).toBe(false);
    }));

  it("TemporaryDirectory is removed when the body is cancelled", () =>
    run(async () => {
      let name = "";
      const scope = new CancelScope();
      await scope.run(async () => {
        await using d = await TemporaryDirectory.create({ dir: tmp.path });
        name = d.name;
        await d.path.joinpath("f").writeText("x");
        scope.cancel();
        await sleep(1000);
      });
      expect(scope.cancelledCaught).toBe(true);
      expect(name).not.toBe("");
      expect(existsSync(name)).toBe(false);
    }));

  it("temporaryFile is anonymous and readable after writing", () =>
    run(async () => {
      await using f = await temporaryFile("w+b", { dir: tmp.path });
      await f.write(new Uint8Array([1, 2, 3]));
      await f.seek(0);
      expect(Array.from(await f.read())).toEqual([1, 2, 3]);
      expect(f.name).toBeUndefined();
      expect(existsSync(tmp.path) && (await new Path(tmp.path).glob("*").next()).done).toBe(true);
    }));

  it("namedTemporaryFile is deleted on close unless delete: false", () =>
    run(async () => {
      const f = await namedTemporaryFile("w+", { dir: tmp.path, suffix: ".txt" });
      expect(f.name).toMatch(/\.txt$/);
      await f.write("hello");
      expect(existsSync(f.name!)).toBe(true);
      await f.aclose();
      expect(existsSync(f.name!)).toBe(false);
      const kept = await namedTemporaryFile("wb", { dir: tmp.path, delete: false });
      await kept.aclose();
      expect(existsSync(kept.name!)).toBe(true);
      await expect(namedTemporaryFile("r", { dir: tmp.path })).rejects.toThrow(RangeError);
    }));
});

describeEachBackend("no file handle survives a failed or cancelled call", ({ run }) => {
  const tmp = useTempDir();

  it("readBytes cancelled while Node reads is aborted and leaves no handle", () =>
    run(async () => {
      const big = join(tmp.path, "big");
      writeFileSync(big, pattern(16 << 20));
      const scope = new CancelScope();
      let caught: unknown;
      await withTaskGroup(async (tg) => {
        tg.startSoon(() =>
          scope.run(async () => {
            try {
              await new Path(big).readBytes();
            } catch (err) {
              caught = err;
              throw err;
            }
          }),
        );
        await waitAllTasksBlocked();
        scope.cancel();
      });
      // The read may have finished first on a fast disk; if it did not, it was cancelled.
      if (caught !== undefined) expect(isCancelled(caught)).toBe(true);
      expect(openFdsUnder(tmp.path)).toEqual([]);
    }));

  it("failures of every kind close what they opened", () =>
    run(async () => {
      const dir = new Path(tmp.path);
      await expect(dir.readText()).rejects.toMatchObject({ code: "EISDIR" });
      await expect(openFile(tmp.path, "w")).rejects.toMatchObject({ code: "EISDIR" });
      await dir.joinpath("f").writeText("x");
      await expect(dir.joinpath("f").touch({ existOk: false })).rejects.toMatchObject({ code: "EEXIST" });
      await using f = await openFile(dir.joinpath("f"), "r");
      await expect(f.write("y")).rejects.toThrow(TypeError);
      expect(openFdsUnder(tmp.path)).toHaveLength(1);
    }));

  it("a CapacityLimiter from @anyio/sync bounds concurrent calls", () =>
    run(async () => {
      const limiter = new CapacityLimiter(2);
      const dir = new Path(tmp.path);
      let peak = 0;
      const original = limiter.acquireOnBehalfOf.bind(limiter);
      limiter.acquireOnBehalfOf = async (b: unknown, o?: unknown) => {
        await original(b, o as never);
        peak = Math.max(peak, limiter.borrowedTokens);
      };
      await withTaskGroup(async (tg) => {
        for (let i = 0; i < 8; i++) tg.startSoon(() => dir.joinpath(`f${i}`).writeText(`${i}`, { limiter }).then(() => undefined));
      });
      expect(peak).toBeLessThanOrEqual(2);
      expect(limiter.borrowedTokens).toBe(0);
      expect(await dir.joinpath("f7").readText({ limiter })).toBe("7");
    }));
});
