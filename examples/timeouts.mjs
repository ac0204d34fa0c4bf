// Timeouts and cancellation, one scene each. Run: node examples/timeouts.mjs
import {
  awaitCancellable,
  CancelScope,
  currentEffectiveDeadline,
  currentTime,
  failAfter,
  isCancelled,
  moveOnAfter,
  run,
  sleep,
  TimeoutError,
  withTaskGroup,
} from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";

await run(async () => {
  let t0 = currentTime();
  const ms = () => `${Math.round(currentTime() - t0)} ms`;

  // 1. moveOnAfter: give up quietly. run() resolves undefined, cancelledCaught says why.
  const quiet = moveOnAfter(50);
  const value = await quiet.run(async () => {
    await sleep(1_000);
    return "finished";
  });
  console.log(`1. moveOnAfter(50): value ${value}, cancelledCaught ${quiet.cancelledCaught}, after ${ms()}`);

  // 2. failAfter: give up loudly with TimeoutError.
  t0 = currentTime();
  try {
    await failAfter(50).run(() => sleep(1_000));
  } catch (err) {
    if (!(err instanceof TimeoutError)) throw err;
    console.log(`2. failAfter(50): ${err.name} after ${ms()}`);
  }

  // 3. Nested deadlines: the earliest one wins, wherever it was set.
  await moveOnAfter(100).run(async () => {
    await moveOnAfter(10_000).run(async () => {
      const left = currentEffectiveDeadline() - currentTime();
      console.log(`3. inner scope asks for 10 s, but the outer 100 ms deadline applies: ${left <= 100} (${Math.round(left)} ms left)`);
    });
  });

  // 4. Cancellation is level-triggered: once a scope is cancelled, *every* checkpoint in it
  //    throws, so a catch-and-continue loop cannot accidentally keep running.
  const scope = new CancelScope();
  let attempts = 0;
  await scope.run(async () => {
    scope.cancel("shutting down");
    for (let i = 0; i < 3; i++) {
      try {
        await sleep(10);
      } catch (err) {
        if (!isCancelled(err)) throw err;
        attempts++; // swallowing is a bug; the next checkpoint throws again anyway
      }
    }
  });
  console.log(`4. every checkpoint in a cancelled scope throws: ${attempts} of 3 sleeps threw Cancelled`);

  // 5. Cleanup that must wait goes in a shielded scope: it runs even while cancelled.
  t0 = currentTime();
  let cleanedUp = false;
  await moveOnAfter(20).run(async () => {
    try {
      await sleep(1_000);
    } finally {
      await new CancelScope({ shield: true }).run(async () => {
        await sleep(30); // e.g. flush a buffer, say goodbye to a server
        cleanedUp = true;
      });
    }
  });
  console.log(`5. shielded cleanup ran to the end: ${cleanedUp}, after ${ms()} (20 ms timeout + 30 ms cleanup)`);

  // 6. Foreign promises: a raw `await` is not a checkpoint; awaitCancellable makes one and
  //    aborts the operation's AbortSignal on cancel (as you would pass it to fetch()).
  let aborted = false;
  const slowForeignCall = (signal) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, 1_000, "late");
      signal.addEventListener("abort", () => {
        clearTimeout(timer);
        aborted = true;
      });
    });
  t0 = currentTime();
  await moveOnAfter(30).run(() => awaitCancellable((signal) => slowForeignCall(signal)));
  console.log(`6. awaitCancellable: the foreign call's signal was aborted: ${aborted}, after ${ms()}`);

  // 7. A failing child cancels its siblings; the group waits for their cleanup.
  t0 = currentTime();
  const log = [];
  try {
    await withTaskGroup(async (tg) => {
      tg.startSoon(async () => {
        try {
          await sleep(1_000);
        } finally {
          log.push(`sibling cancelled at ${ms()}`);
        }
      });
      tg.startSoon(async () => {
        await sleep(25);
        throw new Error("disk full");
      });
    });
  } catch (err) {
    console.log(`7. ${err.name} [${err.errors.map((e) => e.message)}]; ${log[0]}`);
  }
}, { backend: nativeBackend() });
