import {
  BrokenResourceError,
  BusyResourceError,
  CancelScope,
  ClosedResourceError,
  EndOfStream,
  checkpoint,
  getRunningTasks,
  waitAllTasksBlocked,
  withTaskGroup,
} from "@anyio/core";
import { SocketAttribute, SocketListener, connectTcp, createTcpListener, type SocketStream, ConnectionFailed } from "@anyio/net";
import { describeEachBackend } from "@anyio/testing/vitest";
import { expect, it } from "vitest";
import { bytes, handleCounts, leakedSince, receiveAll, tcpPair, text } from "./helpers.js";

describeEachBackend("SocketStream over TCP", ({ run }) => {
  it("half-close: after sendEof() the peer reads EndOfStream and its reply still arrives", () =>
    run(async () => {
      const [a, b] = await tcpPair();
      await a.send(bytes("question"));
      await a.sendEof();
      expect(text(await receiveAll(b))).toBe("question");
      await b.send(bytes("answer"));
      await b.aclose();
      expect(text(await receiveAll(a))).toBe("answer");
      await a.aclose();
    }));

  it("data that arrives together with FIN is delivered before EndOfStream", () =>
    run(async () => {
      const [a, b] = await tcpPair();
      // Both the bytes and the FIN reach b's kernel buffer before b reads anything.
      await a.send(bytes("last words"));
      await a.sendEof();
      await a.aclose();
      let got = "";
      for (;;) {
        try {
          got += text(await b.receive(4));
        } catch (err) {
          expect(err).toBeInstanceOf(EndOfStream);
          break;
        }
      }
      expect(got).toBe("last words");
      await expect(b.receive()).rejects.toBeInstanceOf(EndOfStream);
      await b.aclose();
    }));

  it("peer closed: receive() ends with EndOfStream and send() eventually with BrokenResourceError", () =>
    run(async () => {
      const [a, b] = await tcpPair();
      await b.aclose();
      await expect(a.receive()).rejects.toBeInstanceOf(EndOfStream);
      const chunk = new Uint8Array(65_536);
      let error: unknown;
      for (let i = 0; i < 200 && error === undefined; i++) await a.send(chunk).catch((e: unknown) => void (error = e));
      expect(error).toBeInstanceOf(BrokenResourceError);
      expect(((error as Error).cause as { code?: string }).code).toMatch(/EPIPE|ECONNRESET/);
      await a.aclose();
    }));

  it("peer reset (RST) surfaces as BrokenResourceError with Node's code", () =>
    run(async () => {
      const [a, b] = await tcpPair();
      b.rawSocket.resetAndDestroy();
      const err = await a.receive().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BrokenResourceError);
      expect((err as { code?: string }).code).toBe("ECONNRESET");
      await a.aclose();
      await b.aclose();
    }));

  it("own close: later calls throw ClosedResourceError, and a receive blocked in another task wakes with it", () =>
    run(async () => {
      const [a, b] = await tcpPair();
      let error: unknown;
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => void (error = await a.receive().catch((e: unknown) => e)));
        await waitAllTasksBlocked();
        await a.aclose();
      });
      expect(error).toBeInstanceOf(ClosedResourceError);
      await expect(a.send(bytes("x"))).rejects.toBeInstanceOf(ClosedResourceError);
      await expect(a.sendEof()).rejects.toBeInstanceOf(ClosedResourceError);
      await b.aclose();
    }));

  it("a second concurrent send throws BusyResourceError", () =>
    run(async () => {
      const [a, b] = await tcpPair();
      const big = new Uint8Array(8 << 20);
      let busy: unknown;
      await withTaskGroup(async (tg) => {
        tg.startSoon(() => a.send(big));
        await waitAllTasksBlocked();
        busy = await a.send(bytes("x")).catch((e: unknown) => e);
        let got = 0;
        while (got < big.byteLength) got += (await b.receive()).byteLength;
      });
      expect(busy).toBeInstanceOf(BusyResourceError);
      await a.aclose();
      await b.aclose();
    }));

  it("send() waits while the peer does not read (backpressure), and a cancelled send reports exactly what was sent", () =>
    run(async () => {
      const [a, b] = await tcpPair();
      const chunk = new Uint8Array(64 * 1024).fill(7);
      let reported = 0;
      const scope = new CancelScope();
      await withTaskGroup(async (tg) => {
        tg.startSoon(() =>
          scope.run(async () => {
            for (let i = 0; i < 2_000; i++) {
              await a.send(chunk);
              reported += chunk.byteLength;
            }
          }),
        );
        await waitAllTasksBlocked();
        // Blocked: the kernel buffers are full and nothing reads.
        expect(reported).toBeLessThan(2_000 * chunk.byteLength);
        scope.cancel();
      });
      await a.sendEof();
      const received = (await receiveAll(b)).byteLength;
      // A send that returned was really sent; one that threw Cancelled sent nothing.
      expect(received).toBe(reported);
      await a.aclose();
      await b.aclose();
    }));

  it("offers SocketAttribute values and sets TCP_NODELAY", () =>
    run(async () => {
      const [a, b] = await tcpPair();
      expect(a.extra(SocketAttribute.family)).toBe("IPv4");
      expect(a.extra(SocketAttribute.remoteAddress)).toBe("127.0.0.1");
      expect(a.extra(SocketAttribute.remotePort)).toBe(b.extra(SocketAttribute.localPort));
      expect(b.extra(SocketAttribute.remotePort)).toBe(a.extra(SocketAttribute.localPort));
      expect(a.extra(SocketAttribute.rawSocket)).toBe(a.rawSocket);
      await a.aclose();
      await b.aclose();
    }));

  it("receive(maxBytes) keeps the rest for the next call and rejects bad maxBytes", () =>
    run(async () => {
      const [a, b] = await tcpPair();
      await a.send(bytes("abcdef"));
      await a.aclose();
      expect(text(await b.receive(2))).toBe("ab");
      expect(text(await receiveAll(b))).toBe("cdef");
      await expect(b.receive(0)).rejects.toBeInstanceOf(RangeError);
      await expect(b.receive(1.5)).rejects.toBeInstanceOf(TypeError);
      await b.aclose();
    }));

  it("the MultiListener from createTcpListener ends serve() with a plain ClosedResourceError when closed from another task", () =>
    run(async () => {
      const multi = await createTcpListener({ localHost: "127.0.0.1" });
      let served: unknown;
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          served = await multi.serve(() => undefined).catch((e: unknown) => e);
        });
        await waitAllTasksBlocked();
        await multi.aclose();
      });
      expect(served).toBeInstanceOf(ClosedResourceError);
    }));

  it("serve() runs handlers in a task group and ends with ClosedResourceError when the listener is closed from another task", () =>
    run(async () => {
      const multi = await createTcpListener({ localHost: "127.0.0.1" });
      const listener = multi.listeners[0] as SocketListener;
      let served: unknown;
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          served = await listener
            .serve(async (stream) => {
              await stream.send(bytes(`echo:${text(await stream.receive())}`));
            })
            .catch((e: unknown) => e);
        });
        for (const word of ["one", "two"]) {
          const client = await connectTcp("127.0.0.1", listener.port!);
          await client.send(bytes(word));
          expect(text(await receiveAll(client))).toBe(`echo:${word}`);
          await client.aclose();
        }
        await multi.aclose();
      });
      expect(served).toBeInstanceOf(ClosedResourceError);
    }));

  it("serve() starts a handler for every connection already queued at once, not one per scheduling round", () =>
    run(async () => {
      const multi = await createTcpListener({ localHost: "127.0.0.1" });
      const listener = multi.listeners[0] as SocketListener;
      const clients: SocketStream[] = [];
      for (let i = 0; i < 20; i++) clients.push(await connectTcp("127.0.0.1", listener.port!));
      // Node counts a connection before it emits 'connection', which queues it in the listener.
      const accepted = () => new Promise<number>((resolve) => listener.rawServer.getConnections((_err, n) => resolve(n)));
      while ((await accepted()) < 20) await new Promise((resolve) => setTimeout(resolve, 5));
      let tasksWhenFirstHandlerRan = -1;
      let handled = 0;
      let served: unknown;
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          served = await listener
            .serve(() => {
              if (handled++ === 0) tasksWhenFirstHandlerRan = getRunningTasks().length;
            })
            .catch((e: unknown) => e);
        });
        while (handled < 20) await checkpoint();
        for (const client of clients) await client.aclose();
        await multi.aclose();
      });
      // One task per queued connection already existed when the first handler ran.
      expect(tasksWhenFirstHandlerRan).toBeGreaterThanOrEqual(20);
      expect(served).toBeInstanceOf(ClosedResourceError);
    }));

  it("a dual-stack listener (no localHost) accepts over IPv4 and reports one port", () =>
    run(async () => {
      const multi = await createTcpListener();
      const port = multi.extra(SocketAttribute.localPort);
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          const s = await (multi.listeners[0] as SocketListener).accept();
          await s.send(bytes("hi"));
          await s.aclose();
        });
        const c = await connectTcp("127.0.0.1", port);
        expect(text(await receiveAll(c))).toBe("hi");
        await c.aclose();
      });
      await multi.aclose();
    }));

  it("a listener on a name with several addresses shares one port across them", () =>
    run(async () => {
      // "localhost" may resolve to one or two addresses here; every listener has the same port.
      const multi = await createTcpListener({ localHost: "localhost" });
      const ports = new Set(multi.listeners.map((l) => (l as SocketListener).port));
      expect(ports.size).toBe(1);
      await multi.aclose();
    }));

  it("a failed connect throws ConnectionFailed with Node's code and leaves no handle", () =>
    run(async () => {
      const multi = await createTcpListener({ localHost: "127.0.0.1" });
      const port = (multi.listeners[0] as SocketListener).port!;
      await multi.aclose();
      const before = handleCounts();
      const err = await connectTcp("127.0.0.1", port).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionFailed);
      expect((err as ConnectionFailed).code).toBe("ECONNREFUSED");
      expect(await leakedSince(before)).toEqual({});
    }));

  it("cancelled operations (receive, accept, connect) leave no socket, listener or timer behind", () =>
    run(async () => {
      const before = handleCounts();
      const [a, b] = await tcpPair();
      const multi = await createTcpListener({ localHost: "127.0.0.1" });
      const scope = new CancelScope();
      await scope.run(async () => {
        await withTaskGroup(async (tg) => {
          tg.startSoon(() => a.receive());
          tg.startSoon(() => (multi.listeners[0] as SocketListener).accept());
          tg.startSoon(() => connectTcp("localhost", (multi.listeners[0] as SocketListener).port!, { happyEyeballsDelay: 1 }));
          await waitAllTasksBlocked();
          scope.cancel();
        });
      });
      await a.aclose();
      await b.aclose();
      await multi.aclose();
      expect(await leakedSince(before)).toEqual({});
    }));

  it("bad arguments throw TypeError/RangeError naming them", () =>
    run(async () => {
      await expect(connectTcp("127.0.0.1", 70000)).rejects.toThrow(/port/);
      await expect(connectTcp(42 as unknown as string, 80)).rejects.toBeInstanceOf(TypeError);
      await expect(createTcpListener({ backlog: -1 })).rejects.toBeInstanceOf(RangeError);
      const [a, b] = await tcpPair();
      await expect(a.send("text" as unknown as Uint8Array)).rejects.toBeInstanceOf(TypeError);
      await a.aclose();
      await b.aclose();
    }));
});

export type { SocketStream };
