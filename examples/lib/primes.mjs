// The worker side of examples/worker-pool.mjs: plain CPU-bound functions, loaded by module URL
// in a worker thread by runInWorker(). Arguments and results cross by structured clone.
import { fromWorker } from "@anyio/worker";

function isPrime(n) {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/** Counts the primes in [from, to), reporting to the host's "progress" handler on the way. */
export async function countPrimes(from, to) {
  let count = 0;
  for (let n = from; n < to; n++) {
    if (n % 50_000 === 0) {
      fromWorker.checkCancelled(); // throws if the host cancelled this call ("wait" mode)
      await fromWorker.run("progress", n); // runs the host's handler, in the host's run
    }
    if (isPrime(n)) count++;
  }
  return count;
}

/** A computation that never ends by itself; it only stops when told to. */
export function spin(mode) {
  let n = 0;
  for (;;) {
    n++;
    // In "wait" mode the loop has to look: checkCancelled() is one atomic load, cheap enough
    // for a tight loop. In "terminate" mode it does not look, and the thread is killed instead.
    if (mode === "cooperative" && n % 100_000 === 0) fromWorker.checkCancelled();
  }
}
