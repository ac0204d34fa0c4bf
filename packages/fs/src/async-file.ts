/**
 * `AsyncFile`: AnyIO's async file object, over a `node:fs/promises` `FileHandle`.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { type FileHandle, open as fsOpen } from "node:fs/promises";
import {
  AsyncResourceBase,
  BusyResourceError,
  checkpoint,
  ClosedResourceError,
  type WaitOptions,
} from "@anyio/core";
import { ByteQueue } from "./byte-queue.js";
import { fsCall, fsCleanup } from "./fs-call.js";
import { type FsLimiter, type FsOptions, limiterOption } from "./limiter.js";
import { type DataOf, type OpenMode, type ParsedMode, parseMode } from "./mode.js";
import { fsPathString, type PathLike, toFsPath } from "./path-like.js";
import {
  byteLength,
  checkEncoding,
  checkErrors,
  checkNewline,
  type DecodeErrors,
  encodeText,
  type Newline,
  takeLine,
  takeText,
  type TextEncoding,
  TextDecoderState,
  type TextModeOptions,
  translateNewlines,
} from "./text-codec.js";

/** Bytes asked of the OS per read when the caller did not ask for more. */
const CHUNK = 64 * 1024;

/**
 * `whence` of {@link AsyncFile.seek}: from the start of the file.
 *
 * @example
 * ```ts
 * await f.seek(128, SEEK_SET); // byte 128
 * ```
 */
export const SEEK_SET = 0;
/**
 * `whence` of {@link AsyncFile.seek}: from the current position.
 *
 * @example
 * ```ts
 * await f.seek(16, SEEK_CUR); // skip 16 bytes (binary mode)
 * ```
 */
export const SEEK_CUR = 1;
/**
 * `whence` of {@link AsyncFile.seek}: from the end of the file.
 *
 * @example
 * ```ts
 * const size = await f.seek(0, SEEK_END);
 * ```
 */
export const SEEK_END = 2;

/** Options of {@link openFile}. */
export interface OpenFileOptions extends FsOptions, TextModeOptions {
  /** Permission bits of a file the call creates (before the umask). Default `0o666`. */
  permissions?: number | undefined;
}

/** Options of {@link wrapFile}. */
export interface WrapFileOptions extends TextModeOptions {
  /** How the handle was opened, as a Python mode string. Default `"r+b"`. */
  mode?: OpenMode | undefined;
  /** The file name, reported by {@link AsyncFile.name}. */
  name?: string | undefined;
  /** Bounds every call this file makes (see {@link FsOptions.limiter}). */
  limiter?: FsLimiter | undefined;
}

/** @internal What the constructor of {@link AsyncFile} needs. */
export interface AsyncFileInit {
  readonly handle: FileHandle;
  readonly mode: ParsedMode;
  readonly name: string | undefined;
  readonly encoding: TextEncoding;
  readonly errors: DecodeErrors;
  readonly newline: Newline;
  readonly limiter: FsLimiter | undefined;
  /** Runs after the handle closed (temporary files delete themselves here). */
  readonly onClose?: (() => Promise<void>) | undefined;
}

/**
 * An open file, as AnyIO's `AsyncFile`: every operation is async and a checkpoint; text or
 * binary by its mode (`T` is `string` or `Uint8Array`). `for await` yields lines with their
 * line ending kept. Create it with {@link openFile}, {@link wrapFile} or `Path.open()`.
 *
 * The file keeps its own position and reads ahead (64 KiB); writes go straight to the OS (there
 * is no user-space write buffer, so `flush()` has nothing to do and a write that returned is in
 * the OS). One operation at a time: a second task using the file while an operation is in
 * flight gets `BusyResourceError`, since both would move the same position.
 *
 * Cancellation: an operation that throws `Cancelled` did not happen. An operation already
 * handed to the OS runs to completion (never torn) and returns; the cancellation arrives at the
 * next checkpoint. A multi-chunk `read()` stops between chunks, keeping what it read buffered.
 *
 * @example
 * ```ts
 * await using f = await openFile("notes.txt", "w+");
 * await f.write("one\ntwo\n");
 * await f.seek(0);
 * for await (const line of f) console.log(line); // "one\n", "two\n"
 * ```
 */
