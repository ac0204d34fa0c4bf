// A guided tour of anyio-ts: `npm run demo` builds @anyio/core and @anyio/backend-native and
// runs this file against the built packages (dist/), exactly as an application would import them.
//
// Each chapter prints what happens and when, on the run's clock (ms since the chapter began).

let core, native;
try {
  core = await import("@anyio/core");
  native = await import("@anyio/backend-native");
} catch (err) {
  console.error(`Could not load the built packages (${err.message}).\nRun \`npm run demo\` from the repository root: it builds them first.`);
  process.exit(1);
}
const { run, withTaskGroup, moveOnAfter, failAfter, sleep, TimeoutError, CancelScope, ExceptionGroup, currentTime, getCurrentTask, isCancelled } =
  core;
const { nativeBackend } = native;

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const bold = (s) => (color ? `\x1b[1m${s}\x1b[22m` : s);
const dim = (s) => (color ? `\x1b[2m${s}\x1b[22m` : s);
const green = (s) => (color ? `\x1b[32m${s}\x1b[39m` : s);
const red = (s) => (color ? `\x1b[31m${s}\x1b[39m` : s);

let chapterStart = 0;
const elapsed = () => Math.round(currentTime() - chapterStart);
const stamp = () => dim(`[${String(elapsed()).padStart(4)} ms]`);
/** One line of the story, tagged with the time and the task that prints it. */
const say = (text) => console.log(`  ${stamp()} ${dim(getCurrentTask().name.padEnd(10))} ${text}`);
const note = (text) => console.log(`  ${text}`);

function chapter(n, title, intro) {
  console.log(`\n${bold(`${n}. ${title}`)}`);
  console.log(dim(`   ${intro}`));
  chapterStart = currentTime();
}

/** A pretend download: sleeping is a checkpoint, so it can be cancelled at any moment. */
async function download(file, ms) {
  say(`start  ${file} (takes ${ms} ms)`);
  await sleep(ms);
  say(green(`done   ${file}`));
  return `${file}: ${ms * 10} bytes`;
}

async function main() {
  const t0 = currentTime();
  console.log(bold("anyio-ts demo: structured concurrency on the native backend"));

  // 1 -------------------------------------------------------------------------------------------
  chapter(1, "A task group runs three downloads concurrently", "withTaskGroup() returns only when every child has finished.");
  const results = [];
  await withTaskGroup(async (tg) => {
    for (const [file, ms] of [["a.txt", 300], ["b.txt", 200], ["c.txt", 400]]) {
      tg.startSoon(async () => results.push(await download(file, ms)), { name: `get ${file}` });
    }
    say("started 3 children; leaving the body waits for them");
  });
  note(`→ all ${results.length} done after ${elapsed()} ms: the slowest (400 ms), not the sum (900 ms)`);

  // 2 -------------------------------------------------------------------------------------------
  chapter(2, "moveOnAfter: give up quietly", "A cancel scope with a deadline; on timeout run() resolves undefined.");
  const quietly = moveOnAfter(150);
  const big = await quietly.run(() => download("huge.iso", 1_000));
  note(`→ result: ${big}, cancelledCaught: ${quietly.cancelledCaught} (the download was cancelled at ${elapsed()} ms)`);

  // 3 -------------------------------------------------------------------------------------------
  chapter(3, "failAfter: give up loudly", "Like moveOnAfter, but its own deadline raises TimeoutError.");
  try {
    await failAfter(100).run(() => download("slow.json", 500));
    note("→ (not reached)");
  } catch (err) {
    if (!(err instanceof TimeoutError)) throw err;
    note(`→ caught ${red(`${err.name}: ${err.message}`)} at ${elapsed()} ms`);
  }

  // 4 -------------------------------------------------------------------------------------------
  chapter(4, "One child fails: its siblings are cancelled", "The group cancels everyone, waits for their cleanup, then raises an ExceptionGroup.");
  const sibling = (what) => async () => {
    try {
      say(`${what}…`);
      await sleep(1_000);
      say("finished (not reached)");
    } catch (err) {
      if (isCancelled(err)) say(`cancelled while ${what}`);
      throw err; // never swallow a cancellation
    } finally {
      say("finally: released its resources");
    }
  };
  try {
    await withTaskGroup(async (tg) => {
      tg.startSoon(sibling("uploading"), { name: "uploader" });
      tg.startSoon(sibling("indexing"), { name: "indexer" });
      tg.startSoon(
        async () => {
          await sleep(100);
          say(red("throws Error: checksum mismatch"));
          throw new Error("checksum mismatch");
        },
        { name: "verifier" },
      );
    });
  } catch (err) {
    if (!(err instanceof ExceptionGroup)) throw err;
    note(`→ caught ${red(`${err.name}("${err.message}")`)} with ${err.errors.length} error(s): ${err.errors.map((e) => `${e.name}: ${e.message}`).join(", ")}`);
    note(`  at ${elapsed()} ms, not 1000: the siblings stopped at their next checkpoint`);
  }

  // 5 -------------------------------------------------------------------------------------------
  chapter(5, "A shielded cleanup completes despite cancellation", "Waiting in a cancelled scope throws at once; a shield lets cleanup finish.");
  const job = moveOnAfter(100);
  await job.run(async () => {
    try {
      say("writing a report…");
      await sleep(1_000);
    } finally {
      try {
        await sleep(50);
      } catch (err) {
        if (!isCancelled(err)) throw err;
        say(red("an unshielded sleep in finally throws Cancelled at once"));
      }
      await new CancelScope({ shield: true }).run(async () => {
        say("shielded: flushing buffers (150 ms)…");
        await sleep(150);
        say(green("shielded: flushed and closed the file"));
      });
    }
  });
  note(`→ cancelled at 100 ms, cleanup done at ${elapsed()} ms; cancelledCaught: ${job.cancelledCaught}`);

  console.log(`\n${bold(`Total: ${Math.round(currentTime() - t0)} ms`)} ${dim("(every task started here has finished; nothing leaked)")}`);
}

await run(main, { backend: nativeBackend(), name: "main" });
