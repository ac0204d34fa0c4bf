/**
 * `runProcess()`: run a command to completion and collect its output.
 *
 * @module
 */
import { BrokenResourceError, EndOfStream, type WaitOptions, foreignSignal, withTaskGroup } from "@anyio/core";
import { CalledProcessError, type Command } from "./errors.js";
import { openProcess, type StdioOption } from "./process.js";
import type { PipeReceiveStream } from "./pipe-receive-stream.js";

/** Options of {@link runProcess}. */
export interface RunProcessOptions extends WaitOptions {
  /** Bytes (or text, UTF-8 encoded) fed to the child's stdin, which is then closed. Excludes `stdin`. */
  input?: Uint8Array | string;
  /** The child's stdin when there is no `input`; default `"inherit"` (as AnyIO). `"pipe"` gives an empty stdin. */
  stdin?: StdioOption;
  /** Default `"pipe"`: captured into the result. */
  stdout?: StdioOption;
  /** Default `"pipe"`: captured into the result. */
  stderr?: StdioOption;
  /** Throw {@link CalledProcessError} on a non-zero exit (default `true`). */
  check?: boolean;
  /** Working directory of the child. */
  cwd?: string | URL;
  /** The child's whole environment. */
  env?: NodeJS.ProcessEnv;
  /** ms between `SIGTERM` and `SIGKILL` when cancellation ends the child (default 0). */
  killGracePeriod?: number;
}

/** What {@link runProcess} returns, as AnyIO's `CompletedProcess`. */
export interface CompletedProcess {
  /** The command as given. */
  command: Command;
  /** The exit status; `-signo` when a signal ended the child. */
  returncode: number;
  /** Everything written to stdout (empty when not captured). */
  stdout: Uint8Array;
  /** Everything written to stderr (empty when not captured). */
  stderr: Uint8Array;
}

const EMPTY: Uint8Array = new Uint8Array(0);

async function drain(stream: PipeReceiveStream | null, cx: WaitOptions): Promise<Uint8Array> {
  if (stream === null) return EMPTY;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let chunk: Uint8Array;
    try {
      chunk = await stream.receive(1 << 20, cx);
    } catch (err) {
      if (err instanceof EndOfStream) break;
      throw err;
    }
    chunks.push(chunk);
    total += chunk.byteLength;
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Runs a command to completion, as AnyIO's `run_process`: stdout and stderr are drained
 * concurrently (so a chatty child never blocks on a full pipe), `input` is written to stdin
 * meanwhile, and with `check` (the default) a non-zero exit throws {@link CalledProcessError}.
 * A string command runs through the shell; an array runs the program directly.
 *
 * Cancellation kills the child and reaps it before `Cancelled` propagates.
 *
 * @example
 * ```ts
 * const { stdout } = await runProcess(["node", "-e", "console.log(6 * 7)"]);
 * new TextDecoder().decode(stdout); // "42\n"
 * const res = await runProcess("exit 3", { check: false }); // res.returncode === 3
 * const upper = await runProcess(["tr", "a-z", "A-Z"], { input: "hello" }); // "HELLO"
 * ```
 */
export async function runProcess(command: Command, options: RunProcessOptions = {}): Promise<CompletedProcess> {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`runProcess(): options must be an object, got ${options === null ? "null" : typeof options}`);
  }
  const { input, check = true } = options;
  if (input !== undefined && options.stdin !== undefined) {
    throw new TypeError("runProcess(): only one of options.stdin and options.input is allowed");
  }
  if (input !== undefined && typeof input !== "string" && !(input instanceof Uint8Array)) {
    throw new TypeError(`runProcess(): options.input must be a Uint8Array or a string, got ${input === null ? "null" : typeof input}`);
  }
  if (typeof check !== "boolean") throw new TypeError(`runProcess(): options.check must be a boolean, got ${typeof check}`);
  const inputBytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
  const proc = await openProcess(command, {
    stdin: inputBytes !== undefined ? "pipe" : (options.stdin ?? "inherit"),
    stdout: options.stdout ?? "pipe",
    stderr: options.stderr ?? "pipe",
    cwd: options.cwd,
    env: options.env,
    killGracePeriod: options.killGracePeriod,
    signal: options.signal,
  });
  let stdout = EMPTY;
  let stderr = EMPTY;
  // A foreign AbortSignal cancels the whole group, and its reason is what the caller gets.
  const abort = foreignSignal(options);
  let failed = true;
  try {
    await withTaskGroup(async (tg) => {
      const onAbort = () => tg.cancel("options.signal aborted");
      abort?.addEventListener("abort", onAbort);
      try {
        if (abort?.aborted) onAbort();
        tg.startSoon(async (cx) => {
          stdout = await drain(proc.stdout, cx);
        });
        tg.startSoon(async (cx) => {
          stderr = await drain(proc.stderr, cx);
        });
        const scope = tg.cancelScope;
        if (proc.stdin !== null) {
          try {
            if (inputBytes !== undefined && inputBytes.byteLength > 0) await proc.stdin.send(inputBytes, scope);
            await proc.stdin.aclose(scope);
          } catch (err) {
            // A child that exits without reading all its input is not an error (as Python's
            // communicate()): its exit status tells the story.
            if (!(err instanceof BrokenResourceError)) throw err;
            await proc.stdin.aclose(scope);
          }
        }
        await proc.wait(scope);
      } finally {
        abort?.removeEventListener("abort", onAbort);
      }
    }, options);
    failed = abort?.aborted ?? false;
  } finally {
    // Success: returns at once. Failure or cancellation: the child is killed and reaped.
    if (failed) proc.kill();
    await proc.aclose(options);
  }
  if (abort?.aborted) throw abort.reason;
  const returncode = proc.returncode!;
  if (check && returncode !== 0) throw new CalledProcessError(returncode, command, stdout, stderr);
  return { command, returncode, stdout, stderr };
}
