// Runs every example under examples/ and every runnable code block of the guides in docs/,
// each in its own `node` process against the BUILT packages (dist/), exactly as a user would:
// exit code 0 and the key lines of output are asserted.
//
// A guide's code block is runnable when the line before its fence is
//   <!-- run: expect "some text" [expect "more text"…] -->
// Its code is written to examples/.snippets/ (so bare `@anyio/*` imports resolve through this
// package's node_modules) and run with node.
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const examplesDir = fileURLToPath(new URL("..", import.meta.url));
const root = join(examplesDir, "..");
const docsDir = join(root, "docs");
const snippetsDir = join(examplesDir, ".snippets");

/** The packages the examples import, with the dist file that must be newer than their sources. */
const BUILT = [
  ["core", "dist/index.node.js"],
  ["backend-native", "dist/index.js"],
  ["backend-strict", "dist/index.js"],
  ["sync", "dist/index.js"],
  ["testing", "dist/index.js"],
  ["net", "dist/index.js"],
  ["fs", "dist/index.js"],
  ["process", "dist/index.js"],
  ["worker", "dist/index.js"],
] as const;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function staleBuilds(): string[] {
  return BUILT.filter(([pkg, dist]) => {
    const out = join(root, "packages", pkg, dist);
    return !existsSync(out) || statSync(out).mtimeMs < newestMtime(join(root, "packages", pkg, "src"));
  }).map(([pkg]) => pkg);
}

/** Runs `node file` in `cwd`; resolves with its exit code and output. */
function runNode(file: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file], { cwd, timeout: 60_000, env: { ...process.env, NO_COLOR: "1" } }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : null;
      resolve({ code, stdout, stderr });
    });
  });
}

async function expectRun(file: string, cwd: string, expected: readonly string[]): Promise<string> {
  const { code, stdout, stderr } = await runNode(file, cwd);
  const context = `\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`;
  expect(code, `exit code of node ${file}${context}`).toBe(0);
  for (const text of expected) expect(stdout, `output of node ${file} should contain ${JSON.stringify(text)}${context}`).toContain(text);
  return stdout;
}

beforeAll(() => {
  // CI builds everything before testing; a bare `npm test` on a fresh clone has no dist/ yet,
  // and an edited source makes dist/ stale. Build (turbo caches) only then.
  const stale = staleBuilds();
  if (stale.length === 0) return;
  const result = spawnSync(process.execPath, [join(root, "tools/bootstrap.mjs"), "--quiet", "turbo", "run", "build", "--filter=@anyio/examples..."], {
    cwd: root,
    encoding: "utf8",
    timeout: 280_000,
  });
  if (result.status !== 0) throw new Error(`building ${stale.join(", ")} for the examples failed:\n${result.stdout}\n${result.stderr}`);
}, 300_000);

