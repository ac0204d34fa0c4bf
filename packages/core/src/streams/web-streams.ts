/**
 * Adapters between anyio-ts streams and WHATWG streams (`ReadableStream`/`WritableStream`),
 * both ways, with backpressure kept and cancellation mapped onto the other side.
 *
 * @module
 */
import { awaitCancellable } from "../await-cancellable.js";
import { currentSignal, describe, type WaitOptions } from "../context.js";
import { BrokenResourceError, BusyResourceError, ClosedResourceError, EndOfStream, isCancelled } from "../errors.js";
import { ByteReceiveStreamBase, checkBytes, checkMaxBytes, ObjectReceiveStreamBase, receiveFrom } from "./bases.js";
import type { AnyByteReceiveStream, AnyByteSendStream, ByteSendStream, ObjectReceiveStream, ObjectSendStream } from "./interfaces.js";
import { AsyncResourceBase } from "./resource.js";

type Read<T> = ReadableStreamReadResult<T>;

/** The reading side shared by the byte and object adapters: one read in flight, never lost. */
class ReaderState<T> {
  readonly reader: ReadableStreamDefaultReader<T>;
  /** A read whose receive() was cancelled: its result goes to the next receive(). */
  pending: Promise<Read<T>> | null = null;
  busy = false;
  closed = false;

  constructor(readable: ReadableStream<T>, owner: string) {
    if (readable === null || typeof readable !== "object" || typeof (readable as { getReader?: unknown }).getReader !== "function") {
      throw new TypeError(`${owner}(): readable must be a ReadableStream, got ${describe(readable)}`);
    }
    this.reader = readable.getReader();
  }

  async next(options: WaitOptions | undefined): Promise<T> {
    if (this.closed) throw new ClosedResourceError();
    if (this.busy) throw new BusyResourceError("receiving from");
    this.busy = true;
    try {
      const read = (this.pending ??= this.reader.read());
      let result: Read<T>;
      try {
        result = await awaitCancellable(read, options);
      } catch (err) {
        if (isCancelled(err)) throw err; // keep `pending` for the next receive()
        this.pending = null;
        throw new BrokenResourceError("the readable stream errored", { cause: err });
      }
      this.pending = null;
      // aclose() from another task cancels the reader, which ends this read as "done".
      if (this.closed) throw new ClosedResourceError();
      if (result.done) throw new EndOfStream();
      return result.value;
    } finally {
      this.busy = false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.reader.cancel().catch(() => undefined);
    this.reader.releaseLock();
  }
}

/**
 * A `ByteReceiveStream` reading a `ReadableStream<Uint8Array>`. A cancelled `receive()` loses
 * nothing: the read it started is handed to the next call. `aclose()` cancels the readable.
 *
 * @example
 * ```ts
 * const response = await fetch(url, { signal: currentSignal() });
 * for await (const chunk of new ReadableByteReceiveStream(response.body!)) total += chunk.length;
 * ```
 */
export class ReadableByteReceiveStream extends ByteReceiveStreamBase {
  readonly #state: ReaderState<Uint8Array>;
  #leftover: Uint8Array | null = null;

  constructor(readable: ReadableStream<Uint8Array>) {
    super();
    this.#state = new ReaderState(readable, "ReadableByteReceiveStream");
  }

  async receive(maxBytes?: number, options?: WaitOptions): Promise<Uint8Array> {
    const max = checkMaxBytes(maxBytes);
    let chunk = this.#leftover;
    this.#leftover = null;
    while (chunk === null || chunk.byteLength === 0) chunk = checkBytes(await this.#state.next(options), "chunk");
    if (chunk.byteLength > max) {
      this.#leftover = chunk.subarray(max);
      chunk = chunk.subarray(0, max);
    }
    return chunk;
  }

  aclose(): Promise<void> {
    return this.#state.close();
  }
}

/**
 * An `ObjectReceiveStream<T>` reading a `ReadableStream<T>`.
 *
 * @example
 * ```ts
 * const events = new ReadableObjectReceiveStream(readableOfEvents);
 * for await (const event of events) handle(event);
 * ```
 */
export class ReadableObjectReceiveStream<T> extends ObjectReceiveStreamBase<T> {
  readonly #state: ReaderState<T>;

  constructor(readable: ReadableStream<T>) {
    super();
    this.#state = new ReaderState(readable, "ReadableObjectReceiveStream");
  }

  /** Reads the next chunk of the `ReadableStream`; `EndOfStream` when it is done. */
  receive(options?: WaitOptions): Promise<T> {
    return this.#state.next(options);
  }

