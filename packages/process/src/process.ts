/**
 * Child processes as resources: `openProcess()` and {@link Process}.
 *
 * @module
 */
import { type ChildProcess, spawn, type StdioOptions } from "node:child_process";
import { constants } from "node:os";
import {
  AsyncResourceBase,
  CancelScope,
  type WaitOptions,
  awaitCancellable,
  checkpoint,
  currentNode,
  requireMethods,
} from "@anyio/core";
import type { Command } from "./errors.js";
import { WakeSet } from "./internal/wake-set.js";
import { PipeReceiveStream } from "./pipe-receive-stream.js";
import { PipeSendStream } from "./pipe-send-stream.js";

/**
 * Where a standard stream of the child goes: `"pipe"` (a stream on the {@link Process}),
 * `"inherit"` (this process's own), `"ignore"` (`/dev/null`) or an open file descriptor.
 */
export type StdioOption = "pipe" | "inherit" | "ignore" | number;

/** Options of {@link openProcess}. */
export interface ProcessOptions extends WaitOptions {
  /** The child's stdin; default `"pipe"` (as AnyIO's `open_process`). */
  stdin?: StdioOption;
  /** The child's stdout; default `"pipe"`. */
  stdout?: StdioOption;
  /** The child's stderr; default `"pipe"`. */
  stderr?: StdioOption;
  /** Working directory of the child. */
  cwd?: string | URL;
  /** The child's whole environment (replaces this process's, as in Node and Python). */
  env?: NodeJS.ProcessEnv;
  /**
   * When cancellation has to end the child: milliseconds between `SIGTERM` and `SIGKILL`.
   * Default `0`: `SIGKILL` at once (AnyIO's behaviour). Real time, not the backend clock: it
   * measures how long a real process gets to exit.
   */
  killGracePeriod?: number;
}

/** Options of {@link Process.wait}. */
export interface ProcessWaitOptions extends WaitOptions {
  /** Kill and reap the child if the wait is cancelled (default `true`; see {@link Process.wait}). */
  killOnCancel?: boolean;
}

const STDIO_NAMES = ["stdin", "stdout", "stderr"] as const;

function checkStdio(value: unknown, name: string): StdioOption {
  if (value === "pipe" || value === "inherit" || value === "ignore") return value;
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
  throw new TypeError(`openProcess(): options.${name} must be "pipe", "inherit", "ignore" or a file descriptor, got ${String(value)}`);
}

/** Validates a command; returns `[file, args, shell]` for `spawn`. */
export function parseCommand(command: unknown, caller: string): [string, string[], boolean] {
  if (typeof command === "string") {
    if (command.length === 0) throw new TypeError(`${caller}(): command must not be empty`);
    if (command.includes("\0")) throw new TypeError(`${caller}(): command must not contain NUL bytes`);
    return [command, [], true];
  }
  if (Array.isArray(command)) {
    if (command.length === 0) throw new TypeError(`${caller}(): command must not be an empty array`);
    for (const [i, part] of command.entries()) {
      if (typeof part !== "string") throw new TypeError(`${caller}(): command[${i}] must be a string, got ${typeof part}`);
      if (part.includes("\0")) throw new TypeError(`${caller}(): command[${i}] must not contain NUL bytes`);
    }
    return [command[0] as string, command.slice(1) as string[], false];
  }
  throw new TypeError(`${caller}(): command must be a string (run by the shell) or an array of strings, got ${command === null ? "null" : typeof command}`);
}

/** Validates a signal for `sendSignal`. */
function checkSignal(signal: unknown): NodeJS.Signals | number {
  if (typeof signal === "string") {
    if (!Object.hasOwn(constants.signals, signal)) throw new RangeError(`Process.sendSignal(): unknown signal ${JSON.stringify(signal)}`);
    return signal as NodeJS.Signals;
  }
  if (typeof signal === "number") {
    if (!Number.isInteger(signal) || signal < 0) throw new RangeError(`Process.sendSignal(): signal must be a non-negative integer, got ${signal}`);
    return signal;
  }
  throw new TypeError(`Process.sendSignal(): signal must be a signal name or number, got ${signal === null ? "null" : typeof signal}`);
}

