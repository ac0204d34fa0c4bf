import {
  BufferedByteReceiveStream,
  DelimiterNotFound,
  EndOfStream,
  IncompleteRead,
  MultiListener,
  ReadableByteReceiveStream,
  ReadableObjectReceiveStream,
  StapledByteStream,
  TextReceiveStream,
  TextStream,
  TypedAttributeLookupError,
  WritableSendStream,
  toReadableStream,
  toWritableStream,
  typedAttribute,
  type ByteStream,
  type Listener,
  AsyncResourceBase,
  mergeAttributes,
  withTaskGroup,
  sleepForever,
  CancelScope,
  ClosedResourceError,
} from "@anyio/core";
import { byteStreamCases, standardBackends } from "@anyio/testing";
import { conformanceTests, describeEachBackend } from "@anyio/testing/vitest";
import { expect, it } from "vitest";

const enc = new TextEncoder();

/** A connected pair of byte streams over two WHATWG TransformStreams. */
function webPair(): [ByteStream, ByteStream] {
  const ab = new TransformStream<Uint8Array, Uint8Array>();
  const ba = new TransformStream<Uint8Array, Uint8Array>();
  const a = new StapledByteStream(new WritableSendStream(ab.writable), new ReadableByteReceiveStream(ba.readable));
  const b = new StapledByteStream(new WritableSendStream(ba.writable), new ReadableByteReceiveStream(ab.readable));
  return [a, b];
}

/** A byte stream of fixed chunks, then EOF. */
function chunks(...parts: string[]): ReadableByteReceiveStream {
  return new ReadableByteReceiveStream(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const p of parts) controller.enqueue(enc.encode(p));
        controller.close();
      },
    }),
  );
}

for (const b of standardBackends) {
  conformanceTests(b.name, b.make, byteStreamCases("web streams, stapled", async () => webPair(), { halfClose: false }));
}

describeEachBackend("BufferedByteReceiveStream", ({ run }) => {
  it("receiveExactly() joins chunks and keeps the rest buffered", () =>
    run(async () => {
      const buffered = new BufferedByteReceiveStream(chunks("ab", "cde", "f"));
      expect(new TextDecoder().decode(await buffered.receiveExactly(4))).toBe("abcd");
      expect(new TextDecoder().decode(await buffered.receive())).toBe("e");
      await expect(buffered.receiveExactly(5)).rejects.toBeInstanceOf(IncompleteRead);
    }));

  it("receiveUntil() finds a delimiter split across chunks", () =>
    run(async () => {
      const buffered = new BufferedByteReceiveStream(chunks("GET / HTTP/1.1\r", "\nHost: x\r\n\r\n"));
      const crlf = enc.encode("\r\n");
      expect(new TextDecoder().decode(await buffered.receiveUntil(crlf, 100))).toBe("GET / HTTP/1.1");
      expect(new TextDecoder().decode(await buffered.receiveUntil(crlf, 100))).toBe("Host: x");
      expect(new TextDecoder().decode(buffered.buffer)).toBe("\r\n");
      expect(await buffered.receiveUntil(crlf, 100)).toHaveLength(0);
      await expect(buffered.receiveUntil(crlf, 100)).rejects.toBeInstanceOf(IncompleteRead);
    }));

  it("receiveUntil() throws DelimiterNotFound after maxBytes", () =>
    run(async () => {
      const buffered = new BufferedByteReceiveStream(chunks("aaaaaaaaaa", "aaaa\n"));
      await expect(buffered.receiveUntil(enc.encode("\n"), 8)).rejects.toBeInstanceOf(DelimiterNotFound);
    }));

  it("feedData() is received before the stream", () =>
    run(async () => {
      const buffered = new BufferedByteReceiveStream(chunks("world"));
      buffered.feedData(enc.encode("hello "));
      expect(new TextDecoder().decode(await buffered.receiveExactly(11))).toBe("hello world");
    }));
});

