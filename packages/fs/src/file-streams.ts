/**
 * `FileReadStream` and `FileWriteStream`: files as one-way byte streams, as AnyIO's
 * `anyio.streams.file`.
 *
 * @module
 */
import { type FileHandle, open as fsOpen } from "node:fs/promises";
import {
  type AttributeGetters,
  AsyncResourceBase,
  BrokenResourceError,
  BusyResourceError,
  type ByteSendStream,
  ByteReceiveStreamBase,
  checkBytes,
  checkMaxBytes,
  checkpoint,
  ClosedResourceError,
  EndOfStream,
  type WaitOptions,
} from "@anyio/core";
import { FileStreamAttribute } from "./file-stream-attribute.js";
import { fsCall, fsCleanup } from "./fs-call.js";
import { type FsLimiter, type FsOptions, limiterOption } from "./limiter.js";
import { PositionedReader } from "./positioned-reader.js";
import { fsPathString, type PathLike, toFsPath } from "./path-like.js";

/** The most one receive allocates, whatever `maxBytes` asks for. */
const MAX_READ = 8 * 1024 * 1024;

/** Options of the file stream constructors. */
export interface FileStreamOptions {
  /** The file name, offered as `FileStreamAttribute.path`. */
  path?: string | undefined;
  /** Bounds every call the stream makes (see {@link FsOptions.limiter}). */
  limiter?: FsLimiter | undefined;
}

/** An OS error while streaming is a broken stream (AnyIO's rule); the error stays as `cause`, its code and path are copied. */
function broken(err: unknown, what: string): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return err;
  const wrapped = new BrokenResourceError(`${what} failed: ${(err as Error).message}`, { cause: err });
  Object.assign(wrapped, { code, path: (err as { path?: unknown }).path });
  return wrapped;
}

function attributes(handle: FileHandle, path: string | undefined): AttributeGetters {
  const map = new Map<never, () => unknown>([
    [FileStreamAttribute.file as never, () => handle],
    [FileStreamAttribute.fileno as never, () => handle.fd],
  ]);
  if (path !== undefined) map.set(FileStreamAttribute.path as never, () => path);
  return map;
}

function closeHandle(handle: FileHandle): Promise<void> {
  return fsCleanup("aclose", undefined, () => handle.close());
}

/**
 * Reads a file as a `ByteReceiveStream`: `receive()` returns the next chunk (at most
 * `maxBytes`, never empty) and throws `EndOfStream` at the end. Memory stays constant whatever
 * the file's size: from a regular file (and without a `limiter`) the next chunk is read ahead
 * while one is awaited — two reads overlap in libuv's thread pool, as `fs.createReadStream`
 * reads ahead — and nothing else is kept; a `seek()` drops what was read ahead, and the end of
 * the file is read afresh each time it is reached (a file that grows is read on). `tell()` is
 * the position of the next byte `receive()` returns. A pipe or a terminal (found out by the
 * first receive) is read in order, and `seek()` on it throws an error with code `ESPIPE`. One
 * receive at a time (`BusyResourceError` otherwise).
 *
 * Cancellation: a read already handed to the OS completes and its chunk is returned (never
 * lost); the cancellation arrives at the next checkpoint.
 *
 * @example
 * ```ts
 * await using stream = await FileReadStream.fromPath("video.mp4");
 * for await (const chunk of stream) hash.update(chunk);
 * ```
 */
export class FileReadStream extends ByteReceiveStreamBase {
  readonly #handle: FileHandle;
  readonly #path: string | undefined;
  readonly #limiter: FsLimiter | undefined;
  readonly #reader: PositionedReader;
  #position = 0;
  #busy = false;
  #closing: Promise<void> | null = null;

  /** Streams from an open handle, starting at offset 0 (use {@link seek} to start elsewhere). Closing the stream closes the handle. */
  constructor(handle: FileHandle, options?: FileStreamOptions) {
    super();
    if (handle === null || typeof handle !== "object" || typeof handle.read !== "function") {
      throw new TypeError(`new FileReadStream(): handle must be a FileHandle from node:fs/promises`);
    }
    this.#handle = handle;
    this.#path = options?.path;
    this.#limiter = limiterOption(options as FsOptions | undefined, "new FileReadStream");
    this.#reader = new PositionedReader(handle, this.#limiter === undefined);
  }

  /**
   * Opens `path` for reading. If this throws `Cancelled`, nothing was opened.
   *
   * @example
   * ```ts
   * const stream = await FileReadStream.fromPath(new Path("in.bin"));
   * ```
   */
  static async fromPath(path: PathLike, options?: FsOptions): Promise<FileReadStream> {
    const fsPath = toFsPath(path, "FileReadStream.fromPath");
    const handle = await fsCall("FileReadStream.fromPath", options, () => fsOpen(fsPath, "r"));
    return new FileReadStream(handle, { path: fsPathString(fsPath), limiter: options?.limiter });
  }