  aclose(): Promise<void> {
    return this.#state.close();
  }
}

/**
 * A send stream writing to a `WritableStream<T>`: `send()` waits (cancellably) for the writable
 * to be ready — backpressure — then hands the chunk over; a cancelled send wrote nothing.
 * An error of the writable surfaces as `BrokenResourceError` on the next send.
 *
 * @example
 * ```ts
 * const out = new WritableSendStream(writable);
 * await out.send(new TextEncoder().encode("hi"));
 * await out.aclose();
 * ```
 */
export class WritableSendStream<T = Uint8Array> extends AsyncResourceBase implements ObjectSendStream<T>, ByteSendStream {
  readonly #writer: WritableStreamDefaultWriter<T>;
  #closed = false;
  #busy = false;
  #error: unknown = undefined;
  #failed = false;

  constructor(writable: WritableStream<T>) {
    super();
    if (writable === null || typeof writable !== "object" || typeof (writable as { getWriter?: unknown }).getWriter !== "function") {
      throw new TypeError(`WritableSendStream(): writable must be a WritableStream, got ${describe(writable)}`);
    }
    this.#writer = writable.getWriter();
  }

  /** Writes `item`, waiting (cancellably) for the writable's backpressure. */
  async send(item: T & Uint8Array, options?: WaitOptions): Promise<void>;
  /** Writes `item`, waiting (cancellably) for the writable's backpressure. */
  async send(item: T, options?: WaitOptions): Promise<void>;
  async send(item: T, options?: WaitOptions): Promise<void> {
    if (this.#closed) throw new ClosedResourceError();
    if (this.#failed) throw new BrokenResourceError("the writable stream errored", { cause: this.#error });
    if (this.#busy) throw new BusyResourceError("sending to");
    this.#busy = true;
    try {
      await awaitCancellable(this.#writer.ready, options).catch((err: unknown) => {
        if (isCancelled(err)) throw err;
        this.#fail(err);
        throw new BrokenResourceError("the writable stream errored", { cause: err });
      });
      this.#writer.write(item).catch((err: unknown) => this.#fail(err));
    } finally {
      this.#busy = false;
    }
  }

  #fail(err: unknown): void {
    if (!this.#failed) {
      this.#failed = true;
      this.#error = err;
    }
  }

  /**
   * Closes the writable after what was already sent. It does not wait for the sink to drain:
   * a sink with backpressure (a TransformStream nobody reads yet) would never let it return.
   */
  async aclose(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    // Errors of a writable that already failed are reported by send(); closing is done anyway.
    this.#writer.close().catch(() => undefined);
    this.#writer.releaseLock();
  }
}

/** Options of {@link toReadableStream} / {@link toWritableStream}. */
export interface WebStreamAdapterOptions extends WaitOptions {
  /** Backpressure: how many chunks the web stream may buffer (default 1). */
  highWaterMark?: number;
}

/**
 * A `ReadableStream` pulling from an anyio-ts receive stream. Each pull receives once (so the
 * web stream's consumer drives the pace); cancelling the readable closes the source. Pulls run
 * in the context given by `options` (or the ambient one of the task that created it).
 *
 * @example
 * ```ts
 * const body = toReadableStream(stream);
 * return new Response(body);
 * ```
 */
export function toReadableStream<T = Uint8Array>(
  source: ObjectReceiveStream<T> | AnyByteReceiveStream,
  options?: WebStreamAdapterOptions,
): ReadableStream<T> {
  const context = captureContext(options);
  return new ReadableStream<T>(
    {
      async pull(controller) {
        try {
          const item = await receiveFrom(source as AnyByteReceiveStream, 65_536, context);
          controller.enqueue(item as T);
        } catch (err) {
          if (err instanceof EndOfStream) controller.close();
          else controller.error(err);
        }
      },
      cancel() {
        return source.aclose();
      },
    },
    { highWaterMark: options?.highWaterMark ?? 1 },
  );
}

/**
 * A `WritableStream` sending into an anyio-ts send stream; each write waits for `send()` (so
 * the writer sees backpressure), closing or aborting it closes the target.
 *
 * @example
 * ```ts
 * await readable.pipeTo(toWritableStream(socketStream));
 * ```
 */
export function toWritableStream<T = Uint8Array>(
  target: ObjectSendStream<T> | AnyByteSendStream,
  options?: WebStreamAdapterOptions,
): WritableStream<T> {
  const context = captureContext(options);
  return new WritableStream<T>(
    {
      write(chunk) {
        return (target as ObjectSendStream<T>).send(chunk, context);
      },
      close() {
        return target.aclose();
      },
      abort() {
        return target.aclose();
      },
    },
    { highWaterMark: options?.highWaterMark ?? 1 },
  );
}

/**
 * Web stream callbacks run outside our tasks' async context, so the adapters pin the context at
 * creation: the explicit one from options, else the creator's current cancel scope.
 */
function captureContext(options: WaitOptions | undefined): WaitOptions | undefined {
  if (options?.signal !== undefined) return { signal: options.signal };
  try {
    return { signal: currentSignal() };
  } catch {
    return undefined;
  }
}
