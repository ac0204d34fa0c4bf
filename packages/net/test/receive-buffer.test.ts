/**
 * How a socket stream buffers what it receives: Node's chunks flow into the stream's own
 * queue, and the socket is paused only once 128 KiB wait unread (then TCP flow control pushes
 * back on the peer). A reader that keeps up never pauses it: no readStop/readStart per chunk.
 */
import type { Socket } from "node:net";
import { PassThrough } from "node:stream";
import { awaitCancellable, withTaskGroup } from "@anyio/core";
import { NodeByteReceiveStream, SocketAttribute } from "@anyio/net";
import { describeEachBackend } from "@anyio/testing/vitest";
import { expect, it } from "vitest";
import { tcpPair } from "./helpers.js";

const MESSAGE = 64 * 1024;

/** Bytes whose value is their position mod 251, so a lost, repeated or reordered chunk shows. */
function pattern(offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (offset + i) % 251;
  return out;
}

/** Whether `chunk` is the pattern from `offset` on (the index of the first wrong byte otherwise). */
function mismatch(chunk: Uint8Array, offset: number): number {
  for (let i = 0; i < chunk.byteLength; i++) if (chunk[i] !== (offset + i) % 251) return i;
  return -1;
}

/** Counts the socket's pause() calls and resolves `paused` at the first. */
function watchPauses(socket: Socket): { count: () => number; paused: Promise<void> } {
  let count = 0;
  let resolve!: () => void;
  const paused = new Promise<void>((r) => (resolve = r));
  const pause = socket.pause.bind(socket);
  socket.pause = () => {
    count++;
    resolve();
    return pause();
  };
  return { count: () => count, paused };
}

describeEachBackend("SocketStream receive buffer", ({ run }) => {
  it("a reader that keeps up never pauses the socket, nor stops Node reading from the kernel", () =>
    run(async () => {
      const [a, b] = await tcpPair();
      const raw = b.extra(SocketAttribute.rawSocket) as Socket;
      const pauses = watchPauses(raw);
      // Node's own switch (libuv's uv_read_stop): in paused mode it was flipped at every
      // high-water mark, 16 KiB on Node 20 — the epoll_ctl pairs this design removes.
      const handle = (raw as unknown as { _handle: { readStop: () => number } })._handle;
      let readStops = 0;
      const readStop = handle.readStop.bind(handle);
      handle.readStop = () => {
        readStops++;
        return readStop();
      };
      for (let m = 0; m < 32; m++) {
        await a.send(pattern(m * MESSAGE, MESSAGE));
        let got = 0;
        while (got < MESSAGE) {
          const chunk = await b.receive();
          expect(mismatch(chunk, m * MESSAGE + got)).toBe(-1);
          got += chunk.byteLength;
        }
        expect(got).toBe(MESSAGE);
      }
      expect(pauses.count()).toBe(0);
      expect(readStops).toBe(0);
      await a.aclose();
      await b.aclose();
    }));

  it("a queue that never drains compacts its slots and keeps every chunk in order", () =>
    run(async () => {
      // Small chunks, one more written after each read, so the queue is never empty: its
      // taken slots are dropped every 1,024 (the path a reader that never catches up takes).
      const source = new PassThrough();
      const stream = new NodeByteReceiveStream(source);
      const backlog = 100;
      let written = 0;
      const write = () => source.write(pattern(written++ * 3, 3));
      for (let i = 0; i < backlog; i++) write();
      let offset = 0;
      for (let i = 0; i < 3_000; i++) {
        const chunk = await stream.receive();
        expect(chunk.byteLength).toBe(3);
        expect(mismatch(chunk, offset)).toBe(-1);
        offset += 3;
        write();
      }
      source.end();
      for await (const chunk of stream) {
        expect(mismatch(chunk, offset)).toBe(-1);
        offset += chunk.byteLength;
      }
      expect(offset).toBe(written * 3);
      await stream.aclose();
    }));

  it("a reader that falls behind pauses the socket, resumes it as it reads, and loses nothing", () =>
    run(async () => {
      const [a, b] = await tcpPair();
      const raw = b.extra(SocketAttribute.rawSocket) as Socket;
      const pauses = watchPauses(raw);
      const total = 16 * MESSAGE;
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          for (let m = 0; m < 16; m++) await a.send(pattern(m * MESSAGE, MESSAGE));
          await a.sendEof();
        });
        // Nobody reads until the stream has paused its socket at its limit.
        await awaitCancellable(pauses.paused);
        expect(raw.isPaused()).toBe(true);
        let got = 0;
        for await (const chunk of b) {
          expect(mismatch(chunk, got)).toBe(-1);
          got += chunk.byteLength;
        }
        expect(got).toBe(total);
        expect(raw.isPaused()).toBe(false);
      });
      await a.aclose();
      await b.aclose();
    }));
});
