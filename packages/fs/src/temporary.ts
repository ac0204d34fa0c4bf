/**
 * Temporary files and directories, as AnyIO's `TemporaryDirectory`, `TemporaryFile`,
 * `NamedTemporaryFile` and `mkdtemp`.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { mkdir, open as fsOpen, rm, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import nodePath from "node:path";
import { AsyncResourceBase } from "@anyio/core";
import { AsyncFile } from "./async-file.js";
import { fsCall, fsCleanup } from "./fs-call.js";
import { type FsOptions, limiterOption } from "./limiter.js";
import { type DataOf, type OpenMode, parseMode } from "./mode.js";
import { Path } from "./path.js";
import { fsPathString, type PathLike, toFsPath } from "./path-like.js";
import { checkEncoding, checkErrors, checkNewline, type TextModeOptions } from "./text-codec.js";

/** Where and how temporary names are made. */
export interface TemporaryNameOptions extends FsOptions {
  /** Start of the name (default `"tmp"`). */
  prefix?: string | undefined;
  /** End of the name (default `""`). */
  suffix?: string | undefined;
  /** Directory to create it in (default: `os.tmpdir()`). */
  dir?: PathLike | undefined;
}

function nameParts(options: TemporaryNameOptions | undefined, caller: string): { dir: string; prefix: string; suffix: string } {
  const prefix = options?.prefix ?? "tmp";
  const suffix = options?.suffix ?? "";
  for (const [key, value] of [["prefix", prefix], ["suffix", suffix]] as const) {
    if (typeof value !== "string") throw new TypeError(`${caller}(): options.${key} must be a string, got ${typeof value}`);
    if (value.includes("/") || value.includes("\0")) throw new RangeError(`${caller}(): options.${key} must not contain "/" or NUL, got ${JSON.stringify(value)}`);
  }
  const dir = options?.dir === undefined ? tmpdir() : fsPathString(toFsPath(options.dir, caller, "options.dir"));
  return { dir, prefix, suffix };
}

/** Tries random names until `create` does not fail with EEXIST (as Python's tempfile). */
async function withUniqueName<T>(parts: { dir: string; prefix: string; suffix: string }, create: (path: string) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const name = `${parts.prefix}${randomBytes(6).toString("base64url")}${parts.suffix}`;
    try {
      return await create(nodePath.join(parts.dir, name));
    } catch (err) {
      if ((err as { code?: string }).code !== "EEXIST" || attempt >= 100) throw err;
    }
  }
}

/**
 * Creates a new directory with a unique name (mode 0o700) and returns its path, as Python's
 * `tempfile.mkdtemp`. Removing it is up to you (see {@link TemporaryDirectory} for automatic
 * removal). If the call throws `Cancelled`, no directory was created.
 *
 * @example
 * ```ts
 * const dir = await mkdtemp({ prefix: "build-" });
 * ```
 */
export async function mkdtemp(options?: TemporaryNameOptions): Promise<string> {
  const parts = nameParts(options, "mkdtemp");
  limiterOption(options, "mkdtemp");
  return await fsCall("mkdtemp", options, () =>
    withUniqueName(parts, async (path) => {
      await mkdir(path, { mode: 0o700 });
      return path;
    }),
  );
}

/**
 * A temporary directory that is removed, with everything in it, by `aclose()` — which
 * `await using` calls on every exit, cancellation included (removal runs to completion even in
 * a cancelled scope).
 *
 * @example
 * ```ts
 * await using tmp = await TemporaryDirectory.create({ prefix: "job-" });
 * await tmp.path.joinpath("out.txt").writeText("result");
 * // removed here
 * ```
 */
export class TemporaryDirectory extends AsyncResourceBase {
  /** The directory's path as a string. */
  readonly name: string;
  readonly #ignoreCleanupErrors: boolean;
  #closing: Promise<void> | null = null;

  private constructor(name: string, ignoreCleanupErrors: boolean) {
    super();
    this.name = name;
    this.#ignoreCleanupErrors = ignoreCleanupErrors;
  }

  /** Creates the directory (see {@link mkdtemp}). `ignoreCleanupErrors` makes removal failures silent. */
  static async create(options?: TemporaryNameOptions & { ignoreCleanupErrors?: boolean }): Promise<TemporaryDirectory> {
    const ignore = options?.ignoreCleanupErrors ?? false;
    if (typeof ignore !== "boolean") throw new TypeError(`TemporaryDirectory.create(): options.ignoreCleanupErrors must be a boolean, got ${typeof ignore}`);
    return new TemporaryDirectory(await mkdtemp(options), ignore);
  }

