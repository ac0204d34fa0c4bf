/**
 * Typed attributes of the file streams.
 *
 * @module
 */
import type { FileHandle } from "node:fs/promises";
import { typedAttribute } from "@anyio/core";

/**
 * Attributes of {@link FileReadStream} and {@link FileWriteStream}, as AnyIO's
 * `FileStreamAttribute`: the open `FileHandle`, the path (when the stream was opened from one)
 * and the file descriptor.
 *
 * @example
 * ```ts
 * const stream = await FileReadStream.fromPath("data.bin");
 * console.log(stream.extra(FileStreamAttribute.path), stream.extra(FileStreamAttribute.fileno));
 * ```
 */
export const FileStreamAttribute = {
  /** The open `FileHandle` of `node:fs/promises`. */
  file: typedAttribute<FileHandle>("FileStreamAttribute.file"),
  /** The path the stream was opened from (absent when made from a handle). */
  path: typedAttribute<string>("FileStreamAttribute.path"),
  /** The file descriptor. */
  fileno: typedAttribute<number>("FileStreamAttribute.fileno"),
} as const;