/** Each example and lines its output must contain: the story it tells. */
const EXAMPLES: Record<string, readonly string[]> = {
  "pipeline.mjs": [
    "pipeline done: 12 results, sum 650",
    "backpressure: the buffer never held more than 4 jobs",
    "limiter: at most 2 workers in the expensive step at once (limit 2)",
  ],
  "crawler.mjs": [
    "fetched / → 3 links",
    "timeout /docs/slow (no answer within 200 ms)",
    "failed  /blog/broken: 500 /blog/broken",
    "crawled 10 pages",
    "1 timed out, 1 failed, at most 3 fetches in flight (limit 3)",
    "budget exceeded: true, fetches still in flight: 0",
  ],
  "timeouts.mjs": [
    "1. moveOnAfter(50): value undefined, cancelledCaught true",
    "2. failAfter(50): TimeoutError",
    "3. inner scope asks for 10 s, but the outer 100 ms deadline applies: true",
    "4. every checkpoint in a cancelled scope throws: 3 of 3 sleeps threw Cancelled",
    "5. shielded cleanup ran to the end: true",
    "6. awaitCancellable: the foreign call's signal was aborted: true",
    "7. ExceptionGroup [disk full]; sibling cancelled at",
  ],
  "task-groups.mjs": [
    "1. start() resolved after",
    "with memory://server-1",
    "client: 3 → 6",
    "server: shut down cleanly",
    "2. start() threw Error: port already in use",
    "3. caught 2 ValidationErrors: bad email, bad zip code",
    "4. split: 1 RangeError, rest: TypeError",
  ],
  "streams.mjs": [
    "1. channel delivered: structured concurrency for TypeScript",
    '2. after close: got "last item", then EndOfStream',
    "send to a closed receiver: BrokenResourceError",
    '3. parsed 3 header lines from 7-byte chunks: ["GET / HTTP/1.1","Host: example.test","Accept: */*"], body "hello body"',
    "4. decoded across 3-byte chunks: naïve café ☕ — ok",
    "5. stapled request/reply: ping → PING",
  ],
  "explicit-context.mjs": [
    "1. ambient:  a done, b done; timed out: true",
    "2. explicit: a done, b done; timed out: true",
    "3. NoContextError: sleep() needs the current task",
    "4. ambient: a foreign AbortSignal aborted one sleep with its reason (TimeoutError)",
    "5. explicit: the stop button cancelled the scope (stop pressed), cancelledCaught: true",
  ],
  "strict-testing.mjs": [
    "1. virtual clock: 5 attempts, TimeoutError, 65 s of virtual time",
    '2. seeds: FIFO order is always "abc"',
    "3. DeadlockError: Deadlock: every task is blocked",
    '"config loader"',
    "4. trace: spawn main → spawn sleeper → sleeper blocks on sleep",
    "5. assertCheckpoints(naiveGet): assertCheckpoints(): the block has no cancel point",
    "assertCheckpoints(politeGet): passes, value 42",
  ],
  "custom-backend.mjs": ["simple backend ran three sleepers: finished in order 100, 200, 300", "conformance: "],
  "echo-server.mjs": [
    "server: listening on 127.0.0.1:",
    "client ann: HELLO FROM ANN / ANN SAYS BYE",
    "client eve: HELLO FROM EVE / EVE SAYS BYE",
    "client slow: TimeoutError after its 250 ms budget; its socket was closed",
    "idle for 300 ms, hanging up after 0 lines",
    "client silent: the server closed the idle connection (EndOfStream)",
    "done: 5 clients echoed, 1 idle connection timed out, 1 client over budget",
  ],
  "crawler-http.mjs": [
    "server: http://127.0.0.1:",
    "fetched / → 3 links",
    "timeout /docs/slow (no answer within 500 ms)",
    "failed  /blog/broken: HTTP 500 /blog/broken",
    "crawled 10 pages",
    "1 timed out, 1 failed, at most 3 fetches in flight (limit 3)",
    "budget exceeded: true, fetches still in flight: 0",
    "requests and is shut down",
  ],
  "worker-pool.mjs": [
    "1. 78498 primes below 1,000,000 (expected 78498), in 8 chunks",
    "chunks ran at once (limit 2)",
    '2. "wait" mode: cancelledCaught true; the worker saw checkCancelled() throw and stopped itself',
    '3. "terminate" mode: cancelledCaught true',
  ],
  "files.mjs": [
    '1. wrote 3 lines, read back: ["alpha\\n","beta\\n","gamma\\n"]',
    '2. glob("*.md"): README.md; rglob("*.ts"): src/main.ts, src/util/strings.test.ts, src/util/strings.ts',
    "3. copied 2 files as byte streams: README.md (9 bytes), guide.md (8 bytes)",
    "4. timed out: true;",
    "lines on disk (no torn write): true",
    "temporary directory removed: true",
  ],
  "subprocess.mjs": [
    '1. runProcess: returncode 0, stdout "42\\n"',
    'CalledProcessError: returncode 3, stderr "disk full"',
    "2. pipeline: apple,fig,kiwi,pear; exit codes 0 and 0",
    "3. timeout: cancelledCaught true; the child (pid",
    "still exists: false",
    "4. cancelOnSignals: received SIGINT, scope cancelledCaught true, cleanup ran: true",
  ],
};

// Each example is its own process, so they can run side by side.
describe.concurrent("examples/*.mjs run with node and tell their story", () => {
  it("every example file is listed here (so none goes untested)", () => {
    const files = readdirSync(examplesDir).filter((f) => f.endsWith(".mjs")).sort();
    expect(files).toEqual(Object.keys(EXAMPLES).sort());
  });

  for (const [file, expected] of Object.entries(EXAMPLES)) {
    it(`node examples/${file}`, async () => {
      const stdout = await expectRun(join(examplesDir, file), examplesDir, expected);
      if (file === "custom-backend.mjs") {
        // The suite grows; whatever its size, the example backend must pass all of it.
        const m = /conformance: (\d+)\/(\d+) cases passed/.exec(stdout);
        expect(m, stdout).not.toBeNull();
        expect(m![1]).toBe(m![2]);
      }
    }, 90_000);
  }
});

interface Snippet {
  guide: string;
  line: number;
  code: string;
  expected: string[];
}

function snippets(): Snippet[] {
  const out: Snippet[] = [];
  for (const guide of readdirSync(docsDir).filter((f) => f.endsWith(".md")).sort()) {
    const lines = readFileSync(join(docsDir, guide), "utf8").split("\n");
    for (let i = 0; i < lines.length; i++) {
      const marker = /^<!--\s*run:(.*)-->\s*$/.exec(lines[i]!);
      if (marker === null) continue;
      const expected = [...marker[1]!.matchAll(/expect\s+"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
      if (!/^```(js|javascript|ts)\s*$/.test(lines[i + 1] ?? "")) throw new Error(`${guide}:${i + 1}: a run marker must sit right above a js code fence`);
      const end = lines.indexOf("```", i + 2);
      out.push({ guide, line: i + 2, code: lines.slice(i + 2, end).join("\n"), expected });
      i = end;
    }
  }
  return out;
}

describe.concurrent("runnable code blocks of docs/*.md", () => {
  const all = snippets();
  beforeAll(() => {
    rmSync(snippetsDir, { recursive: true, force: true });
    mkdirSync(snippetsDir, { recursive: true });
  });

  it("the guides have runnable blocks", () => {
    expect(all.length).toBeGreaterThan(0);
  });

  for (const s of all) {
    it(`docs/${s.guide}:${s.line}`, async () => {
      const file = join(snippetsDir, `${s.guide.replace(/\.md$/, "")}-${s.line}.mjs`);
      writeFileSync(file, `// Extracted from docs/${s.guide}, line ${s.line}; regenerated by test/examples.test.ts.\n${s.code}\n`);
      await expectRun(file, examplesDir, s.expected);
    }, 90_000);
  }
});
