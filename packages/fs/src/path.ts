/**
 * `Path`: AnyIO's async `pathlib.Path`. Pure operations are synchronous, everything that
 * touches the disk is async and a checkpoint.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { type BigIntStats, constants, type Stats } from "node:fs";
import {
  chmod,
  copyFile,
  cp,
  link,
  lstat,
  mkdir,
  open as fsOpen,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  rmdir,
  stat,
  symlink,
  unlink,
  utimes,
  writeFile,
} from "node:fs/promises";
import { homedir } from "node:os";
import nodePath from "node:path";
import { pathToFileURL } from "node:url";
import { type AsyncFile, openFile, type OpenFileOptions } from "./async-file.js";
import { fsCall, type InFlight } from "./fs-call.js";
import { globWalk, hasMagic, matchParts, patternSegments } from "./glob.js";
import type { FsOptions } from "./limiter.js";
import type { DataOf, OpenMode } from "./mode.js";
import { PATH_BRAND, type PathBranded } from "./path-like.js";
import { checkEncoding, checkErrors, checkNewline, encodeText, type TextModeOptions, translateNewlines } from "./text-codec.js";

/** Anything a `Path` can be built from. */
export type PathSegment = string | PathBranded | URL;

/** Options of {@link Path.stat} and the predicates. */
export interface FollowSymlinksOptions extends FsOptions {
  /** Default true; false looks at a symlink itself. */
  followSymlinks?: boolean | undefined;
}

/** Options of {@link Path.mkdir}. */
export interface MkdirOptions extends FsOptions {
  /** Permission bits (before the umask). Default `0o777`. */
  mode?: number | undefined;
  /** Create missing parents too (`mkdir -p`). */
  parents?: boolean | undefined;
  /** No error if the directory already exists. */
  existOk?: boolean | undefined;
}

/** Options of {@link Path.walk}. */
export interface WalkOptions extends FsOptions {
  /** Yield a directory before (default) or after its subdirectories. */
  topDown?: boolean | undefined;
  /** Called with each error listing a directory; by default such errors are ignored (as Python). */
  onError?: ((error: unknown) => void) | undefined;
  /** Descend into symlinks to directories (default false: they are listed among the files). */
  followSymlinks?: boolean | undefined;
}

/** Options of {@link Path.copy}. */
export interface CopyOptions extends FsOptions {
  /** Copy what a symlink points to (default) rather than the link. */
  followSymlinks?: boolean | undefined;
  /** Copying a directory onto an existing one merges instead of failing with `EEXIST`. */
  dirsExistOk?: boolean | undefined;
  /** Also copy permission bits and timestamps. */
  preserveMetadata?: boolean | undefined;
}

/** One step of {@link Path.walk}: the directory, its subdirectory names, its other names. */
export type WalkEntry = [dirpath: Path, dirnames: string[], filenames: string[]];

const MISSING = new Set(["ENOENT", "ENOTDIR", "EBADF", "ELOOP"]);

function isMissing(err: unknown): boolean {
  return MISSING.has((err as { code?: string } | null)?.code ?? "");
}

function segmentString(segment: unknown, caller: string): string {
  if (typeof segment === "string") return segment;
  if (typeof segment === "object" && segment !== null) {
    const branded = (segment as Partial<PathBranded>)[PATH_BRAND];
    if (typeof branded === "string") return branded;
    if (segment instanceof URL) {
      if (segment.protocol !== "file:") throw new TypeError(`${caller}(): only file: URLs are paths, got ${segment.href}`);
      return decodeURIComponent(segment.pathname);
    }
  }
  throw new TypeError(`${caller}(): path segments must be strings, Paths or file: URLs, got ${segment === null ? "null" : typeof segment}`);
}