/**
 * A running (or finished) child process, as AnyIO's `abc.Process`. Made by
 * {@link openProcess}.
 *
 * Cancellation never orphans the child: when `wait()` or `aclose()` is cancelled, the child is
 * killed (`SIGKILL`, or `SIGTERM` then `SIGKILL` after `killGracePeriod`), reaped in a shielded
 * wait, its pipes are closed, and only then does the `Cancelled` propagate.
 *
 * @example
 * ```ts
 * await using proc = await openProcess(["node", "-e", "process.stdin.pipe(process.stdout)"]);
 * await proc.stdin!.send(new TextEncoder().encode("ping"));
 * await proc.stdin!.aclose();
 * const reply = await proc.stdout!.receive(); // "ping"
 * console.log(await proc.wait()); // 0
 * ```
 */
export class Process extends AsyncResourceBase {
  /** The child's process id. */
  readonly pid: number;
  /** The command as given. */
  readonly command: Command;
  /** The child's stdin, when opened with `stdin: "pipe"`. */
  readonly stdin: PipeSendStream | null;
  /** The child's stdout, when opened with `stdout: "pipe"`. */
  readonly stdout: PipeReceiveStream | null;
  /** The child's stderr, when opened with `stderr: "pipe"`. */
  readonly stderr: PipeReceiveStream | null;
  readonly #child: ChildProcess;
  readonly #exit = new WakeSet("child process exit");
  readonly #killGracePeriod: number;
  #returncode: number | null = null;
  #signalCode: NodeJS.Signals | null = null;

  /** @internal Made by {@link openProcess}. */
  constructor(child: ChildProcess, command: Command, killGracePeriod: number) {
    super();
    this.#child = requireMethods(child, ["kill", "on"], "Process", "child");
    this.pid = child.pid!;
    this.command = command;
    this.#killGracePeriod = killGracePeriod;
    this.stdin = child.stdin !== null ? new PipeSendStream(child.stdin, `stdin of process ${this.pid}`) : null;
    this.stdout = child.stdout !== null ? new PipeReceiveStream(child.stdout, `stdout of process ${this.pid}`) : null;
    this.stderr = child.stderr !== null ? new PipeReceiveStream(child.stderr, `stderr of process ${this.pid}`) : null;
    child.on("exit", (code, signal) => {
      // Node has reaped the child by now (libuv waitpid): no zombie is left.
      this.#signalCode = signal;
      this.#returncode = code ?? -(signal !== null ? (constants.signals[signal] ?? 0) : 0);
      this.#exit.wakeAll();
    });
    // A failed kill() reports here; without a listener it would be an uncaught 'error'.
    child.on("error", () => {});
  }

  /**
   * The exit status once the child has exited, else `null`. Negative (`-signo`) when a signal
   * ended it, as in Python.
   */
  get returncode(): number | null {
    return this.#returncode;
  }

  /** The name of the signal that ended the child, if one did. */
  get signalCode(): NodeJS.Signals | null {
    return this.#signalCode;
  }

  /**
   * Waits for the child to exit and returns its {@link returncode}. A checkpoint.
   *
   * If the wait is cancelled (or `options.signal` aborts), the child is killed and reaped
   * before the cancellation propagates (the rule: cancellation never leaves a child
   * running behind your back). Pass `killOnCancel: false` to only stop waiting (AnyIO's
   * `Process.wait()` behaviour), e.g. to poll with a timeout.
   *
   * @example
   * ```ts
   * const code = await proc.wait();
   * await moveOnAfter(1_000).run(() => proc.wait({ killOnCancel: false })); // child keeps running
   * ```
   */
  async wait(options?: ProcessWaitOptions): Promise<number> {
    currentNode(options, "Process.wait");
    const killOnCancel = options?.killOnCancel ?? true;
    if (typeof killOnCancel !== "boolean") {
      throw new TypeError(`Process.wait(): options.killOnCancel must be a boolean, got ${typeof killOnCancel}`);
    }
    try {
      await checkpoint(options);
      await this.#waitExit(options, "Process.wait");
    } catch (err) {
      if (killOnCancel) await this.#killAndReap(options);
      throw err;
    }
    return this.#returncode!;
  }

  /** Sends `SIGTERM`. Does nothing once the child has exited. */
  terminate(): void {
    this.sendSignal("SIGTERM");
  }

  /** Sends `SIGKILL`. Does nothing once the child has exited. */
  kill(): void {
    this.sendSignal("SIGKILL");
  }

