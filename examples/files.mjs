// Files with @anyio/fs. Run: node examples/files.mjs
//
// Everything happens in a temporary directory that is removed at the end (the `finally`; on
// Node ≥ 24 `await using tmp = …` does the same), even when the program fails or is cancelled.
// 1. Write a file of lines in text mode and read it back line by line (Python's newline rules).
// 2. Build a small tree and find files with glob / rglob (results are sorted: reproducible).
// 3. Copy a file as byte streams (FileReadStream → FileWriteStream), several files at once,
//    with a CapacityLimiter bounding how many file calls are in flight.
// 4. A timeout around file work: the in-flight OS call finishes, the next checkpoint cancels.
import { moveOnAfter, run, withTaskGroup } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { FileReadStream, FileWriteStream, openFile, Path, TemporaryDirectory } from "@anyio/fs";
import { CapacityLimiter } from "@anyio/sync";

await run(async () => {
  const tmp = await TemporaryDirectory.create({ prefix: "anyio-files-" });
  try {
    const root = tmp.path;

    // 1. Lines in, lines out. Text mode with universal newlines: "\r\n" reads back as "\n".
    const notes = root.joinpath("notes.txt");
    const out = await openFile(notes, "w");
    try {
      await out.writeLines(["alpha\n", "beta\r\n", "gamma\n"]);
    } finally {
      await out.aclose();
    }
    const lines = [];
    const input = await openFile(notes, "r");
    try {
      for await (const line of input) lines.push(line); // each line keeps its ending, as in Python
    } finally {
      await input.aclose();
    }
    console.log(`1. wrote 3 lines, read back: ${JSON.stringify(lines)}`);

    // 2. A small tree, then glob (one directory) and rglob (the whole tree).
    await root.joinpath("src/util").mkdir({ parents: true });
    await root.joinpath("docs").mkdir();
    for (const [name, text] of [
      ["src/main.ts", "export {}\n"],
      ["src/util/strings.ts", "export {}\n"],
      ["src/util/strings.test.ts", "test\n"],
      ["docs/guide.md", "# Guide\n"],
      ["README.md", "# Readme\n"],
    ]) {
      await root.joinpath(name).writeText(text);
    }
    const rel = (p) => p.relativeTo(root).toString();
    const topLevel = [];
    for await (const p of root.glob("*.md")) topLevel.push(rel(p));
    const allTs = [];
    for await (const p of root.rglob("*.ts")) allTs.push(rel(p));
    console.log(`2. glob("*.md"): ${topLevel.join(", ")}; rglob("*.ts"): ${allTs.join(", ")}`);

    // 3. Copy every .md file as a byte stream, concurrently, at most 2 file calls in flight.
    const limiter = new CapacityLimiter(2);
    const backup = root.joinpath("backup");
    await backup.mkdir();
    let copied = 0;
    // List the sources first: copying while rglob still walks the tree would let it find the
    // copies being written into backup/.
    const sources = [];
    for await (const source of root.rglob("*.md")) sources.push(source);
    await withTaskGroup(async (tg) => {
      for (const source of sources) {
        tg.startSoon(async () => {
          const input = await FileReadStream.fromPath(source, { limiter });
          try {
            const output = await FileWriteStream.fromPath(backup.joinpath(source.name), { limiter });
            try {
              for await (const chunk of input) await output.send(chunk);
            } finally {
              await output.aclose();
            }
          } finally {
            await input.aclose();
          }
          copied++;
        });
      }
    });
    const backedUp = [];
    for await (const p of backup.iterdir()) backedUp.push(`${p.name} (${(await p.stat()).size} bytes)`);
    console.log(`3. copied ${copied} files as byte streams: ${backedUp.join(", ")}`);

    // 4. A deadline around file work. Each write is one OS call: it either happened or not.
    const big = root.joinpath("big.log");
    let written = 0;
    const scope = moveOnAfter(30);
    const f = await openFile(big, "w");
    try {
      await scope.run(async () => {
        for (;;) {
          await f.write(`line ${written}\n`); // a checkpoint: cancellation arrives between writes
          written++;
        }
      });
    } finally {
      await f.aclose();
    }
    const onDisk = (await big.readText()).split("\n").filter(Boolean).length;
    console.log(`4. timed out: ${scope.cancelledCaught}; ${written} writes returned, ${onDisk} lines on disk (no torn write): ${onDisk === written}`);
  } finally {
    await tmp.aclose(); // removes the directory and everything in it
  }
  console.log(`temporary directory removed: ${!(await new Path(tmp.name).exists())}`);
}, { backend: nativeBackend() });
