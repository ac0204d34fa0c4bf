// A guided tour of anyio-ts: `npm run demo` builds @anyio/core and @anyio/backend-native and
// runs this file against the built packages (dist/), exactly as an application would import them.
//
// Each chapter prints what happens and when, on the run's clock (ms since the chapter began).

let core, native, sync, net;
try {
  core = await import("@anyio/core");
  native = await import("@anyio/backend-native");
  sync = await import("@anyio/sync");
  net = await import("@anyio/net");
} catch (err) {
  console.error(`Could not load the built packages (${err.message}).\nRun \`npm run demo\` from the repository root: it builds them first.`);
  process.exit(1);
}
const { run, withTaskGroup, moveOnAfter, failAfter, sleep, TimeoutError, CancelScope, ExceptionGroup, currentTime, getCurrentTask, isCancelled } =
  core;
const { nativeBackend } = native;
const { createMemoryObjectStream, CapacityLimiter } = sync;
const { createTcpListener, connectTcp } = net;
const { BufferedByteReceiveStream, EndOfStream } = core;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

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

  // 6 -------------------------------------------------------------------------------------------
  chapter(6, "A pipeline with backpressure", "A producer, a bounded channel, and workers limited to 2 at a time.");
  const [send, receive] = createMemoryObjectStream(2); // the producer waits when 2 items are queued
  const limiter = new CapacityLimiter(2);
  let peak = 0;
  await withTaskGroup(async (tg) => {
    tg.startSoon(async () => {
      try {
        for (let i = 1; i <= 6; i++) {
          await send.send(`job-${i}`);
          say(`queued job-${i} (buffer ${send.statistics().currentBufferUsed}/2)`);
        }
      } finally {
        await send.aclose(); // closing the send side ends the consumers' loops
      }
    }, { name: "producer" });
    for (const name of ["worker-1", "worker-2", "worker-3"]) {
      const jobs = receive.clone(); // each worker owns a receive end (cloned now, before close())
      tg.startSoon(async () => {
        for await (const job of jobs) {
          await limiter.run(async () => {
            peak = Math.max(peak, limiter.borrowedTokens);
            await sleep(60);
            say(green(`finished ${job}`));
          });
        }
      }, { name });
    }
    receive.close(); // the workers' clones keep the channel open until they are done
  });
  note(`→ 6 jobs, 3 workers, at most ${peak} running at once (the limiter), done at ${elapsed()} ms`);

  // 7 -------------------------------------------------------------------------------------------
  chapter(7, "An echo server and concurrent clients with timeouts", "A real TCP listener on 127.0.0.1; each client gets 200 ms.");
  const listener = await createTcpListener({ localHost: "127.0.0.1", localPort: 0 });
  const port = listener.listeners[0].extra(net.SocketAttribute.localPort);
  await withTaskGroup(async (tg) => {
    tg.startSoon(async () => {
      await listener
        .serve(async (stream) => {
          const lines = new BufferedByteReceiveStream(stream);
          for (;;) {
            let line;
            try {
              line = decoder.decode(await lines.receiveUntil(encoder.encode("\n"), 1024));
            } catch (err) {
              if (err instanceof EndOfStream || err?.name === "IncompleteRead") return;
              throw err;
            }
            if (line === "slow") await sleep(500); // this client will give up first
            await stream.send(encoder.encode(`echo: ${line}\n`));
          }
        })
        .catch((err) => {
          if (!(err instanceof core.ClosedResourceError)) throw err;
        });
    }, { name: "server" });
    await withTaskGroup(async (clients) => {
      for (const word of ["hello", "slow", "world"]) {
        clients.startSoon(async () => {
          const scope = moveOnAfter(200);
          await scope.run(async () => {
            const client = await connectTcp("127.0.0.1", port);
            try {
              await client.send(encoder.encode(`${word}\n`));
              const reply = decoder.decode(await new BufferedByteReceiveStream(client).receiveUntil(encoder.encode("\n"), 1024));
              say(green(`got "${reply}"`));
            } finally {
              await client.aclose();
            }
          });
          if (scope.cancelledCaught) say(red(`no reply within 200 ms: gave up on "${word}"`));
        }, { name: `client ${word}` });
      }
    });
    await listener.aclose(); // ends serve() with ClosedResourceError, which the server expects
  });
  note(`→ 2 echoes, 1 timeout, listener closed: every connection and handler finished at ${elapsed()} ms`);

  console.log(`\n${bold(`Total: ${Math.round(currentTime() - t0)} ms`)} ${dim("(every task started here has finished; nothing leaked)")}`);
}

await run(main, { backend: nativeBackend(), name: "main" });
