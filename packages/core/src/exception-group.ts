/**
 * `ExceptionGroup`: several errors raised together, as Python's, with `split`/`subgroup`
 * and {@link catchGroup} standing in for `except*`.
 *
 * @module
 */

/** A class of errors, or a predicate on one error, used to select leaves of a group. */
export type ErrorMatcher = (abstract new (...args: never[]) => unknown) | ((err: unknown) => boolean);

function matcherFn(matcher: ErrorMatcher): (err: unknown) => boolean {
  if (typeof matcher !== "function") {
    throw new TypeError(`matcher must be an error class or a predicate, got ${String(matcher)}`);
  }
  // A class has a prototype object whose constructor is itself; arrow functions have none.
  const proto = (matcher as { prototype?: unknown }).prototype;
  if (typeof proto === "object" && proto !== null && (proto as { constructor?: unknown }).constructor === matcher) {
    const cls = matcher as abstract new (...args: never[]) => unknown;
    return (err) => err instanceof cls;
  }
  return matcher as (err: unknown) => boolean;
}

/**
 * Several errors raised together: what a task group throws when its body or children fail.
 * A subclass of `AggregateError` (so `errors` lists the members), with Python's
 * `split()`/`subgroup()` that keep nesting, and `exceptions` as an alias of `errors`.
 *
 * @example
 * ```ts
 * try {
 *   await withTaskGroup(async (tg) => { tg.startSoon(a); tg.startSoon(b); });
 * } catch (err) {
 *   if (err instanceof ExceptionGroup) {
 *     const [netErrors, rest] = err.split(NetError);
 *     if (rest) throw rest;
 *   }
 * }
 * ```
 */
export class ExceptionGroup<E = unknown> extends AggregateError {
  /** The member errors, in the order they were raised (`AggregateError`'s field). */
  declare readonly errors: E[];

  constructor(message: string, errors: Iterable<E>, options?: { cause?: unknown }) {
    const list = Array.from(errors);
    if (list.length === 0) throw new TypeError("ExceptionGroup(): errors must not be empty");
    super(list, message, options);
  }

  /** The member errors (Python's name for `errors`). */
  get exceptions(): readonly E[] {
    return this.errors;
  }

  /** A group of the same class and message holding `errors`. Override to keep custom fields. */
  derive<F>(errors: Iterable<F>): ExceptionGroup<F> {
    return new ExceptionGroup<F>(this.message, errors);
  }

  /**
   * Splits the group into `[matching, rest]`, each a group with the original nesting, or
   * `undefined` when empty. A nested group that matches as a whole is kept whole.
   */
  split(matcher: ErrorMatcher): [ExceptionGroup<E> | undefined, ExceptionGroup<E> | undefined] {
    return splitGroup(this, matcherFn(matcher)) as [ExceptionGroup<E> | undefined, ExceptionGroup<E> | undefined];
  }

  /** The matching part of {@link split}. */
  subgroup(matcher: ErrorMatcher): ExceptionGroup<E> | undefined {
    return this.split(matcher)[0];
  }

  /** Every leaf error, depth first. */
  leaves(): unknown[] {
    const out: unknown[] = [];
    const visit = (g: ExceptionGroup<unknown>) => {
      for (const e of g.errors) e instanceof ExceptionGroup ? visit(e) : out.push(e);
    };
    visit(this);
    return out;
  }

  // A prototype accessor inside the class body rather than a top-level defineProperty: a
  // literal name that survives minification, without a side effect that pins the class in
  // browser bundles.
  /** The class name, as a literal so it survives minification. */
  override get name(): string {
    return "ExceptionGroup";
  }
  /** Sets this instance's own `name` (the class keeps its literal name). */
  override set name(value: string) {
    Object.defineProperty(this, "name", { value, writable: true, configurable: true, enumerable: false });
  }
}

function splitGroup(
  group: ExceptionGroup<unknown>,
  test: (err: unknown) => boolean,
): [ExceptionGroup<unknown> | undefined, ExceptionGroup<unknown> | undefined] {
  if (test(group)) return [group, undefined];
  const match: unknown[] = [];
  const rest: unknown[] = [];
  for (const err of group.errors) {
    if (err instanceof ExceptionGroup) {
      const [m, r] = splitGroup(err, test);
      if (m) match.push(m);
      if (r) rest.push(r);
    } else if (test(err)) {
      match.push(err);
    } else {
      rest.push(err);
    }
  }
  const wrap = (errors: unknown[]) => {
    if (errors.length === 0) return undefined;
    if (errors.length === group.errors.length && errors.every((e, i) => e === group.errors[i])) return group;
    const derived = group.derive(errors);
    derived.stack = group.stack;
    (derived as { cause?: unknown }).cause = group.cause;
    return derived;
  };
  return [wrap(match), wrap(rest)];
}

/** One `except*` clause for {@link catchGroup}: what to match and what to do with the matches. */
export type GroupHandler = readonly [matcher: ErrorMatcher, handler: (matched: ExceptionGroup) => unknown];

/**
 * Runs `body` and handles what it throws the way Python's `except*` does: each handler, in
 * order, receives the sub-group of errors it matches (a lone non-group error is treated as a
 * group of one); errors no handler matched are re-thrown as a group. A handler that throws
 * replaces its matches with what it threw.
 *
 * @example
 * ```ts
 * await catchGroup(
 *   () => withTaskGroup(async (tg) => { tg.startSoon(fetchA); tg.startSoon(fetchB); }),
 *   [[TypeError, (eg) => console.warn("bad input", eg.errors)]],
 * );
 * ```
 */
export async function catchGroup<T>(
  body: () => T | PromiseLike<T>,
  handlers: readonly GroupHandler[],
): Promise<T | undefined> {
  if (typeof body !== "function") throw new TypeError(`catchGroup(): body must be a function, got ${typeof body}`);
  try {
    return await body();
  } catch (err) {
    const lone = !(err instanceof ExceptionGroup);
    let rest: ExceptionGroup<unknown> | undefined = lone ? new ExceptionGroup("", [err]) : err;
    const raised: unknown[] = [];
    for (const [matcher, handler] of handlers) {
      if (!rest) break;
      const [matched, remaining] = rest.split(matcher);
      rest = remaining;
      if (matched) {
        try {
          await handler(matched);
        } catch (handlerErr) {
          raised.push(handlerErr);
        }
      }
    }
    if (raised.length === 0 && !rest) return undefined;
    if (raised.length === 0 && rest && lone) throw err;
    const remaining = rest ? (lone ? rest.errors : [rest]) : [];
    const all = [...raised, ...remaining];
    if (all.length === 1 && raised.length === 1 && !rest) throw raised[0];
    throw new ExceptionGroup(lone ? "unhandled errors" : (err as ExceptionGroup).message, all);
  }
}
