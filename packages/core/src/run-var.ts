/**
 * `RunVar`: a variable whose value is scoped to one `run()`.
 *
 * @module
 */
import { currentNode, type WaitOptions } from "./context.js";
import { LookupError } from "./errors.js";

const NO_VALUE: unique symbol = Symbol("anyio.RunVar.noValue");

/** Returned by {@link RunVar.set}; give it to {@link RunVar.reset} to restore the old value. */
export interface RunVarToken<T> {
  /** The variable this token restores. */
  readonly runVar: RunVar<T>;
  /** The value before `set()`, or `undefined` if there was none. */
  readonly oldValue: T | undefined;
}

interface TokenState<T> extends RunVarToken<T> {
  used: boolean;
  hadValue: boolean;
}

/**
 * A variable scoped to one `run()`, as AnyIO's `RunVar`: each run starts with the default
 * (or no value), and sets in one run are invisible to others. Useful for per-run caches,
 * default limiters and the like.
 *
 * @example
 * ```ts
 * const requestCount = new RunVar("requestCount", 0);
 * await run(async () => {
 *   requestCount.set(requestCount.get() + 1);
 * }, { backend: nativeBackend() });
 * ```
 */
export class RunVar<T> {
  /** The name given to the constructor, for messages. */
  readonly name: string;
  readonly #default: T | typeof NO_VALUE;

  constructor(name: string, ...defaultValue: [] | [T]) {
    if (typeof name !== "string") throw new TypeError(`RunVar(): name must be a string, got ${typeof name}`);
    this.name = name;
    this.#default = defaultValue.length > 0 ? (defaultValue[0] as T) : NO_VALUE;
  }

  /** The value in the current run, else the default; throws {@link LookupError} if neither. */
  get(options?: WaitOptions): T {
    const vars = currentNode(options, "RunVar.get")._run.vars;
    if (vars.has(this)) return vars.get(this) as T;
    if (this.#default !== NO_VALUE) return this.#default;
    throw new LookupError(`RunVar "${this.name}" has no value in this run and no default`);
  }

  /** Sets the value for the current run; returns a token to undo it. */
  set(value: T, options?: WaitOptions): RunVarToken<T> {
    const vars = currentNode(options, "RunVar.set")._run.vars;
    const hadValue = vars.has(this);
    const token: TokenState<T> = { runVar: this, oldValue: hadValue ? (vars.get(this) as T) : undefined, used: false, hadValue };
    vars.set(this, value);
    return token;
  }

  /** Restores the value a token recorded. Each token works once. */
  reset(token: RunVarToken<T>, options?: WaitOptions): void {
    const state = token as TokenState<T>;
    if (state === null || typeof state !== "object" || state.runVar !== this) {
      throw new TypeError("This token does not belong to this RunVar");
    }
    if (state.used) throw new Error("This token has already been used");
    const vars = currentNode(options, "RunVar.reset")._run.vars;
    state.used = true;
    if (state.hadValue) vars.set(this, state.oldValue);
    else vars.delete(this);
  }
}
