import { withTaskGroup } from "@anyio/core";
import { describeEachBackend } from "@anyio/testing/vitest";
import { expect, it } from "vitest";
import { FileReadStream, openFile, TemporaryDirectory } from "../src/index.js";

describeEachBackend("README example", ({ run }) => {
  it("runs and prints what the README says", () =>
    run(async () => {
      const out: string[] = [];
      const log = (...args: unknown[]) => out.push(args.join(" "));
      let tmpName = "";
      {
        await using tmp = await TemporaryDirectory.create({ prefix: "demo-" });
        tmpName = tmp.name;
        const notes = tmp.path.joinpath("notes.txt");
        {
          await using f = await openFile(notes, "w");
          await f.writeLines(["first\n", "second\r\n", "third"]);
        }
        await using f = await notes.open("r");
        for await (const line of f) log(JSON.stringify(line));
        await tmp.path.joinpath("a/b").mkdir({ parents: true });
        await tmp.path.joinpath("a/b/c.txt").writeText("c");
        for await (const p of tmp.path.rglob("*.txt")) log(p.relativeTo(tmp.path).toString());
        const sizes = new Map<string, number>();
        await withTaskGroup(async (tg) => {
          for (const name of ["notes.txt", "a/b/c.txt"]) {
            tg.startSoon(async () => {
              await using stream = await FileReadStream.fromPath(tmp.path.joinpath(name));
              let bytes = 0;
              for await (const chunk of stream) bytes += chunk.byteLength;
              sizes.set(name, bytes);
            });
          }
        });
        expect(Object.fromEntries(sizes)).toEqual({ "notes.txt": 19, "a/b/c.txt": 1 });
      }
      expect(out).toEqual(['"first\\n"', '"second\\n"', '"third"', "notes.txt", "a/b/c.txt"]);
      const { existsSync } = await import("node:fs");
      expect(existsSync(tmpName)).toBe(false);
    }));
});
