import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { CancelScope } from "@anyio/core";
import { describeEachBackend } from "@anyio/testing/vitest";
import { describe, expect, it } from "vitest";
import { Path } from "../src/index.js";
import { useTempDir } from "./helpers.js";

describe("Path pure operations", () => {
  it("normalizes like pathlib and exposes name, stem, suffix, suffixes, parts", () => {
    const p = new Path("/usr//local/./lib", "archive.tar.gz");
    expect(p.toString()).toBe("/usr/local/lib/archive.tar.gz");
    expect(p.name).toBe("archive.tar.gz");
    expect(p.stem).toBe("archive.tar");
    expect(p.suffix).toBe(".gz");
    expect(p.suffixes).toEqual([".tar", ".gz"]);
    expect(p.parts).toEqual(["/", "usr", "local", "lib", "archive.tar.gz"]);
    expect(p.anchor).toBe("/");
    expect(new Path("").toString()).toBe(".");
    expect(new Path(".bashrc").suffix).toBe("");
    expect(new Path(".bashrc").stem).toBe(".bashrc");
    expect(new Path("a/../b").toString()).toBe("a/../b");
    expect(new Path("a", "/abs", "c").toString()).toBe("/abs/c");
    expect(new Path(new URL("file:///tmp/x%20y")).toString()).toBe("/tmp/x y");
  });

  it("parent and parents", () => {
    expect(new Path("a/b/c").parent.toString()).toBe("a/b");
    expect(new Path("a/b/c").parents.map(String)).toEqual(["a/b", "a", "."]);
    expect(new Path("/a/b").parents.map(String)).toEqual(["/a", "/"]);
    expect(new Path("/").parent.toString()).toBe("/");
    expect(new Path("x").parent.toString()).toBe(".");
  });

  it("joinpath, withName, withStem, withSuffix", () => {
    const p = new Path("dir/file.txt");
    expect(p.joinpath("sub", "x").toString()).toBe("dir/file.txt/sub/x");
    expect(p.withName("other.md").toString()).toBe("dir/other.md");
    expect(p.withStem("report").toString()).toBe("dir/report.txt");
    expect(p.withSuffix(".json").toString()).toBe("dir/file.json");
    expect(p.withSuffix("").toString()).toBe("dir/file");
    expect(() => p.withSuffix("json")).toThrow(RangeError);
    expect(() => new Path("/").withName("x")).toThrow(RangeError);
    expect(() => p.withName("a/b")).toThrow(RangeError);
  });

  it("relativeTo, isRelativeTo, isAbsolute, equals", () => {
    const p = new Path("/srv/app/static/logo.png");
    expect(p.relativeTo("/srv/app").toString()).toBe("static/logo.png");
    expect(() => p.relativeTo("/etc")).toThrow(/not in the subpath/);
    expect(p.relativeTo("/srv/other", { walkUp: true }).toString()).toBe("../app/static/logo.png");
    expect(p.isRelativeTo("/srv")).toBe(true);
    expect(p.isRelativeTo("/sr")).toBe(false);
    expect(p.isAbsolute()).toBe(true);
    expect(new Path("rel").isAbsolute()).toBe(false);
    expect(p.equals("/srv//app/static/./logo.png")).toBe(true);
    expect(p.equals(new Path("/SRV/app/static/logo.png"))).toBe(false);
  });

  it("match from the right, fullMatch with **", () => {
    const p = new Path("/src/pkg/mod.py");
    expect(p.match("*.py")).toBe(true);
    expect(p.match("pkg/*.py")).toBe(true);
    expect(p.match("/*.py")).toBe(false);
    expect(p.match("/src/*/mod.[pq]y")).toBe(true);
    expect(p.match("*.PY")).toBe(false);
    expect(p.match("[!a-m]*.py")).toBe(false);
    expect(p.fullMatch("/src/**/*.py")).toBe(true);
    expect(p.fullMatch("/**")).toBe(true);
    expect(p.fullMatch("src/**")).toBe(false);
    expect(() => p.match("")).toThrow(RangeError);
  });

  it("asPosix, asUri, cwd, home, absolute, expanduser", () => {
    expect(new Path("/tmp/a b").asUri()).toBe("file:///tmp/a%20b");
    expect(() => new Path("rel").asUri()).toThrow(RangeError);
    expect(new Path("a/b").asPosix()).toBe("a/b");
    expect(Path.cwd().toString()).toBe(process.cwd());
    expect(Path.home().toString()).toBe(homedir());
    expect(new Path("x").absolute().toString()).toBe(join(process.cwd(), "x"));
    expect(new Path("~/x").expanduser().toString()).toBe(join(homedir(), "x"));
  });

  it("rejects bad segments", () => {
    expect(() => new Path(3 as never)).toThrow(TypeError);
    expect(() => new Path("a\0b")).toThrow(TypeError);
  });
});