describeEachBackend("TextReceiveStream", ({ run }) => {
  it("holds back a code point split across chunks and never returns an empty string", () =>
    run(async () => {
      const bytes = enc.encode("é€");
      const source = new ReadableByteReceiveStream(
        new ReadableStream<Uint8Array>({
          start(c) {
            for (const byte of bytes) c.enqueue(new Uint8Array([byte]));
            c.close();
          },
        }),
      );
      const text = new TextReceiveStream(source);
      const pieces: string[] = [];
      for await (const piece of text) pieces.push(piece);
      expect(pieces).toEqual(["é", "€"]);
    }));

  it("strict decoding throws on invalid UTF-8; replace mode substitutes", () =>
    run(async () => {
      const bad = () => new ReadableByteReceiveStream(new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new Uint8Array([0xff, 0x41])), c.close()) }));
      await expect(new TextReceiveStream(bad()).receive()).rejects.toBeInstanceOf(TypeError);
      expect(await new TextReceiveStream(bad(), { errors: "replace" }).receive()).toBe("\uFFFDA");
    }));

  it("TextStream sends and receives strings over a byte stream pair", () =>
    run(async () => {
      const [a, b] = webPair();
      const ta = new TextStream(a);
      const tb = new TextStream(b);
      await ta.send("héllo");
      expect(await tb.receive()).toBe("héllo");
      await ta.aclose();
      await tb.aclose();
    }));
});

describeEachBackend("web stream adapters", ({ run }) => {
  it("toReadableStream pulls from a receive stream until EndOfStream", () =>
    run(async () => {
      const readable = toReadableStream(chunks("a", "b", "c"));
      const reader = readable.getReader();
      const got: string[] = [];
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        got.push(new TextDecoder().decode(value));
      }
      expect(got).toEqual(["a", "b", "c"]);
    }));

  it("toWritableStream sends each chunk into a send stream", () =>
    run(async () => {
      const [a, b] = webPair();
      const writer = toWritableStream(a).getWriter();
      await writer.write(enc.encode("xyz"));
      expect(new TextDecoder().decode(await b.receive())).toBe("xyz");
      await writer.close();
      await expect(b.receive()).rejects.toBeInstanceOf(EndOfStream);
      await b.aclose();
    }));

  it("ReadableObjectReceiveStream iterates objects", () =>
    run(async () => {
      const stream = new ReadableObjectReceiveStream(new ReadableStream<number>({ start: (c) => (c.enqueue(1), c.enqueue(2), c.close()) }));
      const got: number[] = [];
      for await (const n of stream) got.push(n);
      expect(got).toEqual([1, 2]);
    }));
});

const Color = typedAttribute<string>("Color");
const Size = typedAttribute<number>("Size");

class FakeListener extends AsyncResourceBase implements Listener<string> {
  closed = false;
  constructor(private readonly attrs: Map<typeof Color | typeof Size, () => unknown>) {
    super();
  }
  async serve(): Promise<never> {
    return sleepForever();
  }
  async aclose() {
    this.closed = true;
  }
  override get extraAttributes() {
    return mergeAttributes(this.attrs as never);
  }
}

describeEachBackend("typed attributes and MultiListener", ({ run }) => {
  it("extra() returns values, defaults, and throws TypedAttributeLookupError when missing", () =>
    run(async () => {
      const l = new FakeListener(new Map([[Color, () => "red"]]));
      expect(l.extra(Color)).toBe("red");
      expect(l.extra(Size, 0)).toBe(0);
      expect(() => l.extra(Size)).toThrow(TypedAttributeLookupError);
    }));

  it("MultiListener flattens nesting, merges attributes, serves all and closes all", () =>
    run(async () => {
      const a = new FakeListener(new Map([[Color, () => "red"]]));
      const b = new FakeListener(new Map([[Size, () => 3]]));
      const multi = new MultiListener([a, new MultiListener([b])]);
      expect(multi.listeners).toHaveLength(2);
      expect(multi.extra(Color)).toBe("red");
      expect(multi.extra(Size)).toBe(3);
      const scope = new CancelScope();
      await scope.run(() =>
        withTaskGroup(async (tg) => {
          tg.startSoon(() => multi.serve(() => undefined));
          await Promise.resolve();
          scope.cancel();
        }),
      );
      expect(scope.cancelledCaught).toBe(true);
      await multi.aclose();
      expect(a.closed && b.closed).toBe(true);
    }));

  it("MultiListener.serve() ends with a plain ClosedResourceError when its listeners are closed", () =>
    run(async () => {
      class ClosingListener extends FakeListener {
        override async serve(): Promise<never> {
          throw new ClosedResourceError();
        }
      }
      const multi = new MultiListener([new ClosingListener(new Map()), new ClosingListener(new Map())]);
      await expect(multi.serve(() => undefined)).rejects.toBeInstanceOf(ClosedResourceError);
    }));
});
