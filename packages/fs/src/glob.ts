/**
 * Glob patterns of `Path.glob()`, `Path.rglob()` and `Path.match()`: Python's `fnmatch`
 * segments plus `**` for any number of directories.
 *
 * @module
 */
import { type Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { fsCall } from "./fs-call.js";
import type { FsOptions } from "./limiter.js";

const cache = new Map<string, RegExp>();

/**
 * Compiles one path segment of a pattern (`*`, `?`, `[abc]`, `[!a-z]`; no `/`) to a RegExp,
 * as Python's `fnmatch.translate` does. Case-sensitive (POSIX).
 */
export function segmentRegExp(segment: string): RegExp {
  let re = cache.get(segment);
  if (re !== undefined) return re;
  let src = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === "*") src += "[^/]*";
    else if (c === "?") src += "[^/]";
    else if (c === "[") {
      let j = i + 1;
      if (segment[j] === "!") j++;
      if (segment[j] === "]") j++;
      const end = segment.indexOf("]", j);
      if (end === -1) {
        src += "\\[";
        continue;
      }
      let body = segment.slice(i + 1, end);
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      body = body.replace(/[\\\]^]/g, (m) => "\\" + m);
      src += negate ? `[^/${body}]` : `[${body}]`;
      i = end;
    } else src += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  re = new RegExp(`^${src}$`, "s");
  if (cache.size > 256) cache.clear();
  cache.set(segment, re);
  return re;
}

/** True if `segment` has glob magic. */
export function hasMagic(segment: string): boolean {
  return /[*?[]/.test(segment);
}

/** Splits a relative pattern into segments, validating it. */
export function patternSegments(pattern: unknown, caller: string): string[] {
  if (typeof pattern !== "string") throw new TypeError(`${caller}(): pattern must be a string, got ${pattern === null ? "null" : typeof pattern}`);
  if (pattern.length === 0) throw new RangeError(`${caller}(): unacceptable pattern: ""`);
  if (pattern.startsWith("/")) throw new RangeError(`${caller}(): non-relative patterns are unsupported: ${JSON.stringify(pattern)}`);
  const parts = pattern.split("/").filter((p, i, all) => p !== "." && (p !== "" || i === all.length - 1));
  return parts;
}

function joinDir(dir: string, name: string): string {
  if (dir === ".") return name;
  return dir.endsWith("/") ? dir + name : `${dir}/${name}`;
}

async function listDir(dir: string, options: FsOptions | undefined): Promise<Dirent[] | null> {
  try {
    const entries = await fsCall("Path.glob", options, () => readdir(dir, { withFileTypes: true }));
    // Sorted, unlike Python (directory order is arbitrary), so results are reproducible.
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return entries;
  } catch (err) {
    const code = (err as { code?: string }).code;
    // As Python: unreadable or vanished directories are skipped silently.
    if (code === "ENOENT" || code === "ENOTDIR" || code === "EACCES" || code === "EPERM" || code === "ELOOP") return null;
    throw err;
  }
}

/**
 * Yields the paths under `dir` matching `segments` (already split), in sorted order.
 * `**` matches this directory and every directory below it (symlinks not followed); a trailing
 * empty segment (pattern ending in `/`) matches directories only.
 */
export async function* globWalk(
  dir: string,
  segments: readonly string[],
  options: FsOptions | undefined,
): AsyncGenerator<string, void, undefined> {
  const seen = segments.filter((s) => s === "**").length > 1 ? new Set<string>() : null;
  for await (const p of walkFrom(dir, segments, 0, options)) {
    if (seen !== null) {
      if (seen.has(p)) continue;
      seen.add(p);
    }
    yield p;
  }
}

async function* walkFrom(dir: string, segments: readonly string[], index: number, options: FsOptions | undefined): AsyncGenerator<string, void, undefined> {
  const segment = segments[index]!;
  const last = index === segments.length - 1;
  if (segment === "") {
    // Trailing "/": the directory itself, since the caller only gets here through a directory.
    yield dir.endsWith("/") ? dir : `${dir}/`;
    return;
  }
  if (segment === "**") {
    if (last) {
      // Python 3.13: a final "**" yields the directory tree and the files in it.
      yield* allBelow(dir, options, true);
      return;
    }
    // Zero directories: the rest of the pattern applies here; then in every subdirectory.
    yield* walkFrom(dir, segments, index + 1, options);
    const entries = await listDir(dir, options);
    if (entries === null) return;
    for (const e of entries) {
      if (e.isDirectory()) yield* walkFrom(joinDir(dir, e.name), segments, index, options);
    }
    return;
  }
  const entries = await listDir(dir, options);
  if (entries === null) return;
  const re = segmentRegExp(segment);
  for (const e of entries) {
    if (!re.test(e.name)) continue;
    const p = joinDir(dir, e.name);
    if (last) yield p;
    // Plain segments follow symlinks to directories, as pathlib does; "**" does not.
    else if (e.isDirectory() || (e.isSymbolicLink() && (await isDirFollowing(p, options)))) yield* walkFrom(p, segments, index + 1, options);
  }
}

async function isDirFollowing(p: string, options: FsOptions | undefined): Promise<boolean> {
  try {
    return (await fsCall("Path.glob", options, () => stat(p))).isDirectory();
  } catch (err) {
    // A dangling link is no directory; anything that is not a file-system error (Cancelled…) goes on.
    if (typeof (err as { code?: unknown }).code === "string") return false;
    throw err;
  }
}

async function* allBelow(dir: string, options: FsOptions | undefined, includeSelf: boolean): AsyncGenerator<string, void, undefined> {
  if (includeSelf) yield dir.endsWith("/") ? dir : `${dir}/`;
  const entries = await listDir(dir, options);
  if (entries === null) return;
  for (const e of entries) {
    const p = joinDir(dir, e.name);
    if (e.isDirectory()) {
      yield p;
      yield* allBelow(p, options, false);
    } else yield p;
  }
}

/**
 * Matches path parts against pattern parts from the right (Python's `PurePath.match`):
 * a relative pattern matches the tail of the path, an absolute one the whole path. `**`
 * matches any number of parts (Python 3.13's `full_match` semantics).
 */
export function matchParts(parts: readonly string[], pattern: readonly string[]): boolean {
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let result: boolean;
    if (j === pattern.length) result = i === parts.length;
    else if (pattern[j] === "**") result = go(i, j + 1) || (i < parts.length && go(i + 1, j));
    else result = i < parts.length && segmentRegExp(pattern[j]!).test(parts[i]!) && go(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}