  /**
   * Sends a signal (a name such as `"SIGUSR1"`, or a number). Does nothing once the child has
   * exited (so a recycled pid is never signalled).
   *
   * @example
   * ```ts
   * proc.sendSignal("SIGINT");
   * ```
   */
  sendSignal(signal: NodeJS.Signals | number): void {
    const sig = checkSignal(signal);
    if (this.#returncode !== null) return;
    this.#child.kill(sig);
  }

  /**
   * Closes the pipes (stdin after flushing what was sent), then waits for the child to exit —
   * as AnyIO's `Process.aclose()`. If cancelled, kills the child, reaps it (shielded), and
   * re-raises. `await using` calls this.
   *
   * @example
   * ```ts
   * {
   *   await using proc = await openProcess(["sleep", "10"]);
   *   // leaving the block waits for the child; cancelling the block kills it
   * }
   * ```
   */
  async aclose(options?: WaitOptions): Promise<void> {
    currentNode(options, "Process.aclose");
    try {
      if (this.stdin !== null) await this.stdin.aclose(options);
      if (this.stdout !== null) await this.stdout.aclose();
      if (this.stderr !== null) await this.stderr.aclose();
      await this.#waitExit(options, "Process.aclose");
    } catch (err) {
      await this.#killAndReap(options);
      throw err;
    }
  }

  async #waitExit(options: WaitOptions | undefined, caller: string): Promise<void> {
    while (this.#returncode === null) await this.#exit.wait(options, caller);
  }

  /** Kills (with the grace period), waits for the exit shielded, and closes every pipe. */
  async #killAndReap(options: WaitOptions | undefined): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (this.#returncode === null) {
      if (this.#killGracePeriod > 0) {
        this.#child.kill("SIGTERM");
        timer = setTimeout(() => {
          if (this.#returncode === null) this.#child.kill("SIGKILL");
        }, this.#killGracePeriod);
      } else {
        this.#child.kill("SIGKILL");
      }
    }
    try {
      await new CancelScope({ shield: true }).run((scope) => this.#waitExit(scope, "Process.wait"), options);
    } finally {
      clearTimeout(timer);
      this.#child.stdin?.destroy();
      if (this.stdout !== null) await this.stdout.aclose();
      if (this.stderr !== null) await this.stderr.aclose();
      if (this.stdin !== null) await acloseQuietly(this.stdin);
    }
  }
}

async function acloseQuietly(stream: PipeSendStream): Promise<void> {
  // The pipe is already destroyed, so this only marks the stream closed; it cannot wait.
  try {
    await stream.aclose();
  } catch {
    // nothing to report: the child is gone
  }
}

/**
 * Starts a child process, as AnyIO's `open_process`. A string command runs through the shell
 * (`/bin/sh -c`); an array runs the program directly with those arguments. Spawn failures
 * (`ENOENT`…) are thrown with Node's `code`.
 *
 * @example
 * ```ts
 * await using proc = await openProcess(["node", "-e", "console.log('hi')"], { stdin: "ignore" });
 * for await (const chunk of proc.stdout!) console.log(new TextDecoder().decode(chunk));
 * ```
 */
export async function openProcess(command: Command, options: ProcessOptions = {}): Promise<Process> {
  const [file, args, shell] = parseCommand(command, "openProcess");
  if (options === null || typeof options !== "object") {
    throw new TypeError(`openProcess(): options must be an object, got ${options === null ? "null" : typeof options}`);
  }
  const stdio = STDIO_NAMES.map((name) => checkStdio(options[name] ?? "pipe", name)) as StdioOptions;
  const grace = options.killGracePeriod ?? 0;
  if (typeof grace !== "number" || Number.isNaN(grace)) {
    throw new RangeError(`openProcess(): options.killGracePeriod must be a number of ms, got ${String(grace)}`);
  }
  const node = currentNode(options, "openProcess");
  await checkpoint(options);
  const child = spawn(file, args, { shell, cwd: options.cwd, env: options.env, stdio, windowsHide: true });
  if (child.pid === undefined) {
    // The spawn failed; Node reports why on the next tick. Shielded: it is not a wait anyone
    // could shorten, and a cancelled caller still gets the real error.
    const error = await new CancelScope({ shield: true }).run(
      (scope) => awaitCancellable(new Promise<Error>((resolve) => child.once("error", resolve)), scope),
      node,
    );
    throw error;
  }
  return new Process(child, command, Math.max(0, grace));
}