  /** The directory as a {@link Path}. */
  get path(): Path {
    return new Path(this.name);
  }

  /** True once `aclose()` was called. */
  get closed(): boolean {
    return this.#closing !== null;
  }

  /** Removes the directory tree. Idempotent. */
  aclose(): Promise<void> {
    if (this.#closing === null) {
      const name = this.name;
      const ignore = this.#ignoreCleanupErrors;
      this.#closing = fsCleanup("TemporaryDirectory.aclose", undefined, async () => {
        try {
          await rm(name, { recursive: true, force: true, maxRetries: 3 });
        } catch (err) {
          if (!ignore) throw err;
        }
      });
    }
    return this.#closing;
  }
}

/** Options of {@link temporaryFile} and {@link namedTemporaryFile}. */
export interface TemporaryFileOptions extends TemporaryNameOptions, TextModeOptions {}

async function createTemporaryFile<M extends OpenMode>(
  caller: string,
  mode: M,
  options: (TemporaryFileOptions & { delete?: boolean }) | undefined,
  named: boolean,
): Promise<AsyncFile<DataOf<M>>> {
  const parsed = parseMode(mode, caller);
  if (parsed.mode.includes("r") && !parsed.mode.includes("+")) throw new RangeError(`${caller}(): mode "${mode}" cannot write; a temporary file needs "w", "x" or "+"`);
  const parts = nameParts(options, caller);
  const limiter = limiterOption(options, caller);
  if (parsed.binary && (options?.encoding != null || options?.errors != null || options?.newline != null)) {
    throw new RangeError(`${caller}(): binary mode "${mode}" doesn't take encoding, errors or newline`);
  }
  const encoding = checkEncoding(options?.encoding, caller);
  const errors = checkErrors(options?.errors, caller);
  const newline = checkNewline(options?.newline, caller);
  const deleteOnClose = options?.delete ?? true;
  if (typeof deleteOnClose !== "boolean") throw new TypeError(`${caller}(): options.delete must be a boolean, got ${typeof deleteOnClose}`);
  // Always created exclusively (whatever the mode says about truncating), with mode 0o600.
  const flags = (parsed.flags & ~constants.O_TRUNC) | constants.O_CREAT | constants.O_EXCL;
  // Creating, and for an anonymous file unlinking, is one uncancellable step: no name is left
  // behind by a cancellation or an error in between.
  const [handle, path] = await fsCall(caller, options, () =>
    withUniqueName(parts, async (path) => {
      const handle = await fsOpen(path, flags, 0o600);
      if (named) return [handle, path] as const;
      try {
        await unlink(path);
      } catch (err) {
        await handle.close();
        await unlink(path).catch(() => undefined);
        throw err;
      }
      return [handle, path] as const;
    }),
  );
  const onClose = named && deleteOnClose ? () => unlink(path).catch((err: { code?: string }) => (err.code === "ENOENT" ? undefined : Promise.reject(err))) : undefined;
  return new AsyncFile<DataOf<M>>({ handle, mode: parsed, name: named ? path : undefined, encoding, errors, newline, limiter, onClose });
}

/**
 * An anonymous temporary file, as Python's `TemporaryFile`: created with a unique name and
 * unlinked at once (POSIX), so it disappears when closed — or when the process dies. Default
 * mode `"w+b"`.
 *
 * @example
 * ```ts
 * await using scratch = await temporaryFile();
 * await scratch.write(bytes);
 * await scratch.seek(0);
 * ```
 */
export function temporaryFile<M extends OpenMode = "w+b">(mode?: M, options?: TemporaryFileOptions): Promise<AsyncFile<DataOf<M>>> {
  return createTemporaryFile("temporaryFile", (mode ?? "w+b") as M, options, false);
}

/**
 * A temporary file with a visible name (`file.name`), as Python's `NamedTemporaryFile`: deleted
 * when closed unless `delete: false`. Default mode `"w+b"`.
 *
 * @example
 * ```ts
 * await using f = await namedTemporaryFile("w+", { suffix: ".json" });
 * await f.write("{}");
 * await runTool(f.name!);
 * ```
 */
export function namedTemporaryFile<M extends OpenMode = "w+b">(mode?: M, options?: TemporaryFileOptions & { delete?: boolean }): Promise<AsyncFile<DataOf<M>>> {
  return createTemporaryFile("namedTemporaryFile", (mode ?? "w+b") as M, options, true);
}
