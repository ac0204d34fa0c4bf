/**
 * Errors of `@anyio/net`.
 *
 * @module
 */

/**
 * Every connection attempt failed (AnyIO's `OSError("All connection attempts failed")`,
 * `ConnectionFailed` of its connectables). `cause` is the single attempt's error, or an
 * `AggregateError` holding every attempt's error in the order the attempts started; `code`
 * repeats the Node error code of the last attempt (e.g. `"ECONNREFUSED"`).
 *
 * @example
 * ```ts
 * try {
 *   await connectTcp("localhost", 1);
 * } catch (err) {
 *   if (err instanceof ConnectionFailed) console.log(err.code, err.errors);
 * }
 * ```
 */
export class ConnectionFailed extends Error {
  /** Node's error code of the last failed attempt, if it had one. */
  readonly code: string | undefined;
  /** Every attempt's error, in the order the attempts started. */
  readonly errors: readonly unknown[];

  constructor(message: string, errors: readonly unknown[]) {
    super(message, { cause: errors.length === 1 ? errors[0] : new AggregateError(errors, "multiple connection attempts failed") });
    this.errors = errors;
    const last = errors[errors.length - 1] as { code?: unknown } | undefined;
    this.code = typeof last?.code === "string" ? last.code : undefined;
  }

  static {
    Object.defineProperty(this.prototype, "name", { value: "ConnectionFailed", writable: true, configurable: true });
  }
}
