export { AsyncFile, openFile, wrapFile, SEEK_CUR, SEEK_END, SEEK_SET, type OpenFileOptions, type WrapFileOptions } from "./async-file.js";
export { Path, type CopyOptions, type FollowSymlinksOptions, type MkdirOptions, type PathSegment, type WalkEntry, type WalkOptions } from "./path.js";
export type { FsLimiter, FsOptions } from "./limiter.js";
export type { BinaryMode, DataOf, OpenMode } from "./mode.js";
export type { PathLike } from "./path-like.js";
export type { DecodeErrors, Newline, TextEncoding, TextModeOptions } from "./text-codec.js";
export { FileReadStream, FileWriteStream, type FileStreamOptions } from "./file-streams.js";
export { FileStreamAttribute } from "./file-stream-attribute.js";
export {
  TemporaryDirectory,
  mkdtemp,
  namedTemporaryFile,
  temporaryFile,
  type TemporaryFileOptions,
  type TemporaryNameOptions,
} from "./temporary.js";