export class AsyncFile<T extends string | Uint8Array = string | Uint8Array> extends AsyncResourceBase implements AsyncIterable<T> {
  readonly #handle: FileHandle;
  readonly #mode: ParsedMode;
  readonly #name: string | undefined;
  readonly #encoding: TextEncoding;
  readonly #errors: DecodeErrors;
  readonly #newline: Newline;
  readonly #limiter: FsLimiter | undefined;
  readonly #onClose: (() => Promise<void>) | undefined;
  /** Where the next read from the OS starts; `null` = at the end of the file (append modes). */
  #rawPos: number | null;
  readonly #queue = new ByteQueue();
  #text = "";
  #decoder: TextDecoderState | null;
  /** The last read from the OS, in the current operation, returned nothing. */
  #eof = false;
  #busy: string | null = null;
  #closing: Promise<void> | null = null;

  /** Use {@link openFile} or {@link wrapFile}; the constructor is for this package. */
  constructor(init: AsyncFileInit) {
    super();
    if (init === null || typeof init !== "object" || init.handle === null || typeof init.handle !== "object") {
      throw new TypeError(`AsyncFile(): init must come from openFile() or wrapFile() (an object with a FileHandle), got ${init === null ? "null" : typeof init}`);
    }
    this.#handle = init.handle;
    this.#mode = init.mode;
    this.#name = init.name;
    this.#encoding = init.encoding;
    this.#errors = init.errors;
    this.#newline = init.newline;
    this.#limiter = init.limiter;
    this.#onClose = init.onClose;
    this.#rawPos = init.mode.append ? null : 0;
    this.#decoder = init.mode.binary ? null : new TextDecoderState(init.encoding, init.errors);
  }

  /** The file name given when opening, if any. */
  get name(): string | undefined {
    return this.#name;
  }

  /** The mode string it was opened with. */
  get mode(): string {
    return this.#mode.mode;
  }

  /** The text encoding, or `undefined` in binary mode. */
  get encoding(): TextEncoding | undefined {
    return this.#mode.binary ? undefined : this.#encoding;
  }

  /** True once `aclose()` was called. */
  get closed(): boolean {
    return this.#closing !== null;
  }

  /** True if the mode allows reading. */
  get readable(): boolean {
    return this.#mode.readable;
  }

  /** True if the mode allows writing. */
  get writable(): boolean {
    return this.#mode.writable;
  }

  /** The underlying `FileHandle` (AnyIO's `wrapped`). Using it directly bypasses the position kept here. */
  get wrapped(): FileHandle {
    return this.#handle;
  }

  /** The OS file descriptor (-1 once closed). */
  get fileno(): number {
    return this.#handle.fd;
  }

