/**
 * A reusable conformance kit for byte streams (Trio's `check_two_way_stream`): every
 * `ByteStream` implementation in the repository runs it against a connected pair.
 *
 * @module
 */
import {
  type ByteStream,
  BrokenResourceError,
  BusyResourceError,
  CancelScope,
  ClosedResourceError,
  EndOfStream,
  checkpoint,
  run,
  waitAllTasksBlocked,
  withTaskGroup,
} from "@anyio/core";
import { assert, assertEqual, assertRejects } from "./assertions.js";
import type { ConformanceCase } from "./conformance-case.js";

/** Makes a connected pair of streams; called inside a running task. */
export type StreamPairFactory = () => Promise<readonly [ByteStream, ByteStream]>;

/** What the implementation under test supports. */
export interface ByteStreamKitOptions {
  /** `sendEof()` half-closes (the reply can still be read). Default true. */
  halfClose?: boolean;
  /** Bytes for the bulk-transfer case (default 1 MiB). */
  bulkBytes?: number;
}

function pattern(size: number, seed = 7): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

async function receiveAll(stream: ByteStream, size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let got = 0;
  while (got < size) {
    const chunk = await stream.receive();
    assert(chunk.byteLength > 0, "receive() never returns an empty chunk");
    assert(got + chunk.byteLength <= size, "no more bytes than were sent");
    out.set(chunk, got);
    got += chunk.byteLength;
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The kit's cases for one implementation, ready for `runConformance(..., { cases })` or
 * `conformanceTests(name, make, cases)`.
 *
 * @example
 * ```ts
 * conformanceTests("tcp", () => nativeBackend(), byteStreamCases("tcp", async () => {
 *   const listener = …; const client = await connectTcp("127.0.0.1", port); …
 *   return [client, server];
 * }));
 * ```
 */
export function byteStreamCases(name: string, makePair: StreamPairFactory, options: ByteStreamKitOptions = {}): ConformanceCase[] {
  const halfClose = options.halfClose ?? true;
  const bulk = options.bulkBytes ?? 1 << 20;
  const group = `byte stream: ${name}`;
  const withPair =
    (body: (a: ByteStream, b: ByteStream) => Promise<void>): ConformanceCase["run"] =>
    (make) =>
      run(async () => {
        const [a, b] = await makePair();
        try {
          await body(a, b);
        } finally {
          await a.aclose();
          await b.aclose();
        }
      }, { backend: make() });

  const cases: Record<string, ConformanceCase["run"]> = {
    "bytes arrive intact and in order, in both directions at once": withPair(async (a, b) => {
      const ab = pattern(bulk, 1);
      const ba = pattern(bulk, 2);
      let gotAb: Uint8Array = new Uint8Array(0);
      let gotBa: Uint8Array = new Uint8Array(0);
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          for (let i = 0; i < ab.byteLength; i += 10_000) await a.send(ab.subarray(i, i + 10_000));
        });
        tg.startSoon(async () => {
          for (let i = 0; i < ba.byteLength; i += 7_000) await b.send(ba.subarray(i, i + 7_000));
        });
        tg.startSoon(async () => void (gotAb = await receiveAll(b, ab.byteLength)));
        tg.startSoon(async () => void (gotBa = await receiveAll(a, ba.byteLength)));
      });
      assert(sameBytes(gotAb, ab), "a → b intact");
      assert(sameBytes(gotBa, ba), "b → a intact");
    }),

    "receive(maxBytes) returns at most maxBytes and rejects maxBytes < 1": withPair(async (a, b) => {
      await a.send(new Uint8Array([1, 2, 3, 4, 5]));
      const first = await b.receive(2);
      assert(first.byteLength >= 1 && first.byteLength <= 2, `got ${first.byteLength} bytes`);
      await assertRejects(() => b.receive(0), RangeError, "receive(0)");
    }),

    "closing the sending side ends the peer's receive with EndOfStream after the data": withPair(async (a, b) => {
      await a.send(new Uint8Array([9, 9, 9]));
      await a.aclose();
      assert(sameBytes(await receiveAll(b, 3), new Uint8Array([9, 9, 9])), "data before EOF");
      await assertRejects(() => b.receive(), EndOfStream, "then EndOfStream");
    }),

    "using a stream after closing it throws ClosedResourceError": withPair(async (a) => {
      await a.aclose();
      await assertRejects(() => a.send(new Uint8Array([1])), ClosedResourceError, "send after close");
      await assertRejects(() => a.receive(), ClosedResourceError, "receive after close");
      await a.aclose(); // idempotent
    }),

    "closing a stream wakes a receive blocked in another task with ClosedResourceError": withPair(async (a) => {
      let error: unknown;
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          try {
            await a.receive();
          } catch (err) {
            error = err;
          }
        });
        await waitAllTasksBlocked();
        await a.aclose();
      });
      assert(error instanceof ClosedResourceError, `got ${String(error)}`);
    }),

    "a second concurrent receive throws BusyResourceError": withPair(async (a, b) => {
      let error: unknown;
      await withTaskGroup(async (tg) => {
        tg.startSoon(() => b.receive());
        await waitAllTasksBlocked();
        try {
          await b.receive();
        } catch (err) {
          error = err;
        }
        await a.send(new Uint8Array([1]));
      });
      assert(error instanceof BusyResourceError, `got ${String(error)}`);
    }),

    "a cancelled receive loses no data": withPair(async (a, b) => {
      const scope = new CancelScope();
      await scope.run(async () => {
        await withTaskGroup(async (tg) => {
          tg.startSoon(() => b.receive());
          await waitAllTasksBlocked();
          scope.cancel();
        });
      });
      await a.send(new Uint8Array([1, 2, 3]));
      assert(sameBytes(await receiveAll(b, 3), new Uint8Array([1, 2, 3])), "all bytes arrive");
    }),

    "sending to a closed peer eventually throws BrokenResourceError": withPair(async (a, b) => {
      await b.aclose();
      await checkpoint();
      const chunk = new Uint8Array(65_536);
      const err = await assertRejects(async () => {
        for (let i = 0; i < 1_000; i++) await a.send(chunk);
      }, BrokenResourceError, "send to a closed peer");
      assert(err instanceof BrokenResourceError, "BrokenResourceError");
    }),

    "iterating yields every chunk until the peer closes": withPair(async (a, b) => {
      const data = pattern(100_000, 3);
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          await a.send(data);
          await a.aclose();
        });
        const parts: Uint8Array[] = [];
        for await (const chunk of b) parts.push(chunk);
        const total = parts.reduce((n, p) => n + p.byteLength, 0);
        const joined = new Uint8Array(total);
        let at = 0;
        for (const p of parts) {
          joined.set(p, at);
          at += p.byteLength;
        }
        assert(sameBytes(joined, data), "all bytes");
      });
    }),
  };

  if (halfClose) {
    cases["after sendEof() the peer sees EndOfStream and can still reply"] = withPair(async (a, b) => {
      await a.send(new Uint8Array([1]));
      await a.sendEof();
      await a.sendEof(); // idempotent
      assertEqual(Array.from(await receiveAll(b, 1)), [1], "data before EOF");
      await assertRejects(() => b.receive(), EndOfStream, "EOF");
      await b.send(new Uint8Array([2]));
      assertEqual(Array.from(await receiveAll(a, 1)), [2], "the reply");
    });
  }

  return Object.entries(cases).map(([caseName, fn]) => ({ group, name: caseName, run: fn }));
}
