/**
 * Moving errors between threads. Structured clone keeps only the message and stack of an
 * `Error` (custom names, `code` and other fields are lost), so errors cross as plain records.
 *
 * The code is kept as source text because the worker side runs it too, inside the bootstrap
 * script (see worker-bootstrap.ts), which cannot import modules of this package: one source,
 * evaluated in both places.
 *
 * @module
 */

/** JavaScript source declaring `serializeError(err)` and `deserializeError(record, brandCancelled)`. */
export const ERROR_TRANSFER_SOURCE = String.raw`
function serializeError(err, depth) {
  depth = depth || 0;
  if (!(err instanceof Error) && !(err !== null && typeof err === "object" && typeof err.message === "string" && typeof err.stack === "string")) {
    try { return { kind: "value", value: structuredClone(err) }; }
    catch { return { kind: "value", value: String(err) }; }
  }
  const props = {};
  for (const key of Object.keys(err)) {
    if (key === "cause" || key === "message" || key === "stack") continue;
    try { props[key] = structuredClone(err[key]); } catch { /* not cloneable: dropped */ }
  }
  return {
    kind: "error",
    name: String(err.name),
    message: String(err.message),
    stack: typeof err.stack === "string" ? err.stack : undefined,
    props,
    cause: err.cause !== undefined && depth < 8 ? serializeError(err.cause, depth + 1) : undefined,
  };
}
function deserializeError(record, brandCancelled) {
  if (record.kind === "value") return record.value;
  const builtins = { Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError };
  const Ctor = Object.hasOwn(builtins, record.name) ? builtins[record.name] : Error;
  const err = record.cause !== undefined
    ? new Ctor(record.message, { cause: deserializeError(record.cause, brandCancelled) })
    : new Ctor(record.message);
  if (err.name !== record.name) Object.defineProperty(err, "name", { value: record.name, writable: true, configurable: true });
  if (record.stack !== undefined) Object.defineProperty(err, "stack", { value: record.stack, writable: true, configurable: true });
  Object.assign(err, record.props);
  if (brandCancelled && record.name === "Cancelled") Object.defineProperty(err, Symbol.for("anyio.Cancelled"), { value: true });
  return err;
}
`;

/** A thrown value as it crosses threads. */
export type ErrorRecord =
  | { kind: "value"; value: unknown }
  | { kind: "error"; name: string; message: string; stack?: string; props: Record<string, unknown>; cause?: ErrorRecord };

const functions = new Function(`${ERROR_TRANSFER_SOURCE}\nreturn { serializeError, deserializeError };`)() as {
  serializeError(err: unknown): ErrorRecord;
  deserializeError(record: ErrorRecord, brandCancelled: boolean): unknown;
};

/** Turns a thrown value into a cloneable record. */
export const serializeError: (err: unknown) => ErrorRecord = functions.serializeError;

/**
 * Rebuilds a thrown value: built-in error classes are kept (`TypeError` stays a `TypeError`),
 * other errors become an `Error` with the original `name`; `stack` is the worker's stack and
 * enumerable fields such as `code` are copied.
 */
export const deserializeError: (record: ErrorRecord) => unknown = (record) => functions.deserializeError(record, false);
