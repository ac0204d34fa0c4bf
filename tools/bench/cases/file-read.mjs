/**
 * Reading a file of N MiB to the end, chunk by chunk (64 KiB reads), via FileReadStream
 * against fs/promises FileHandle.read into a fresh buffer per read (the floor). The file is
 * made once per process in the OS temp dir and removed at exit; the page cache is warm.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { FileReadStream } from "@anyio/fs";
import { EndOfStream } from "@anyio/core";

const CHUNK = 64 * 1024;
let path = null;
function file(mib) {
  if (path !== null && path.mib === mib) return path.file;
  const dir = mkdtempSync(join(tmpdir(), "anyio-bench-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  const f = join(dir, "data.bin");
  const block = Buffer.alloc(1 << 20, 1);
  writeFileSync(f, Buffer.concat(Array.from({ length: mib }, () => block)));
  path = { mib, file: f };
  return f;
}

export const variants = {
  fsPromises: async (mib) => {
    const fh = await open(file(mib), "r");
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      total += bytesRead;
    }
    await fh.close();
    if (total !== mib << 20) throw new Error(`read ${total} bytes`);
  },
  fileReadStream: (mib) =>
    run(
      async () => {
        const f = file(mib);
        const stream = await FileReadStream.fromPath(f);
        let total = 0;
        try {
          for (;;) total += (await stream.receive(CHUNK)).byteLength;
        } catch (err) {
          if (!(err instanceof EndOfStream)) throw err;
        } finally {
          await stream.aclose();
        }
        if (total !== mib << 20) throw new Error(`read ${total} bytes`);
      },
      { backend: nativeBackend() },
    ),
};