/** pathlib's normalization: collapse repeated slashes and "." parts, keep "..". */
function normalize(segments: readonly unknown[], caller: string): string {
  let absolute = false;
  let parts: string[] = [];
  for (const segment of segments) {
    const s = segmentString(segment, caller);
    if (s.includes("\0")) throw new TypeError(`${caller}(): path segments must not contain NUL characters`);
    if (s.startsWith("/")) {
      absolute = true;
      parts = [];
    }
    for (const p of s.split("/")) if (p !== "" && p !== ".") parts.push(p);
  }
  const body = parts.join("/");
  return absolute ? `/${body}` : body === "" ? "." : body;
}

function checkBool(value: unknown, caller: string, name: string, dflt: boolean): boolean {
  if (value === undefined) return dflt;
  if (typeof value !== "boolean") throw new TypeError(`${caller}(): options.${name} must be a boolean, got ${typeof value}`);
  return value;
}

function checkPermissions(value: unknown, caller: string, name: string, dflt: number): number {
  if (value === undefined) return dflt;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 0o7777) {
    throw new RangeError(`${caller}(): ${name} must be an integer from 0 to 0o7777, got ${String(value)}`);
  }
  return value;
}

/**
 * A file-system path, as AnyIO's `anyio.Path` (POSIX semantics; Windows is untested). Built
 * from segments joined as `pathlib` joins them (an absolute segment restarts the path);
 * immutable; compare with {@link Path.equals}. Every operation that touches the disk is async,
 * takes `{ signal, limiter }`, and throws Node's errors with their `code` and `path`.
 *
 * @example
 * ```ts
 * const dir = new Path("/tmp", "demo");
 * await dir.mkdir({ parents: true, existOk: true });
 * const file = dir.joinpath("hello.txt");
 * await file.writeText("hi\n");
 * console.log(file.name, file.suffix, await file.readText()); // hello.txt .txt hi
 * for await (const p of dir.glob("*.txt")) console.log(p.toString());
 * ```
 */
export class Path implements PathBranded {
  readonly #path: string;

  constructor(...segments: PathSegment[]) {
    this.#path = normalize(segments, "Path");
  }

  /** @internal Lets `openFile()` and friends take a Path without importing this class. */
  get [PATH_BRAND](): string {
    return this.#path;
  }

  /** The current working directory. */
  static cwd(): Path {
    return new Path(process.cwd());
  }

  /** The user's home directory. */
  static home(): Path {
    return new Path(homedir());
  }

  // ----- pure operations -------------------------------------------------------------------

  /** The path as a string. */
  toString(): string {
    return this.#path;
  }

  /** The path as a string (for `JSON.stringify`). */
  toJSON(): string {
    return this.#path;
  }

  /** The path with forward slashes (it already has them on POSIX). */
  asPosix(): string {
    return this.#path;
  }