describeEachBackend("Path disk operations", ({ run }) => {
  const tmp = useTempDir();
  const root = () => new Path(tmp.path);

  it("writes and reads text and bytes; exists, isFile, isDir, stat", () =>
    run(async () => {
      const f = root().joinpath("a.txt");
      expect(await f.exists()).toBe(false);
      expect(await f.writeText("line1\r\nline2\n")).toBe(13);
      expect(await f.readText()).toBe("line1\nline2\n");
      expect(await f.readText({ newline: "" })).toBe("line1\r\nline2\n");
      await f.writeBytes(new Uint8Array([1, 2, 3]));
      expect(Array.from(await f.readBytes())).toEqual([1, 2, 3]);
      expect(await f.exists()).toBe(true);
      expect(await f.isFile()).toBe(true);
      expect(await f.isDir()).toBe(false);
      expect(await root().isDir()).toBe(true);
      expect((await f.stat()).size).toBe(3);
      expect(await root().joinpath("missing/x").isFile()).toBe(false);
      await expect(root().joinpath("missing").readText()).rejects.toMatchObject({ code: "ENOENT" });
    }));

  it("mkdir with parents and existOk", () =>
    run(async () => {
      const deep = root().joinpath("a/b/c");
      await expect(deep.mkdir()).rejects.toMatchObject({ code: "ENOENT" });
      await deep.mkdir({ parents: true });
      expect(existsSync(deep.toString())).toBe(true);
      await expect(deep.mkdir({ parents: true })).rejects.toMatchObject({ code: "EEXIST" });
      await deep.mkdir({ parents: true, existOk: true });
      const file = root().joinpath("file");
      await file.touch();
      await expect(file.mkdir({ existOk: true })).rejects.toMatchObject({ code: "EEXIST" });
      await deep.rmdir();
      expect(await deep.exists()).toBe(false);
    }));

  it("unlink with and without missingOk", () =>
    run(async () => {
      const f = root().joinpath("gone");
      await expect(f.unlink()).rejects.toMatchObject({ code: "ENOENT", path: f.toString() });
      await f.unlink({ missingOk: true });
      await f.touch();
      await f.unlink();
      expect(await f.exists()).toBe(false);
    }));

  it("rename and replace over an existing file; move; copy", () =>
    run(async () => {
      const a = root().joinpath("a");
      const b = root().joinpath("b");
      await a.writeText("A");
      await b.writeText("B");
      const moved = await a.rename(b);
      expect(moved.equals(b)).toBe(true);
      expect(readFileSync(b.toString(), "utf8")).toBe("A");
      expect(await a.exists()).toBe(false);
      await a.writeText("again");
      await a.replace(b);
      expect(await b.readText()).toBe("again");
      const c = await b.copy(root().joinpath("c"));
      expect(await c.readText()).toBe("again");
      const tree = root().joinpath("tree/sub");
      await tree.mkdir({ parents: true });
      await tree.joinpath("x.txt").writeText("x");
      await root().joinpath("tree").copy(root().joinpath("tree2"));
      expect(await root().joinpath("tree2/sub/x.txt").readText()).toBe("x");
      await expect(root().joinpath("tree").copy(root().joinpath("tree2"))).rejects.toMatchObject({ code: "EEXIST" });
      const d = await c.move(root().joinpath("d"));
      expect(await d.readText()).toBe("again");
      expect(await c.exists()).toBe(false);
    }));

  it("symlinks: symlinkTo, readlink, isSymlink, dangling links, resolve, samefile, hardlinkTo", () =>
    run(async () => {
      const target = root().joinpath("target.txt");
      await target.writeText("t");
      const link = root().joinpath("link");
      await link.symlinkTo("target.txt");
      expect((await link.readlink()).toString()).toBe("target.txt");
      expect(await link.isSymlink()).toBe(true);
      expect(await target.isSymlink()).toBe(false);
      expect(await link.isFile()).toBe(true);
      expect(await link.readText()).toBe("t");
      expect((await link.resolve()).toString()).toBe((await target.resolve()).toString());
      expect(await link.samefile(target)).toBe(true);
      const dangling = root().joinpath("dangling");
      await dangling.symlinkTo("nowhere");
      expect(await dangling.exists()).toBe(false);
      expect(await dangling.exists({ followSymlinks: false })).toBe(true);
      expect((await dangling.lstat()).isSymbolicLink()).toBe(true);
      await expect(dangling.resolve({ strict: true })).rejects.toMatchObject({ code: "ENOENT" });
      expect((await root().joinpath("no/such").resolve()).name).toBe("such");
      const hard = root().joinpath("hard");
      await hard.hardlinkTo(target);
      expect(await hard.samefile(target)).toBe(true);
      expect((await target.stat()).nlink).toBe(2);
    }));

  it("touch creates or updates, and existOk: false refuses an existing file; chmod", () =>
    run(async () => {
      const f = root().joinpath("t");
      await f.touch({ mode: 0o600 });
      expect((await f.stat()).mode & 0o777).toBe(0o600 & ~process.umask());
      await f.touch();
      await expect(f.touch({ existOk: false })).rejects.toMatchObject({ code: "EEXIST" });
      await f.chmod(0o640);
      expect((await f.stat()).mode & 0o777).toBe(0o640);
      await expect(f.chmod(-1)).rejects.toThrow(RangeError);
    }));

  it("open returns an AsyncFile", () =>
    run(async () => {
      const f = root().joinpath("o.txt");
      {
        await using w = await f.open("w");
        await w.write("via path");
      }
      await using r = await f.open("rb");
      expect(Buffer.from(await r.read()).toString()).toBe("via path");
    }));
});

