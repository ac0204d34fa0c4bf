// A small piece of "application code" that the testing example and examples/test/retry.test.ts
// exercise: retry an operation with exponential backoff, each attempt under its own timeout.
import { failAfter, isCancelled, sleep } from "@anyio/core";

/**
 * Calls `operation()` until it succeeds, at most `attempts` times, waiting `baseDelay`,
 * `2 * baseDelay`, `4 * baseDelay`… between attempts; each attempt gets `attemptTimeout` ms.
 * Resolves with the first success; throws the last error once every attempt failed.
 */
export async function retryWithBackoff(operation, { attempts = 5, baseDelay = 1_000, attemptTimeout = 10_000 } = {}) {
  let lastError;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await failAfter(attemptTimeout).run(() => operation(attempt));
    } catch (err) {
      if (isCancelled(err)) throw err; // the caller's cancellation is not a failed attempt
      lastError = err;
    }
    if (attempt < attempts) await sleep(baseDelay * 2 ** (attempt - 1));
  }
  throw lastError;
}