  /**
   * The `file:` URI of an absolute path.
   * @throws RangeError for a relative path
   */
  asUri(): string {
    if (!this.isAbsolute()) throw new RangeError(`Path.asUri(): relative path can't be expressed as a file URI: ${JSON.stringify(this.#path)}`);
    return pathToFileURL(this.#path).href;
  }

  /** True if both paths have the same (normalized) string; POSIX comparison is case-sensitive. */
  equals(other: PathSegment): boolean {
    return this.#path === normalize([other], "Path.equals");
  }

  /** True for a path starting at the root. */
  isAbsolute(): boolean {
    return this.#path.startsWith("/");
  }

  /** The drive: always `""` on POSIX. */
  get drive(): string {
    return "";
  }

  /** `"/"` for an absolute path, else `""`. */
  get root(): string {
    return this.isAbsolute() ? "/" : "";
  }

  /** Drive plus root. */
  get anchor(): string {
    return this.root;
  }

  /** The components: `["/", "usr", "bin"]`, `["a", "b"]`; `[]` for `"."`. */
  get parts(): string[] {
    if (this.#path === ".") return [];
    if (this.#path === "/") return ["/"];
    return this.isAbsolute() ? ["/", ...this.#path.slice(1).split("/")] : this.#path.split("/");
  }

  /** The final component (`""` for `"/"` and `"."`). */
  get name(): string {
    if (this.#path === "." || this.#path === "/") return "";
    return this.#path.slice(this.#path.lastIndexOf("/") + 1);
  }

  /** The final component's last extension: `".gz"` of `"a.tar.gz"`, `""` of `".bashrc"`. */
  get suffix(): string {
    const name = this.name;
    const i = name.lastIndexOf(".");
    return i > 0 && i < name.length - 1 ? name.slice(i) : "";
  }

  /** All extensions: `[".tar", ".gz"]`. */
  get suffixes(): string[] {
    const name = this.name;
    if (name.endsWith(".")) return [];
    const trimmed = name.replace(/^\.+/, "");
    return trimmed.split(".").slice(1).map((s) => `.${s}`);
  }

  /** The final component without its suffix. */
  get stem(): string {
    const name = this.name;
    const suffix = this.suffix;
    return suffix === "" ? name : name.slice(0, -suffix.length);
  }

  /** The logical parent (`"/"` for `"/"`, `"."` for a one-part relative path). */
  get parent(): Path {
    const p = this.#path;
    if (p === "/" || p === ".") return this;
    const i = p.lastIndexOf("/");
    if (i === -1) return new Path(".");
    return new Path(i === 0 ? "/" : p.slice(0, i));
  }

  /** Every ancestor, nearest first (`a/b/c` → `a/b`, `a`, `.`). */
  get parents(): Path[] {
    const out: Path[] = [];
    let current: Path = this;
    for (;;) {
      const parent = current.parent;
      if (parent.#path === current.#path) return out;
      out.push(parent);
      current = parent;
    }
  }

  /** This path joined with `segments` (an absolute segment restarts it). */
  joinpath(...segments: PathSegment[]): Path {
    return new Path(this.#path, ...segments);
  }

  /**
   * The path with its name replaced.
   * @throws RangeError if this path has no name or `name` is not a single component
   */
  withName(name: string): Path {
    if (this.name === "") throw new RangeError(`Path.withName(): ${JSON.stringify(this.#path)} has an empty name`);
    if (typeof name !== "string") throw new TypeError(`Path.withName(): name must be a string, got ${typeof name}`);
    if (name === "" || name === "." || name.includes("/")) throw new RangeError(`Path.withName(): invalid name ${JSON.stringify(name)}`);
    return this.parent.joinpath(name);
  }

  /** The path with its stem replaced (the suffix kept). */
  withStem(stem: string): Path {
    if (typeof stem !== "string") throw new TypeError(`Path.withStem(): stem must be a string, got ${typeof stem}`);
    return this.withName(stem + this.suffix);
  }

  /**
   * The path with its suffix replaced (`""` removes it).
   * @throws RangeError if `suffix` does not start with "." or is just "."
   */
  withSuffix(suffix: string): Path {
    if (typeof suffix !== "string") throw new TypeError(`Path.withSuffix(): suffix must be a string, got ${typeof suffix}`);
    if (suffix.includes("/") || (suffix !== "" && (!suffix.startsWith(".") || suffix === "."))) {
      throw new RangeError(`Path.withSuffix(): invalid suffix ${JSON.stringify(suffix)}`);
    }
    if (this.name === "") throw new RangeError(`Path.withSuffix(): ${JSON.stringify(this.#path)} has an empty name`);
    return this.withName(this.stem + suffix);
  }

  /**
   * This path relative to `other`; with `walkUp`, `..` parts may be used.
   * @throws RangeError if this path is not under `other` (and `walkUp` is false)
   */
  relativeTo(other: PathSegment, options?: { walkUp?: boolean }): Path {
    const base = new Path(other);
    const walkUp = checkBool(options?.walkUp, "Path.relativeTo", "walkUp", false);
    if (base.isAbsolute() !== this.isAbsolute()) {
      throw new RangeError(`Path.relativeTo(): ${JSON.stringify(this.#path)} and ${JSON.stringify(base.#path)} have different anchors`);
    }
    const mine = this.parts;
    const theirs = base.parts;
    let common = 0;
    while (common < theirs.length && common < mine.length && mine[common] === theirs[common]) common++;
    if (common < theirs.length) {
      if (!walkUp) throw new RangeError(`Path.relativeTo(): ${JSON.stringify(this.#path)} is not in the subpath of ${JSON.stringify(base.#path)}`);
      if (theirs.slice(common).includes("..")) throw new RangeError(`Path.relativeTo(): ".." segment in ${JSON.stringify(base.#path)} cannot be walked`);
    }
    const up = Array(theirs.length - common).fill("..") as string[];
    return new Path(".", ...up, ...mine.slice(common));
  }

  /** True if this path is `other` or below it. */
  isRelativeTo(other: PathSegment): boolean {
    try {
      this.relativeTo(other);
      return true;
    } catch (err) {
      if (err instanceof RangeError) return false;
      throw err;
    }
  }

  /**
   * Matches a glob pattern from the right, as `PurePath.match`: `"*.py"` matches any path
   * whose name ends in `.py`; an absolute pattern must match the whole path; `**` matches any
   * number of parts.
   */
  match(pattern: string): boolean {
    const segments = this.#patternParts(pattern, "Path.match");
    const parts = this.parts;
    if (segments[0] === "/") return matchParts(parts, segments);
    for (let start = 0; start <= parts.length; start++) {
      if (matchParts(parts.slice(start), segments)) return true;
    }
    return false;
  }

  /** Matches a glob pattern against the whole path (Python 3.13's `full_match`). */
  fullMatch(pattern: string): boolean {
    return matchParts(this.parts, this.#patternParts(pattern, "Path.fullMatch"));
  }

  #patternParts(pattern: unknown, caller: string): string[] {
    if (typeof pattern !== "string") throw new TypeError(`${caller}(): pattern must be a string, got ${pattern === null ? "null" : typeof pattern}`);
    if (pattern === "") throw new RangeError(`${caller}(): empty pattern`);
    return new Path(pattern).parts;
  }

  /** This path made absolute against the current directory (no symlinks resolved). */
  absolute(): Path {
    return this.isAbsolute() ? this : new Path(process.cwd(), this.#path);
  }

  /** `~` and `~/…` expanded to the home directory. */
  expanduser(): Path {
    const p = this.#path;
    if (p === "~" || p.startsWith("~/")) return new Path(homedir(), p.slice(2));
    return this;
  }

  // ----- disk operations -------------------------------------------------------------------

  #call<R>(caller: string, options: FsOptions | undefined, op: (signal: AbortSignal | undefined) => Promise<R>, mode: InFlight = "finish"): Promise<R> {
    return fsCall(caller, options, op, mode);
  }

  /** `stat` (following symlinks unless `followSymlinks: false`). */
  async stat(options?: FollowSymlinksOptions): Promise<Stats> {
    const follow = checkBool(options?.followSymlinks, "Path.stat", "followSymlinks", true);
    const p = this.#path;
    return this.#call("Path.stat", options, () => (follow ? stat(p) : lstat(p)));
  }

  /** `lstat`: the symlink itself. */
  async lstat(options?: FsOptions): Promise<Stats> {
    const p = this.#path;
    return this.#call("Path.lstat", options, () => lstat(p));
  }

  async #test(caller: string, options: FollowSymlinksOptions | undefined, predicate: (s: Stats | BigIntStats) => boolean, follow = true): Promise<boolean> {
    const p = this.#path;
    const doFollow = checkBool(options?.followSymlinks, caller, "followSymlinks", follow);
    try {
      return predicate(await this.#call(caller, options, () => (doFollow ? stat(p) : lstat(p))));
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  /** True if the path exists (a dangling symlink does not, unless `followSymlinks: false`). */
  async exists(options?: FollowSymlinksOptions): Promise<boolean> {
    return this.#test("Path.exists", options, () => true);
  }

  /** True for a regular file (or a symlink to one). */
  async isFile(options?: FollowSymlinksOptions): Promise<boolean> {
    return this.#test("Path.isFile", options, (s) => s.isFile());
  }

  /** True for a directory (or a symlink to one). */
  async isDir(options?: FollowSymlinksOptions): Promise<boolean> {
    return this.#test("Path.isDir", options, (s) => s.isDirectory());
  }

  /** True for a symlink. */
  async isSymlink(options?: FsOptions): Promise<boolean> {
    return this.#test("Path.isSymlink", { ...options, followSymlinks: false }, (s) => s.isSymbolicLink(), false);
  }

  /**
   * Creates the directory. `parents` creates missing ancestors; `existOk` accepts an existing
   * directory (never an existing file).
   *
   * @example
   * ```ts
   * await new Path("out/logs").mkdir({ parents: true, existOk: true });
   * ```
   */
  async mkdir(options?: MkdirOptions): Promise<void> {
    const mode = checkPermissions(options?.mode, "Path.mkdir", "options.mode", 0o777);
    const parents = checkBool(options?.parents, "Path.mkdir", "parents", false);
    const existOk = checkBool(options?.existOk, "Path.mkdir", "existOk", false);
    const p = this.#path;
    try {
      await this.#call("Path.mkdir", options, () => mkdir(p, { mode }));
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === "ENOENT" && parents && this.parent.#path !== p) {
        await this.parent.mkdir({ ...options, parents: true, existOk: true });
        await this.mkdir({ ...options, parents: false, existOk });
        return;
      }
      if (code === "EEXIST" && existOk && (await this.isDir(options))) return;
      throw err;
    }
  }

  /** Removes the (empty) directory. */
  async rmdir(options?: FsOptions): Promise<void> {
    const p = this.#path;
    return this.#call("Path.rmdir", options, () => rmdir(p));
  }

  /** Removes the file or symlink; `missingOk` ignores a missing one. */
  async unlink(options?: FsOptions & { missingOk?: boolean }): Promise<void> {
    const missingOk = checkBool(options?.missingOk, "Path.unlink", "missingOk", false);
    const p = this.#path;
    try {
      await this.#call("Path.unlink", options, () => unlink(p));
    } catch (err) {
      if (missingOk && (err as { code?: string }).code === "ENOENT") return;
      throw err;
    }
  }

  /** Renames to `target` (replacing an existing file on POSIX) and returns the new path. */
  async rename(target: PathSegment, options?: FsOptions): Promise<Path> {
    const to = new Path(target);
    const p = this.#path;
    await this.#call("Path.rename", options, () => rename(p, to.#path));
    return to;
  }

  /** Renames to `target`, replacing it if it exists; returns the new path. */
  async replace(target: PathSegment, options?: FsOptions): Promise<Path> {
    return this.rename(target, options);
  }

  /**
   * The absolute path with symlinks resolved. Non-strict (default): the part that does not
   * exist is appended as is; `strict: true` throws `ENOENT` instead.
   */
  async resolve(options?: FsOptions & { strict?: boolean }): Promise<Path> {
    const strict = checkBool(options?.strict, "Path.resolve", "strict", false);
    const absolute = nodePath.resolve(this.#path);
    try {
      return new Path(await this.#call("Path.resolve", options, () => realpath(absolute)));
    } catch (err) {
      if (strict || (err as { code?: string }).code !== "ENOENT") throw err;
      const me = new Path(absolute);
      if (me.parent.#path === me.#path) throw err;
      return (await me.parent.resolve(options)).joinpath(me.name);
    }
  }

  /**
   * The file's contents. Cancellation aborts the read (Node's `readFile` takes a signal).
   *
   * @example
   * ```ts
   * const bytes = await new Path("logo.png").readBytes();
   * ```
   */
  async readBytes(options?: FsOptions): Promise<Uint8Array> {
    const p = this.#path;
    return await this.#call("Path.readBytes", options, (signal) => readFile(p, { signal }), "abort");
  }

  /**
   * The file's text, decoded (`encoding` default utf-8) with universal newlines unless
   * `newline` says otherwise, as Python's `read_text`. Cancellation aborts the read.
   */
  async readText(options?: FsOptions & TextModeOptions): Promise<string> {
    const encoding = checkEncoding(options?.encoding, "Path.readText");
    const errors = checkErrors(options?.errors, "Path.readText");
    const newline = checkNewline(options?.newline, "Path.readText");
    const bytes = await this.readBytes(options);
    const text =
      encoding === "latin1"
        ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1")
        : new TextDecoder(encoding, { fatal: errors === "strict", ignoreBOM: true }).decode(bytes);
    return newline === undefined || newline === null ? translateNewlines(text) : text;
  }

  /**
   * Replaces the file's contents with `data` (creating it). Not aborted by cancellation once
   * started: the write is never left half-done. Returns the number of bytes.
   */
  async writeBytes(data: Uint8Array, options?: FsOptions): Promise<number> {
    if (!(data instanceof Uint8Array)) throw new TypeError(`Path.writeBytes(): data must be a Uint8Array, got ${data === null ? "null" : typeof data}`);
    const p = this.#path;
    await this.#call("Path.writeBytes", options, () => writeFile(p, data));
    return data.byteLength;
  }

  /**
   * Replaces the file's contents with `data` encoded (`encoding` default utf-8; `newline`
   * `"\r\n"` or `"\r"` translates `\n`). Returns the number of characters.
   *
   * @example
   * ```ts
   * await new Path("hello.txt").writeText("hello\n");
   * ```
   */
  async writeText(data: string, options?: FsOptions & TextModeOptions): Promise<number> {
    if (typeof data !== "string") throw new TypeError(`Path.writeText(): data must be a string, got ${data === null ? "null" : typeof data}`);
    const encoding = checkEncoding(options?.encoding, "Path.writeText");
    const newline = checkNewline(options?.newline, "Path.writeText");
    await this.writeBytes(encodeText(data, encoding, newline), options);
    return data.length;
  }

  /** Creates the file if missing, else updates its times (`existOk: false` makes an existing file an `EEXIST` error). */
  async touch(options?: FsOptions & { mode?: number; existOk?: boolean }): Promise<void> {
    const mode = checkPermissions(options?.mode, "Path.touch", "options.mode", 0o666);
    const existOk = checkBool(options?.existOk, "Path.touch", "existOk", true);
    const p = this.#path;
    await this.#call("Path.touch", options, async () => {
      if (existOk) {
        try {
          const now = new Date();
          await utimes(p, now, now);
          return;
        } catch {
          // Missing (or not ours to touch): fall through to creating it, which reports real errors.
        }
      }
      const flags = constants.O_CREAT | constants.O_WRONLY | (existOk ? 0 : constants.O_EXCL);
      const handle = await fsOpen(p, flags, mode);
      await handle.close();
    });
  }

  /** Changes the permission bits. */
  async chmod(mode: number, options?: FsOptions): Promise<void> {
    const bits = checkPermissions(mode, "Path.chmod", "mode", 0);
    const p = this.#path;
    return this.#call("Path.chmod", options, () => chmod(p, bits));
  }

  /** Makes this path a symlink pointing to `target` (stored as given, relative or not). */
  async symlinkTo(target: PathSegment, options?: FsOptions & { targetIsDirectory?: boolean }): Promise<void> {
    const to = segmentString(target, "Path.symlinkTo");
    const type = options?.targetIsDirectory === true ? "dir" : "file";
    const p = this.#path;
    return this.#call("Path.symlinkTo", options, () => symlink(to, p, type));
  }

  /** Makes this path a hard link to `target`. */
  async hardlinkTo(target: PathSegment, options?: FsOptions): Promise<void> {
    const to = new Path(target);
    const p = this.#path;
    return this.#call("Path.hardlinkTo", options, () => link(to.#path, p));
  }

  /** Where the symlink points. */
  async readlink(options?: FsOptions): Promise<Path> {
    const p = this.#path;
    return new Path(await this.#call("Path.readlink", options, () => readlink(p)));
  }

  /** True if both paths are the same file (same device and inode). */
  async samefile(other: PathSegment, options?: FsOptions): Promise<boolean> {
    const a = await this.stat(options);
    const b = await new Path(other).stat(options);
    return a.dev === b.dev && a.ino === b.ino;
  }

  /**
   * Copies this file or directory tree to `target` and returns `target` (Python 3.14's
   * `Path.copy`): a file overwrites an existing file; a directory fails with `EEXIST` on an
   * existing one unless `dirsExistOk`.
   *
   * @example
   * ```ts
   * await new Path("src").copy("backup/src");
   * ```
   */
  async copy(target: PathSegment, options?: CopyOptions): Promise<Path> {
    const follow = checkBool(options?.followSymlinks, "Path.copy", "followSymlinks", true);
    const dirsExistOk = checkBool(options?.dirsExistOk, "Path.copy", "dirsExistOk", false);
    const preserve = checkBool(options?.preserveMetadata, "Path.copy", "preserveMetadata", false);
    const to = new Path(target);
    const src = this.#path;
    const dst = to.#path;
    const info = await this.stat({ ...options, followSymlinks: follow });
    if (info.isSymbolicLink()) {
      const linkTarget = await this.#call("Path.copy", options, () => readlink(src));
      await this.#call("Path.copy", options, () => symlink(linkTarget, dst));
    } else if (info.isDirectory()) {
      await this.#call("Path.copy", options, async () => {
        if (!dirsExistOk) await mkdir(dst); // EEXIST if it is there, as Python
        await cp(src, dst, { recursive: true, force: true, ...(follow ? { dereference: true } : { verbatimSymlinks: true }), preserveTimestamps: preserve, errorOnExist: false });
      });
    } else {
      await this.#call("Path.copy", options, async () => {
        await copyFile(src, dst);
        if (preserve) {
          await chmod(dst, info.mode & 0o7777);
          await utimes(dst, info.atime, info.mtime);
        }
      });
    }
    return to;
  }

  /** Moves to `target` (rename, or copy and delete across file systems) and returns it. */
  async move(target: PathSegment, options?: FsOptions): Promise<Path> {
    const to = new Path(target);
    try {
      return await this.rename(to, options);
    } catch (err) {
      if ((err as { code?: string }).code !== "EXDEV") throw err;
    }
    await this.copy(to, { ...options, followSymlinks: false, preserveMetadata: true });
    const p = this.#path;
    await this.#call("Path.move", options, () => rm(p, { recursive: true, force: true }));
    return to;
  }

  /**
   * Opens the file (see {@link openFile}).
   *
   * @example
   * ```ts
   * await using f = await new Path("log.txt").open("a");
   * await f.write("line\n");
   * ```
   */
  async open<M extends OpenMode = "r">(mode?: M, options?: OpenFileOptions): Promise<AsyncFile<DataOf<M>>> {
    return openFile(this, mode, options);
  }

  /**
   * Yields the entries of this directory (sorted by name, so results are reproducible; Python
   * leaves the order to the OS). The directory is listed in one call when iteration starts.
   *
   * @example
   * ```ts
   * for await (const child of new Path(".").iterdir()) console.log(child.name);
   * ```
   */
  async *iterdir(options?: FsOptions): AsyncGenerator<Path, void, undefined> {
    const p = this.#path;
    const names = await this.#call("Path.iterdir", options, () => readdir(p));
    names.sort();
    for (const name of names) yield this.joinpath(name);
  }

  /**
   * Yields the paths below this directory that match a relative glob pattern (`*`, `?`, `[…]`,
   * `**` for any depth; a trailing `/` matches directories only), in sorted order. `**` does
   * not follow symlinks.
   *
   * @example
   * ```ts
   * for await (const p of new Path("src").glob("**\/*.ts")) console.log(p.toString());
   * ```
   */
  async *glob(pattern: string, options?: FsOptions): AsyncGenerator<Path, void, undefined> {
    const segments = patternSegments(pattern, "Path.glob");
    if (!segments.some(hasMagic) && !segments.includes("**")) {
      // No magic: just whether that one path exists (as pathlib does).
      const candidate = this.joinpath(segments.join("/"));
      if (await candidate.exists({ ...options, followSymlinks: false })) {
        if (segments[segments.length - 1] !== "" || (await candidate.isDir(options))) yield candidate;
      }
      return;
    }
    for await (const p of globWalk(this.#path, segments, options)) yield new Path(p);
  }

  /** `glob("**\/" + pattern)`: matches at any depth. */
  rglob(pattern: string, options?: FsOptions): AsyncGenerator<Path, void, undefined> {
    patternSegments(pattern, "Path.rglob");
    return this.glob(`**/${pattern}`, options);
  }

  /**
   * Walks the tree below this directory like Python's `Path.walk`: yields `[dirpath,
   * dirnames, filenames]` top-down (default; edit `dirnames` in place to prune the walk) or
   * bottom-up. Names are sorted. Symlinks to directories are listed among the files and not
   * followed unless `followSymlinks`. Listing errors go to `onError` or are ignored.
   *
   * @example
   * ```ts
   * for await (const [dir, dirs, files] of new Path("src").walk()) {
   *   dirs.splice(0, dirs.length, ...dirs.filter((d) => d !== "node_modules"));
   *   for (const f of files) console.log(dir.joinpath(f).toString());
   * }
   * ```
   */
  async *walk(options?: WalkOptions): AsyncGenerator<WalkEntry, void, undefined> {
    const topDown = checkBool(options?.topDown, "Path.walk", "topDown", true);
    const follow = checkBool(options?.followSymlinks, "Path.walk", "followSymlinks", false);
    const onError = options?.onError;
    if (onError !== undefined && typeof onError !== "function") throw new TypeError(`Path.walk(): options.onError must be a function, got ${typeof onError}`);
    yield* this.#walk(topDown, follow, onError, options);
  }

  async *#walk(
    topDown: boolean,
    follow: boolean,
    onError: ((error: unknown) => void) | undefined,
    options: FsOptions | undefined,
  ): AsyncGenerator<WalkEntry, void, undefined> {
    const p = this.#path;
    let entries;
    try {
      entries = await this.#call("Path.walk", options, () => readdir(p, { withFileTypes: true }));
    } catch (err) {
      if (typeof (err as { code?: unknown }).code !== "string") throw err;
      onError?.(err);
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const dirnames: string[] = [];
    const filenames: string[] = [];
    for (const e of entries) {
      let dir = e.isDirectory();
      if (!dir && follow && e.isSymbolicLink()) dir = await this.joinpath(e.name).isDir(options);
      (dir ? dirnames : filenames).push(e.name);
    }
    if (topDown) {
      yield [this, dirnames, filenames];
      for (const name of dirnames) yield* this.joinpath(name).#walk(topDown, follow, onError, options);
    } else {
      for (const name of dirnames) yield* this.joinpath(name).#walk(topDown, follow, onError, options);
      yield [this, dirnames, filenames];
    }
  }
}
