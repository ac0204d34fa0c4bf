/**
 * What the functions of this package accept as a file name.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { fileURLToPath } from "node:url";

/** Brand carried by {@link Path} so other modules recognise it without importing it. */
export const PATH_BRAND: unique symbol = Symbol.for("anyio.fs.Path");

/** Anything carrying the {@link PATH_BRAND}: a `Path`. */
export interface PathBranded {
  readonly [PATH_BRAND]: string;
}

/** A file name: a string, a `Path`, a `file:` URL or raw bytes (`Uint8Array`). */
export type PathLike = string | PathBranded | URL | Uint8Array;

/** Converts a {@link PathLike} into what `node:fs` takes; a TypeError names `argument` otherwise. */
export function toFsPath(path: unknown, caller: string, argument = "path"): string | Buffer {
  if (typeof path === "string") {
    if (path.length === 0) throw new RangeError(`${caller}(): ${argument} must not be empty`);
    return path;
  }
  if (typeof path === "object" && path !== null) {
    const branded = (path as Partial<PathBranded>)[PATH_BRAND];
    if (typeof branded === "string") return branded;
    if (path instanceof URL) return fileURLToPath(path);
    if (path instanceof Uint8Array) return Buffer.from(path.buffer, path.byteOffset, path.byteLength);
  }
  throw new TypeError(`${caller}(): ${argument} must be a string, Path, file: URL or Uint8Array, got ${path === null ? "null" : typeof path === "object" ? ((path as object).constructor?.name ?? "object") : typeof path}`);
}

/** The file name as a string, for attributes and messages. */
export function fsPathString(path: string | Buffer): string {
  return typeof path === "string" ? path : path.toString();
}
