/**
 * Text mode: encodings, incremental decoding and Python's newline handling.
 *
 * @module
 */
import { Buffer } from "node:buffer";

/** The encodings text mode supports. */
export type TextEncoding = "utf-8" | "utf-16le" | "latin1";

/** What to do with bytes that are not valid in the encoding (Python's `errors`). */
export type DecodeErrors = "strict" | "replace";

/**
 * Python's `newline` argument of `open()`:
 * - `undefined`/`null` (default): universal newlines — on reading, `\r\n` and `\r` become
 *   `\n`; on writing, `\n` is written as is (the POSIX line separator);
 * - `""`: lines end at `\n`, `\r` or `\r\n`, returned untranslated; nothing translated on writing;
 * - `"\n"`, `"\r"`, `"\r\n"`: lines end only there; on writing, `\n` becomes that string.
 */
export type Newline = "" | "\n" | "\r" | "\r\n" | null | undefined;

/** Text-mode options (Python's `open()` arguments) of `openFile`, `wrapFile`, `Path.readText`… */
export interface TextModeOptions {
  /** `"utf-8"` (default), `"utf-16le"` or `"latin1"`. */
  encoding?: string | undefined;
  /** `"strict"` (default: invalid bytes throw) or `"replace"` (U+FFFD). */
  errors?: DecodeErrors | undefined;
  /** Python's `newline` (see {@link Newline}); default: universal newlines. */
  newline?: Newline;
}

const ENCODINGS: Record<string, TextEncoding> = {
  "utf-8": "utf-8",
  utf8: "utf-8",
  "utf-16le": "utf-16le",
  utf16le: "utf-16le",
  latin1: "latin1",
  "latin-1": "latin1",
  "iso-8859-1": "latin1",
};

/** Normalizes an encoding name, or throws a RangeError naming it. */
export function checkEncoding(encoding: unknown, caller: string): TextEncoding {
  if (encoding === undefined || encoding === null) return "utf-8";
  if (typeof encoding !== "string") throw new TypeError(`${caller}(): encoding must be a string, got ${typeof encoding}`);
  const found = ENCODINGS[encoding.toLowerCase()];
  if (found === undefined) {
    throw new RangeError(`${caller}(): unsupported encoding ${JSON.stringify(encoding)} (supported: "utf-8", "utf-16le", "latin1")`);
  }
  return found;
}

/** Validates `errors`. */
export function checkErrors(errors: unknown, caller: string): DecodeErrors {
  if (errors === undefined || errors === null) return "strict";
  if (errors !== "strict" && errors !== "replace") {
    throw new RangeError(`${caller}(): errors must be "strict" or "replace", got ${JSON.stringify(errors)}`);
  }
  return errors;
}

/** Validates `newline`. */
export function checkNewline(newline: unknown, caller: string): Newline {
  if (newline === undefined || newline === null || newline === "" || newline === "\n" || newline === "\r" || newline === "\r\n") return newline;
  throw new RangeError(`${caller}(): newline must be undefined, null, "", "\\n", "\\r" or "\\r\\n", got ${JSON.stringify(newline)}`);
}

/** Incremental decoder that also counts how many input bytes it still holds. */
export class TextDecoderState {
  readonly #encoding: TextEncoding;
  readonly #decoder: TextDecoder | null;
  #fed = 0;
  #decoded = 0;

  constructor(encoding: TextEncoding, errors: DecodeErrors) {
    this.#encoding = encoding;
    // latin1 maps every byte to one character, so it needs no state (and TextDecoder's
    // "latin1" is really windows-1252).
    this.#decoder = encoding === "latin1" ? null : new TextDecoder(encoding, { fatal: errors === "strict", ignoreBOM: true });
  }

  /** Decodes `bytes`; `final` flushes what is held (end of file). */
  decode(bytes: Uint8Array, final: boolean): string {
    let text: string;
    if (this.#decoder === null) text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
    else text = this.#decoder.decode(bytes, { stream: !final });
    this.#fed += bytes.byteLength;
    this.#decoded += byteLength(text, this.#encoding);
    return text;
  }

  /** Bytes fed but not yet turned into text (an incomplete character). */
  get pendingBytes(): number {
    return Math.max(0, this.#fed - this.#decoded);
  }
}

/** The encoded size of `text`. */
export function byteLength(text: string, encoding: TextEncoding): number {
  return Buffer.byteLength(text, encoding === "utf-16le" ? "utf16le" : encoding);
}

/** Encodes `text`, translating `\n` as `newline` asks. */
export function encodeText(text: string, encoding: TextEncoding, newline: Newline): Uint8Array {
  if (newline === "\r" || newline === "\r\n") text = text.replaceAll("\n", newline);
  return Buffer.from(text, encoding === "utf-16le" ? "utf16le" : encoding);
}

/**
 * Takes up to `n` characters (after translation) from the front of `buf`. Returns the number
 * of characters of `buf` consumed and the text; with universal-newline translation a `\r` at
 * the very end is left in `buf` unless `final`, since a `\n` may follow in the next chunk.
 */
export function takeText(buf: string, n: number, translate: boolean, final: boolean): [number, string] {
  if (!translate) {
    const k = Math.min(n, buf.length);
    return [k, buf.slice(0, k)];
  }
  let out = "";
  let i = 0;
  while (out.length < n && i < buf.length) {
    const cr = buf.indexOf("\r", i);
    const stop = cr === -1 ? buf.length : cr;
    const room = n - out.length;
    if (stop - i >= room) {
      out += buf.slice(i, i + room);
      i += room;
      break;
    }
    out += buf.slice(i, stop);
    i = stop;
    if (cr === -1) break;
    if (cr + 1 < buf.length) {
      out += "\n";
      i = buf[cr + 1] === "\n" ? cr + 2 : cr + 1;
    } else if (final) {
      out += "\n";
      i = cr + 1;
    } else {
      break;
    }
  }
  return [i, out];
}

/**
 * Finds the end of the first line of `buf`. Returns `[consumed, line]`, or `null` when more
 * input is needed to know where the line ends. At end of input (`final`) the rest is the line.
 */
export function takeLine(buf: string, newline: Newline, final: boolean): [number, string] | null {
  if (newline === undefined || newline === null || newline === "") {
    const translate = newline !== "";
    let i = 0;
    for (; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (c === 10) return [i + 1, buf.slice(0, i + 1)];
      if (c === 13) break;
    }
    if (i === buf.length) return final && buf.length > 0 ? [buf.length, buf] : final ? [0, ""] : null;
    let end: number;
    if (i + 1 < buf.length) end = buf.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
    else if (final) end = i + 1;
    else return null;
    return [end, translate ? buf.slice(0, i) + "\n" : buf.slice(0, end)];
  }
  const at = buf.indexOf(newline);
  if (at !== -1) return [at + newline.length, buf.slice(0, at + newline.length)];
  return final ? [buf.length, buf] : null;
}

/** Translates universal newlines of a whole text. */
export function translateNewlines(text: string): string {
  return text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
}
