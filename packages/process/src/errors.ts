/**
 * Errors of `@anyio/process`.
 *
 * @module
 */
import { constants } from "node:os";

/** A command as given to `runProcess` / `openProcess`: a shell string or an argv array. */
export type Command = string | readonly string[];

function commandText(command: Command): string {
  return typeof command === "string" ? command : command.join(" ");
}

/** The name of a signal number (`9` → `"SIGKILL"`), or `undefined` if unknown. */
export function signalName(signo: number): string | undefined {
  for (const [name, value] of Object.entries(constants.signals)) if (value === signo) return name;
  return undefined;
}

/**
 * Thrown by `runProcess` (with `check`, the default) when the child exits with a non-zero
 * status, as Python's `subprocess.CalledProcessError`. `returncode` is negative (`-signo`)
 * when a signal ended the child.
 *
 * @example
 * ```ts
 * try {
 *   await runProcess(["node", "-e", "process.exit(3)"]);
 * } catch (err) {
 *   if (err instanceof CalledProcessError) console.log(err.returncode, err.stderr.byteLength); // 3 0
 * }
 * ```
 */
export class CalledProcessError extends Error {
  /** The exit status, or `-signo` when a signal ended the child. */
  readonly returncode: number;
  /** The command as given. */
  readonly command: Command;
  /** Everything the child wrote to stdout (empty when stdout was not captured). */
  readonly stdout: Uint8Array;
  /** Everything the child wrote to stderr (empty when stderr was not captured). */
  readonly stderr: Uint8Array;

  constructor(returncode: number, command: Command, stdout: Uint8Array, stderr: Uint8Array) {
    const how =
      returncode < 0
        ? `died with ${signalName(-returncode) ?? `signal ${-returncode}`}`
        : `returned non-zero exit status ${returncode}`;
    super(`Command ${JSON.stringify(commandText(command))} ${how}.`);
    this.returncode = returncode;
    this.command = command;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  static {
    Object.defineProperty(this.prototype, "name", { value: "CalledProcessError", writable: true, configurable: true });
  }
}