  override get extraAttributes(): AttributeGetters {
    return attributes(this.#handle, this.#path);
  }

  async receive(maxBytes?: number, options?: WaitOptions): Promise<Uint8Array> {
    const n = Math.min(checkMaxBytes(maxBytes), MAX_READ);
    this.#enter();
    let bytes: Uint8Array;
    try {
      const reader = this.#reader;
      const position = this.#position;
      bytes = await fsCall("FileReadStream.receive", options, () => reader.read(position, n), "finish", this.#limiter);
    } catch (err) {
      throw broken(err, "reading the file");
    } finally {
      this.#busy = false;
    }
    if (this.#closing !== null) throw new ClosedResourceError("the stream was closed during the read");
    if (bytes.byteLength === 0) throw new EndOfStream();
    this.#position += bytes.byteLength;
    return bytes;
  }

  /**
   * Moves the read position: `position` from the start (`whence` 0), the current position (1)
   * or the end (2). Returns the new position.
   *
   * @example
   * ```ts
   * await stream.seek(1024); // skip a header
   * ```
   */
  async seek(position: number, whence: 0 | 1 | 2 = 0, options?: WaitOptions): Promise<number> {
    if (typeof position !== "number" || !Number.isSafeInteger(position)) throw new TypeError(`FileReadStream.seek(): position must be an integer, got ${String(position)}`);
    if (whence !== 0 && whence !== 1 && whence !== 2) throw new RangeError(`FileReadStream.seek(): whence must be 0, 1 or 2, got ${String(whence)}`);
    this.#enter();
    try {
      if (this.#reader.sequential) {
        // As Python's seek() on a pipe: there is no position to move.
        throw Object.assign(new Error("FileReadStream.seek(): the file has no positions (a pipe or a terminal)"), { code: "ESPIPE" });
      }
      let base = 0;
      if (whence === 1) base = this.#position;
      else if (whence === 2) {
        const handle = this.#handle;
        base = (await fsCall("FileReadStream.seek", options, () => handle.stat(), "finish", this.#limiter)).size;
      } else await checkpoint(options);
      const target = base + position;
      if (target < 0) throw new RangeError(`FileReadStream.seek(): negative seek position ${target}`);
      this.#position = target;
      this.#reader.discard();
      return target;
    } finally {
      this.#busy = false;
    }
  }

  /** The current read position. */
  async tell(options?: WaitOptions): Promise<number> {
    if (this.#closing !== null) throw new ClosedResourceError();
    await checkpoint(options);
    return this.#position;
  }

  /** Closes the file. Idempotent; completes even in a cancelled scope. */
  aclose(): Promise<void> {
    this.#closing ??= closeHandle(this.#handle);
    return this.#closing;
  }

  #enter(): void {
    if (this.#closing !== null) throw new ClosedResourceError();
    if (this.#busy) throw new BusyResourceError("reading from");
    this.#busy = true;
  }
}

/**
 * Writes a file as a `ByteSendStream`: each `send()` writes all its bytes before returning
 * (or, if it throws `Cancelled`, none of them). `fromPath(p, { append: true })` appends.
 *
 * @example
 * ```ts
 * await using out = await FileWriteStream.fromPath("copy.bin");
 * for await (const chunk of source) await out.send(chunk);
 * ```
 */
export class FileWriteStream extends AsyncResourceBase implements ByteSendStream {
  readonly #handle: FileHandle;
  readonly #path: string | undefined;
  readonly #limiter: FsLimiter | undefined;
  readonly #append: boolean;
  #position = 0;
  #busy = false;
  #closing: Promise<void> | null = null;

  /**
   * Streams into an open handle from offset 0, or at the end of the file with `append` (give
   * it when the handle was opened in an append mode). Closing the stream closes the handle.
   */
  constructor(handle: FileHandle, options?: FileStreamOptions & { append?: boolean }) {
    super();
    if (handle === null || typeof handle !== "object" || typeof handle.write !== "function") {
      throw new TypeError(`new FileWriteStream(): handle must be a FileHandle from node:fs/promises`);
    }
    this.#handle = handle;
    this.#path = options?.path;
    this.#append = options?.append === true;
    this.#limiter = limiterOption(options as FsOptions | undefined, "new FileWriteStream");
  }

  /**
   * Opens `path` for writing: truncated (created if missing), or appended to with `append`.
   *
   * @example
   * ```ts
   * await using log = await FileWriteStream.fromPath("app.log", { append: true });
   * await log.send(new TextEncoder().encode("started\n"));
   * ```
   */
  static async fromPath(path: PathLike, options?: FsOptions & { append?: boolean }): Promise<FileWriteStream> {
    const fsPath = toFsPath(path, "FileWriteStream.fromPath");
    const append = options?.append ?? false;
    if (typeof append !== "boolean") throw new TypeError(`FileWriteStream.fromPath(): options.append must be a boolean, got ${typeof append}`);
    const handle = await fsCall("FileWriteStream.fromPath", options, () => fsOpen(fsPath, append ? "a" : "w"));
    return new FileWriteStream(handle, { path: fsPathString(fsPath), limiter: options?.limiter, append });
  }

  override get extraAttributes(): AttributeGetters {
    return attributes(this.#handle, this.#path);
  }

  async send(data: Uint8Array, options?: WaitOptions): Promise<void> {
    checkBytes(data);
    if (this.#closing !== null) throw new ClosedResourceError();
    if (this.#busy) throw new BusyResourceError("writing to");
    this.#busy = true;
    try {
      if (data.byteLength === 0) return await checkpoint(options);
      const handle = this.#handle;
      const start = this.#append ? null : this.#position;
      await fsCall(
        "FileWriteStream.send",
        options,
        async () => {
          let done = 0;
          while (done < data.byteLength) {
            const { bytesWritten } = await handle.write(data, done, data.byteLength - done, start === null ? null : start + done);
            done += bytesWritten;
          }
        },
        "finish",
        this.#limiter,
      );
      this.#position += data.byteLength;
    } catch (err) {
      throw broken(err, "writing the file");
    } finally {
      this.#busy = false;
    }
  }

  /** Closes the file. Idempotent; completes even in a cancelled scope. */
  aclose(): Promise<void> {
    this.#closing ??= closeHandle(this.#handle);
    return this.#closing;
  }
}
