// Subprocesses with @anyio/process. Run: node examples/subprocess.mjs
//
// The children are `node` itself (process.execPath), so the example runs wherever Node does.
// 1. runProcess: run to completion, capture stdout; a failing command throws CalledProcessError.
// 2. A pipeline of two openProcess children, "producer | sorter", with a task pumping bytes
//    from one to the other: backpressure all the way, and every pipe closed at the end.
// 3. A timeout around a child that would run for 10 s: it is killed AND reaped before the
//    timeout block is left — never orphaned.
// 4. Ctrl-C as cancellation: cancelOnSignals turns SIGINT into a cancelled scope (we send the
//    signal to ourselves), and the program unwinds through its finally blocks.
import { CancelScope, moveOnAfter, run, sleep, withTaskGroup } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { CalledProcessError, cancelOnSignals, openProcess, runProcess } from "@anyio/process";

const node = process.execPath;
const decoder = new TextDecoder();

/** Whether a process with this pid still exists (signal 0 only checks). */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

await run(async () => {
  // 1. Run to completion. stdout and stderr are drained concurrently, so neither can fill up.
  const done = await runProcess([node, "-e", "console.log(6 * 7)"]);
  console.log(`1. runProcess: returncode ${done.returncode}, stdout ${JSON.stringify(decoder.decode(done.stdout))}`);
  try {
    await runProcess([node, "-e", "console.error('disk full'); process.exit(3)"]);
  } catch (err) {
    if (!(err instanceof CalledProcessError)) throw err;
    console.log(`   CalledProcessError: returncode ${err.returncode}, stderr ${JSON.stringify(decoder.decode(err.stderr).trim())}`);
  }

  // 2. producer | sorter, through our own task (which could transform, count or limit bytes).
  const producer = await openProcess([node, "-e", "for (const w of ['pear', 'apple', 'fig', 'kiwi']) console.log(w)"], { stdin: "ignore" });
  const sorter = await openProcess([node, "-e", "let s = ''; process.stdin.on('data', (d) => (s += d)).on('end', () => process.stdout.write(s.trim().split('\\n').sort().join(',')))"]);
  let sorted = "";
  try {
    await withTaskGroup(async (tg) => {
      tg.startSoon(async () => {
        for await (const chunk of producer.stdout) await sorter.stdin.send(chunk); // waits when the pipe is full
        await sorter.stdin.aclose(); // EOF for the sorter
      }, { name: "pump" });
      tg.startSoon(async () => {
        for await (const chunk of sorter.stdout) sorted += decoder.decode(chunk, { stream: true });
      }, { name: "collect" });
    });
    console.log(`2. pipeline: ${sorted}; exit codes ${await producer.wait()} and ${await sorter.wait()}`);
  } finally {
    // aclose(): closes the pipes and waits for the exit (kills the child if cancelled meanwhile).
    await producer.aclose();
    await sorter.aclose();
  }

  // 3. A timeout kills and reaps the child before moveOnAfter's block is left.
  let pid = 0;
  const scope = moveOnAfter(200);
  await scope.run(async () => {
    const child = await openProcess([node, "-e", "setTimeout(() => {}, 10_000)"], { stdin: "ignore" });
    pid = child.pid;
    try {
      await child.wait(); // cancelled at 200 ms: SIGKILL, wait for the exit, then Cancelled
    } finally {
      await child.aclose();
    }
  });
  console.log(`3. timeout: cancelledCaught ${scope.cancelledCaught}; the child (pid ${pid}) still exists: ${alive(pid)}`);

  // 4. SIGINT → cancellation. Here we send it ourselves; in a terminal it would be Ctrl-C.
  const main = new CancelScope();
  const stop = cancelOnSignals(main); // SIGINT and SIGTERM
  let cleanedUp = false;
  try {
    await main.run(async () => {
      try {
        await withTaskGroup(async (tg) => {
          tg.startSoon(() => runProcess([node, "-e", "setTimeout(() => {}, 10_000)"], { stdin: "ignore" }), { name: "long job" });
          await sleep(100);
          process.kill(process.pid, "SIGINT");
        });
      } finally {
        cleanedUp = true; // finally blocks run; the long job's child was killed and reaped
      }
    });
  } finally {
    stop.close(); // SIGINT's default action is back
  }
  console.log(`4. cancelOnSignals: received ${stop.received}, scope cancelledCaught ${main.cancelledCaught}, cleanup ran: ${cleanedUp}`);
}, { backend: nativeBackend() });
