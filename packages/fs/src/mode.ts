/**
 * Python's `open()` mode strings ("r", "rb", "w+", "ab", "x", …) and what they mean here.
 *
 * @module
 */
import { constants } from "node:fs";

/** A mode string in binary form ("rb", "w+b", "ab+"…): the file reads and writes `Uint8Array`. */
export type BinaryMode = `${string}b${string}`;

/** A mode string as Python's `open()` takes it. */
export type OpenMode =
  | "r" | "w" | "a" | "x"
  | "r+" | "w+" | "a+" | "x+"
  | "rt" | "wt" | "at" | "xt"
  | "r+t" | "w+t" | "a+t" | "x+t" | "rt+" | "wt+" | "at+" | "xt+"
  | "rb" | "wb" | "ab" | "xb"
  | "r+b" | "w+b" | "a+b" | "x+b" | "rb+" | "wb+" | "ab+" | "xb+"
  | (string & {});

/** The data type a file opened with mode `M` reads and writes. */
export type DataOf<M extends string> = M extends BinaryMode ? Uint8Array : string;

/** A parsed mode string. */
export interface ParsedMode {
  readonly mode: string;
  readonly binary: boolean;
  readonly readable: boolean;
  readonly writable: boolean;
  readonly append: boolean;
  /** Flags for `fs.open`. */
  readonly flags: number;
}

/**
 * Parses a Python mode string: exactly one of `r`, `w`, `x`, `a`, optionally `+`, optionally
 * `b` or `t`, each at most once, in any order (as Python accepts them).
 *
 * @throws TypeError if `mode` is not a string; RangeError if it is not a valid mode
 */
export function parseMode(mode: unknown, caller: string): ParsedMode {
  if (typeof mode !== "string") throw new TypeError(`${caller}(): mode must be a string, got ${mode === null ? "null" : typeof mode}`);
  const seen = new Set<string>();
  for (const ch of mode) {
    if (!"rwxab+t".includes(ch) || seen.has(ch)) throw invalid(mode, caller);
    seen.add(ch);
  }
  const kinds = ["r", "w", "x", "a"].filter((k) => seen.has(k));
  if (kinds.length !== 1 || (seen.has("b") && seen.has("t"))) throw invalid(mode, caller);
  const kind = kinds[0]!;
  const plus = seen.has("+");
  const access = plus ? constants.O_RDWR : kind === "r" ? constants.O_RDONLY : constants.O_WRONLY;
  let flags: number = access;
  if (kind === "w") flags |= constants.O_CREAT | constants.O_TRUNC;
  else if (kind === "x") flags |= constants.O_CREAT | constants.O_EXCL;
  else if (kind === "a") flags |= constants.O_CREAT | constants.O_APPEND;
  return {
    mode,
    binary: seen.has("b"),
    readable: kind === "r" || plus,
    writable: kind !== "r" || plus,
    append: kind === "a",
    flags,
  };
}

function invalid(mode: string, caller: string): RangeError {
  return new RangeError(
    `${caller}(): invalid mode ${JSON.stringify(mode)}: expected one of "r", "w", "x", "a", optionally followed by "+" and "b" or "t" (as Python's open())`,
  );
}