describeEachBackend("Path directory iteration", ({ run }) => {
  const tmp = useTempDir();
  const root = () => new Path(tmp.path);
  const rel = (p: Path) => p.relativeTo(tmp.path).toString();
  const collect = async <T>(it: AsyncIterable<T>) => {
    const out: T[] = [];
    for await (const x of it) out.push(x);
    return out;
  };

  function tree() {
    for (const d of ["src/pkg/sub", "docs", ".hidden", "empty"]) mkdirSync(join(tmp.path, d), { recursive: true });
    for (const f of ["src/a.ts", "src/b.js", "src/pkg/c.ts", "src/pkg/sub/d.ts", "docs/readme.md", ".hidden/e.ts", "top.ts"]) {
      writeFileSync(join(tmp.path, f), f);
    }
    symlinkSync(join(tmp.path, "src"), join(tmp.path, "srclink"));
  }

  it("iterdir lists a directory, sorted", () =>
    run(async () => {
      tree();
      expect((await collect(root().iterdir())).map((p) => p.name)).toEqual([".hidden", "docs", "empty", "src", "srclink", "top.ts"]);
      await expect(collect(root().joinpath("nope").iterdir())).rejects.toMatchObject({ code: "ENOENT" });
    }));

  it("glob patterns: *, ?, [..], **, trailing /, no magic", () =>
    run(async () => {
      tree();
      expect((await collect(root().glob("*.ts"))).map(rel)).toEqual(["top.ts"]);
      expect((await collect(root().glob("src/?.[jt]s"))).map(rel)).toEqual(["src/a.ts", "src/b.js"]);
      expect((await collect(root().glob("src/[!a]*"))).map(rel)).toEqual(["src/b.js", "src/pkg"]);
      expect((await collect(root().glob("**/*.ts"))).map(rel)).toEqual(["top.ts", ".hidden/e.ts", "src/a.ts", "src/pkg/c.ts", "src/pkg/sub/d.ts"]);
      expect((await collect(root().glob("src/**"))).map(rel)).toEqual(["src", "src/a.ts", "src/b.js", "src/pkg", "src/pkg/c.ts", "src/pkg/sub", "src/pkg/sub/d.ts"]);
      expect((await collect(root().glob("*/"))).map(rel)).toEqual([".hidden", "docs", "empty", "src", "srclink"]);
      expect((await collect(root().glob("docs/readme.md"))).map(rel)).toEqual(["docs/readme.md"]);
      expect((await collect(root().glob("docs/nothing.md"))).map(rel)).toEqual([]);
      // plain segments follow the symlink; ** does not
      expect((await collect(root().glob("srclink/*.ts"))).map(rel)).toEqual(["srclink/a.ts"]);
      expect((await collect(root().glob("**/**/d.ts"))).map(rel)).toEqual(["src/pkg/sub/d.ts"]);
      await expect(collect(root().glob("/abs"))).rejects.toThrow(RangeError);
      await expect(collect(root().glob(""))).rejects.toThrow(RangeError);
    }));

  it("rglob matches at any depth", () =>
    run(async () => {
      tree();
      expect((await collect(root().rglob("*.md"))).map(rel)).toEqual(["docs/readme.md"]);
      expect((await collect(root().rglob("sub"))).map(rel)).toEqual(["src/pkg/sub"]);
    }));

  it("walk top-down (prunable) and bottom-up, symlinks as files unless followed", () =>
    run(async () => {
      tree();
      const down: string[] = [];
      for await (const [dir, dirs, files] of root().walk()) {
        down.push(`${rel(dir)}: [${dirs.join(",")}] [${files.join(",")}]`);
        const i = dirs.indexOf("docs");
        if (i !== -1) dirs.splice(i, 1); // pruned: never visited
      }
      expect(down).toEqual([
        ".: [.hidden,docs,empty,src] [srclink,top.ts]",
        ".hidden: [] [e.ts]",
        "empty: [] []",
        "src: [pkg] [a.ts,b.js]",
        "src/pkg: [sub] [c.ts]",
        "src/pkg/sub: [] [d.ts]",
      ]);
      const up = (await collect(root().joinpath("src").walk({ topDown: false }))).map(([d]) => rel(d));
      expect(up).toEqual(["src/pkg/sub", "src/pkg", "src"]);
      const followed = (await collect(root().walk({ followSymlinks: true }))).map(([d]) => rel(d));
      expect(followed).toContain("srclink/pkg/sub");
      const errors: unknown[] = [];
      expect(await collect(root().joinpath("missing").walk({ onError: (e) => errors.push(e) }))).toEqual([]);
      expect(errors).toHaveLength(1);
    }));

  it("a cancelled glob stops and throws Cancelled", () =>
    run(async () => {
      tree();
      const seen: string[] = [];
      const scope = new CancelScope();
      await scope.run(async () => {
        for await (const p of root().rglob("*")) {
          seen.push(rel(p));
          if (seen.length === 3) scope.cancel();
        }
      });
      expect(scope.cancelledCaught).toBe(true);
      expect(seen.length).toBeLessThan(8);
    }));
});