  /**
   * Reads `size` characters (text) or bytes (binary), fewer only at end of file; all the rest
   * of the file when `size` is omitted or negative. Returns an empty string/array at end of file.
   *
   * @example
   * ```ts
   * const header = await f.read(4);
   * const rest = await f.read();
   * ```
   */
  async read(size?: number, options?: WaitOptions): Promise<T> {
    const n = checkSize(size, "AsyncFile.read");
    this.#enter("reading from", "read");
    try {
      await checkpoint(options);
      this.#eof = false;
      if (this.#decoder === null) {
        if (n < 0) {
          while (!this.#eof) await this.#fill(options, Math.max(CHUNK, this.#queue.length));
          return this.#queue.take(this.#queue.length) as T;
        }
        while (this.#queue.length < n && !this.#eof) await this.#fill(options, n - this.#queue.length);
        return this.#queue.take(n) as T;
      }
      const translate = this.#newline === undefined || this.#newline === null;
      if (n < 0) {
        while (!this.#eof) await this.#fill(options, Math.max(CHUNK, this.#text.length));
        const all = translate ? translateNewlines(this.#text) : this.#text;
        this.#text = "";
        return all as T;
      }
      for (;;) {
        const [consumed, out] = takeText(this.#text, n, translate, this.#eof);
        if (out.length >= n || this.#eof) {
          this.#text = this.#text.slice(consumed);
          return out as T;
        }
        await this.#fill(options, n);
      }
    } finally {
      this.#busy = null;
    }
  }

  /**
   * Reads one line, its line ending included (text mode: as `newline` says; binary: up to
   * `\n`). Returns an empty string/array at end of file.
   *
   * @example
   * ```ts
   * const first = await f.readline(); // "title\n"
   * ```
   */
  async readline(options?: WaitOptions): Promise<T> {
    this.#enter("reading from", "read");
    try {
      await checkpoint(options);
      this.#eof = false;
      if (this.#decoder === null) {
        for (;;) {
          const at = this.#queue.indexOf(10);
          if (at !== -1) return this.#queue.take(at + 1) as T;
          if (this.#eof) return this.#queue.take(this.#queue.length) as T;
          await this.#fill(options, CHUNK);
        }
      }
      for (;;) {
        const line = takeLine(this.#text, this.#newline, this.#eof);
        if (line !== null) {
          this.#text = this.#text.slice(line[0]);
          return line[1] as T;
        }
        await this.#fill(options, CHUNK);
      }
    } finally {
      this.#busy = null;
    }
  }

  /**
   * Reads the remaining lines.
   *
   * @example
   * ```ts
   * const lines = await f.readLines(); // ["a\n", "b\n", "c"]
   * ```
   */
  async readLines(options?: WaitOptions): Promise<T[]> {
    const lines: T[] = [];
    for (;;) {
      const line = await this.readline(options);
      if (line.length === 0) return lines;
      lines.push(line);
    }
  }

  /** Yields the lines of the file from the current position, line endings kept. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    for (;;) {
      const line = await this.readline();
      if (line.length === 0) return;
      yield line;
    }
  }

  /**
   * Writes `data` (a string in text mode, a `Uint8Array` in binary mode) and returns its length
   * (characters or bytes). The whole write reaches the OS or, if it throws `Cancelled`, none of
   * it does. In append modes it always goes to the end of the file.
   *
   * @example
   * ```ts
   * await f.write("hello\n");
   * ```
   */
  async write(data: T, options?: WaitOptions): Promise<number> {
    const bytes = this.#encode(data, "AsyncFile.write", "data");
    this.#enter("writing to", "write");
    try {
      await this.#writeBytes(bytes, options);
      return data.length;
    } finally {
      this.#busy = null;
    }
  }

  /**
   * Writes every item of `lines` (no separators are added, as in Python) in one write: all or
   * nothing.
   *
   * @example
   * ```ts
   * await f.writeLines(["a\n", "b\n"]);
   * ```
   */
  async writeLines(lines: Iterable<T>, options?: WaitOptions): Promise<void> {
    if (lines === null || typeof lines !== "object" || typeof (lines as Iterable<T>)[Symbol.iterator] !== "function") {
      throw new TypeError(`AsyncFile.writeLines(): lines must be an iterable, got ${lines === null ? "null" : typeof lines}`);
    }
    const parts: Uint8Array[] = [];
    let i = 0;
    for (const line of lines) parts.push(this.#encode(line, "AsyncFile.writeLines", `lines[${i++}]`));
    this.#enter("writing to", "write");
    try {
      await this.#writeBytes(parts.length === 1 ? parts[0]! : Buffer.concat(parts), options);
    } finally {
      this.#busy = null;
    }
  }

  /**
   * Moves the position and returns it: `offset` from the start (`whence` 0, default), the
   * current position (1) or the end (2). In text mode, as in Python, only `seek(0, 1)`,
   * `seek(0, 2)` and absolute positions obtained from `tell()` are allowed.
   *
   * @example
   * ```ts
   * await f.seek(0);           // rewind
   * const size = await f.seek(0, SEEK_END);
   * ```
   */
  async seek(offset: number, whence: 0 | 1 | 2 = SEEK_SET, options?: WaitOptions): Promise<number> {
    if (typeof offset !== "number" || !Number.isSafeInteger(offset)) {
      throw new TypeError(`AsyncFile.seek(): offset must be an integer, got ${String(offset)}`);
    }
    if (whence !== 0 && whence !== 1 && whence !== 2) {
      throw new RangeError(`AsyncFile.seek(): whence must be 0 (SEEK_SET), 1 (SEEK_CUR) or 2 (SEEK_END), got ${String(whence)}`);
    }
    if (this.#decoder !== null && whence !== 0 && offset !== 0) {
      throw new RangeError(`AsyncFile.seek(): text files support only zero offsets relative to the current position or the end, got offset ${offset} with whence ${whence}`);
    }
    this.#enter("using", null);
    try {
      await checkpoint(options);
      const base = whence === 0 ? 0 : whence === 1 ? await this.#position(options) : await this.#size(options);
      const target = base + offset;
      if (target < 0) throw new RangeError(`AsyncFile.seek(): negative seek position ${target}`);
      this.#reset(target);
      return target;
    } finally {
      this.#busy = null;
    }
  }

  /**
   * The current position: a byte offset (also in text mode, where it may be handed back to
   * `seek()`).
   *
   * @example
   * ```ts
   * const where = await f.tell();
   * ```
   */
  async tell(options?: WaitOptions): Promise<number> {
    this.#enter("using", null);
    try {
      await checkpoint(options);
      return await this.#position(options);
    } finally {
      this.#busy = null;
    }
  }

  /**
   * Resizes the file to `size` bytes (default: the current position) and returns the new size;
   * the position does not move.
   *
   * @example
   * ```ts
   * await f.truncate(0);
   * ```
   */
  async truncate(size?: number, options?: WaitOptions): Promise<number> {
    if (size !== undefined && (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0)) {
      throw new RangeError(`AsyncFile.truncate(): size must be a non-negative integer, got ${String(size)}`);
    }
    this.#enter("writing to", "write");
    try {
      await checkpoint(options);
      const position = await this.#position(options);
      const target = size ?? position;
      await this.#call("AsyncFile.truncate", options, () => this.#handle.truncate(target));
      this.#reset(this.#mode.append ? null : position);
      return target;
    } finally {
      this.#busy = null;
    }
  }

  /**
   * A checkpoint that also fails on a closed file: writes are not buffered in user space, so
   * there is nothing to flush (use {@link sync} to reach the disk).
   *
   * @example
   * ```ts
   * await f.flush();
   * ```
   */
  async flush(options?: WaitOptions): Promise<void> {
    this.#enter("using", null);
    try {
      await checkpoint(options);
    } finally {
      this.#busy = null;
    }
  }

  /**
   * Asks the OS to put the file's data and metadata on the disk (`fsync`).
   *
   * @example
   * ```ts
   * await f.write(record); await f.sync();
   * ```
   */
  async sync(options?: WaitOptions): Promise<void> {
    this.#enter("using", null);
    try {
      await this.#call("AsyncFile.sync", options, () => this.#handle.sync());
    } finally {
      this.#busy = null;
    }
  }

  /**
   * Closes the file. Idempotent; runs to completion even in a cancelled scope (closing is
   * cleanup), and a second caller waits for the first one's close.
   */
  aclose(): Promise<void> {
    if (this.#closing === null) {
      this.#queue.clear();
      this.#text = "";
      const handle = this.#handle;
      const onClose = this.#onClose;
      this.#closing = fsCleanup("AsyncFile.aclose", undefined, async () => {
        try {
          await handle.close();
        } finally {
          if (onClose !== undefined) await onClose();
        }
      });
    }
    return this.#closing;
  }

  #enter(action: string, needs: "read" | "write" | null): void {
    if (this.#closing !== null) throw new ClosedResourceError("the file is closed");
    if (needs === "read" && !this.#mode.readable) throw new TypeError(`AsyncFile.read(): the file is not open for reading (mode "${this.#mode.mode}")`);
    if (needs === "write" && !this.#mode.writable) throw new TypeError(`AsyncFile.write(): the file is not open for writing (mode "${this.#mode.mode}")`);
    if (this.#busy !== null) throw new BusyResourceError(this.#busy);
    this.#busy = action;
  }

  #call<R>(caller: string, options: WaitOptions | undefined, op: () => Promise<R>): Promise<R> {
    return fsCall(caller, options, op, "finish", this.#limiter ?? limiterOption(options, caller));
  }

  #encode(data: unknown, caller: string, argument: string): Uint8Array {
    if (this.#decoder === null) {
      if (!(data instanceof Uint8Array)) throw new TypeError(`${caller}(): ${argument} must be a Uint8Array in binary mode, got ${describe(data)}`);
      return data;
    }
    if (typeof data !== "string") throw new TypeError(`${caller}(): ${argument} must be a string in text mode, got ${describe(data)}`);
    return encodeText(data, this.#encoding, this.#newline);
  }

  async #writeBytes(bytes: Uint8Array, options: WaitOptions | undefined): Promise<void> {
    const position = this.#mode.append ? null : await this.#position(options);
    if (bytes.byteLength === 0) {
      await checkpoint(options);
      return;
    }
    const handle = this.#handle;
    await this.#call("AsyncFile.write", options, async () => {
      let done = 0;
      while (done < bytes.byteLength) {
        const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done, position === null ? null : position + done);
        done += bytesWritten;
      }
    });
    this.#reset(position === null ? null : position + bytes.byteLength);
  }

  /** Reads up to max(`want`, 64 KiB) more bytes from the OS into the read-ahead buffer. */
  async #fill(options: WaitOptions | undefined, want: number): Promise<void> {
    const position = this.#rawPos ?? (await this.#size(options));
    const size = Math.max(CHUNK, Math.min(want, 0x3fff_ffff));
    const buffer = Buffer.allocUnsafe(size);
    const handle = this.#handle;
    const { bytesRead } = await this.#call("AsyncFile.read", options, () => handle.read(buffer, 0, size, position));
    if (this.#closing !== null) throw new ClosedResourceError("the file was closed during the read");
    this.#rawPos = position + bytesRead;
    const chunk = buffer.subarray(0, bytesRead);
    if (bytesRead === 0) this.#eof = true;
    if (this.#decoder !== null) this.#text += this.#decoder.decode(chunk, this.#eof);
    else this.#queue.push(chunk);
  }

  async #size(options: WaitOptions | undefined): Promise<number> {
    const stat = await this.#call("AsyncFile.stat", options, () => this.#handle.stat());
    return stat.size;
  }

  /** The logical position: where the next read or write of the caller happens. */
  async #position(options: WaitOptions | undefined): Promise<number> {
    if (this.#rawPos === null) {
      // Append modes: the position is the end of the file, wherever other writers put it.
      const size = await this.#size(options);
      this.#reset(size);
      return size;
    }
    if (this.#decoder === null) return this.#rawPos - this.#queue.length;
    return this.#rawPos - this.#decoder.pendingBytes - byteLength(this.#text, this.#encoding);
  }

  #reset(position: number | null): void {
    this.#rawPos = position;
    this.#queue.clear();
    this.#text = "";
    if (this.#decoder !== null) this.#decoder = new TextDecoderState(this.#encoding, this.#errors);
  }
}

function checkSize(size: unknown, caller: string): number {
  if (size === undefined || size === null) return -1;
  if (typeof size !== "number" || !Number.isSafeInteger(size)) throw new TypeError(`${caller}(): size must be an integer, got ${String(size)}`);
  return size;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return (value as object).constructor?.name ?? "object";
  return typeof value;
}

function textOptions(options: TextModeOptions | undefined, mode: ParsedMode, caller: string) {
  const encoding = options?.encoding;
  const errors = options?.errors;
  const newline = options?.newline;
  if (mode.binary && (encoding != null || errors != null || newline != null)) {
    throw new RangeError(`${caller}(): binary mode "${mode.mode}" doesn't take encoding, errors or newline`);
  }
  return { encoding: checkEncoding(encoding, caller), errors: checkErrors(errors, caller), newline: checkNewline(newline, caller) };
}

/**
 * Opens a file, as AnyIO's `open_file()` / Python's `open()`: `mode` is a Python mode string
 * (`"r"` default, `"rb"`, `"w"`, `"wb"`, `"a"`, `"ab"`, `"x"`, `"r+"`, `"w+b"`…); a mode with
 * `b` gives an `AsyncFile<Uint8Array>`, any other an `AsyncFile<string>`.
 *
 * Errors keep Node's `code` and `path` (`ENOENT`, `EEXIST` for `"x"`, `EISDIR`…). If the call
 * throws `Cancelled`, no file was opened (or created).
 *
 * @example
 * ```ts
 * await using f = await openFile("data.bin", "rb");
 * const magic = await f.read(4); // Uint8Array
 * ```
 */
export async function openFile<M extends OpenMode = "r">(
  path: PathLike,
  mode?: M,
  options?: OpenFileOptions,
): Promise<AsyncFile<DataOf<M>>> {
  const parsed = parseMode(mode ?? "r", "openFile");
  const fsPath = toFsPath(path, "openFile");
  const text = textOptions(options, parsed, "openFile");
  const permissions = options?.permissions ?? 0o666;
  if (typeof permissions !== "number" || !Number.isInteger(permissions) || permissions < 0 || permissions > 0o7777) {
    throw new RangeError(`openFile(): permissions must be an integer from 0 to 0o7777, got ${String(permissions)}`);
  }
  const limiter = limiterOption(options, "openFile");
  const handle = await fsCall("openFile", options, () => fsOpen(fsPath, parsed.flags, permissions), "finish", limiter);
  return new AsyncFile<DataOf<M>>({ handle, mode: parsed, name: fsPathString(fsPath), ...text, limiter });
}

/**
 * Wraps a `FileHandle` you opened yourself, as AnyIO's `wrap_file()`. Give the `mode` it was
 * opened with (default `"r+b"`); the file starts at position 0 (at the end in append modes)
 * and reads and writes at explicit positions from then on. Closing the `AsyncFile` closes the
 * handle.
 *
 * @example
 * ```ts
 * const handle = await fs.promises.open("log.txt", "a");
 * await using f = wrapFile(handle, { mode: "a" });
 * await f.write("started\n");
 * ```
 */
export function wrapFile<M extends OpenMode = "r+b">(
  handle: FileHandle,
  options?: WrapFileOptions & { mode?: M },
): AsyncFile<DataOf<M>> {
  if (handle === null || typeof handle !== "object" || typeof (handle as FileHandle).read !== "function" || typeof (handle as FileHandle).fd !== "number") {
    throw new TypeError(`wrapFile(): handle must be a FileHandle from node:fs/promises, got ${describe(handle)}`);
  }
  const parsed = parseMode(options?.mode ?? "r+b", "wrapFile");
  const text = textOptions(options, parsed, "wrapFile");
  const limiter = limiterOption(options, "wrapFile");
  return new AsyncFile<DataOf<M>>({ handle, mode: parsed, name: options?.name, ...text, limiter });
}
