/**
 * Ambient context: where the host carries a value across `await` (AsyncLocalStorage on Node,
 * Deno, Bun and Workers), the current task and cancel scope are found implicitly, as in AnyIO.
 * The default (browser) entry installs nothing; the `node`/`deno`/`bun`/`workerd` entry installs
 * an AsyncLocalStorage carrier.
 *
 * @internal
 */
import type { CancelNode } from "./cancel-node.js";

/** The subset of AsyncLocalStorage that anyio-ts uses. */
export interface AmbientCarrier {
  getStore(): CancelNode | undefined;
  run<R, A extends unknown[]>(store: CancelNode | undefined, fn: (...args: A) => R, ...args: A): R;
  /**
   * Sets the value for the rest of the current synchronous execution and what it schedules.
   * Used only inside `CapturedContext.runInAsyncScope`, which puts the caller's context back
   * when it returns. Optional: hosts without it (workerd) start tasks with `run()`.
   */
  enterWith?(store: CancelNode): void;
  disable?(): void;
}

/**
 * An async context captured earlier (every AsyncLocalStorage's value, not only ours), to run a
 * function in: what an `AsyncResource` is.
 */
export interface CapturedContext {
  runInAsyncScope<R, A extends unknown[]>(fn: (...args: A) => R, thisArg: unknown, ...args: A): R;
}

let carrier: AmbientCarrier | null = null;
let capture: (() => CapturedContext) | null = null;
let ambientRuns = 0;

/**
 * Installs the host's carrier; called once by the host-specific entry point. `captureContext`
 * (`new AsyncResource(…)`, where the host has it) lets a task start in its spawner's context,
 * as asyncio and Trio copy the spawner's contextvars into a new task.
 */
export function installAmbientCarrier(c: AmbientCarrier, captureContext?: () => CapturedContext): void {
  carrier = c;
  capture = captureContext ?? null;
}

/**
 * The caller's whole async context, to start a task in later; null where the host cannot
 * capture one (the task then starts in whatever context its backend resumes it from).
 */
export function captureAmbientContext(): CapturedContext | null {
  return capture === null ? null : capture();
}

/** The installed carrier, or null on hosts without one. */
export function ambientCarrier(): AmbientCarrier | null {
  return carrier;
}

/** Counts runs that use the carrier so it can be switched off (no promise hooks) when idle. */
export function ambientRunStarted(): void {
  ambientRuns++;
}

export function ambientRunEnded(): void {
  if (--ambientRuns === 0 && carrier !== null && carrier.disable !== undefined) {
    // Node 20's AsyncLocalStorage keeps a PromiseHook alive (~0.7 µs per promise, process
    // wide) once used; disabling it when no ambient run is left gives that cost back.
    carrier.disable();
  }
}
