import {
  BrokenResourceError,
  CancelScope,
  ClosedResourceError,
  EndOfStream,
  isCancelled,
  type ObjectReceiveStream,
  type ObjectSendStream,
  run,
  StapledObjectStream,
  typedAttribute,
  sleep,
  withTaskGroup,
  WouldBlock,
} from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { createMemoryObjectStream, type MemoryObjectReceiveStream } from "@anyio/sync";
import { describeEachBackend } from "@anyio/testing/vitest";
import { describe, expect, it } from "vitest";
import { runCounting, startParked } from "./helpers.js";

async function collect<T>(receive: MemoryObjectReceiveStream<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of receive) out.push(item);
  return out;
}

describeEachBackend("memory object streams", ({ run, make }) => {
  it("with buffer 0, send() waits until a receiver takes the item (rendezvous)", () =>
    run(async () => {
      const [send, receive] = createMemoryObjectStream<number>();
      await withTaskGroup(async (tg) => {
        const s = await startParked(tg, () => send.send(1));
        expect(() => send.sendNowait(2)).toThrow(WouldBlock);
        expect(s.outcome).toBe(null);
        expect(send.statistics().tasksWaitingSend).toBe(1);
        expect(await receive.receive()).toBe(1);
        await sleep(1);
        expect(s.outcome?.ok).toBe(true);
      });
      expect(() => receive.receiveNowait()).toThrow(WouldBlock);
    }));

  it("with a bounded buffer, send() completes while there is room and then waits; receive() refills from blocked senders in order", () =>
    run(async () => {
      const [send, receive] = createMemoryObjectStream<number>(2);
      await send.send(1);
      await send.send(2);
      expect(send.statistics().currentBufferUsed).toBe(2);
      await withTaskGroup(async (tg) => {
        const s3 = await startParked(tg, () => send.send(3));
        const s4 = await startParked(tg, () => send.send(4));
        expect(send.statistics().tasksWaitingSend).toBe(2);
        expect(await receive.receive()).toBe(1);
        expect(receive.statistics().currentBufferUsed).toBe(2); // 3 moved in from its sender
        expect(receive.receiveNowait()).toBe(2);
        expect(receive.receiveNowait()).toBe(3);
        expect(receive.receiveNowait()).toBe(4);
        await sleep(1);
        expect(s3.outcome?.ok && s4.outcome?.ok).toBe(true);
      });
    }));

  it("with an Infinity buffer, send() never waits", () =>
    run(async () => {
      const [send, receive] = createMemoryObjectStream<number>(Infinity);
      for (let i = 0; i < 1000; i++) send.sendNowait(i);
      expect(send.statistics()).toMatchObject({ currentBufferUsed: 1000, maxBufferSize: Infinity });
      send.close();
      const got = await collect(receive);
      expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    }));

  it("a cancelled send delivered nothing", () =>
    run(async () => {
      const [send, receive] = createMemoryObjectStream<string>(0);
      await withTaskGroup(async (tg) => {
        const s = await startParked(tg, () => send.send("lost?"));
        s.scope.cancel();
        await sleep(1);
        expect(s.cancelled).toBe(true);
        expect(send.statistics().tasksWaitingSend).toBe(0);
        expect(() => receive.receiveNowait()).toThrow(WouldBlock);
        tg.startSoon(() => send.send("next"));
        expect(await receive.receive()).toBe("next");
      });
    }));

  it("a cancelled receive took nothing: the item goes to the next receiver", () =>
    run(async () => {
      const [send, receive] = createMemoryObjectStream<string>(1);
      await withTaskGroup(async (tg) => {
        const r = await startParked(tg, () => receive.receive());
        r.scope.cancel();
        await sleep(1);
        expect(r.cancelled).toBe(true);
        send.sendNowait("kept");
        expect(receive.receiveNowait()).toBe("kept");
      });
    }));

  it("an item handed to a receiver whose scope is cancelled in the same step is still returned", () =>
    run(async () => {
      const [send, receive] = createMemoryObjectStream<string>(0);
      await withTaskGroup(async (tg) => {
        const r = await startParked(tg, () => receive.receive());
        send.sendNowait("handed over");
        r.scope.cancel();
        await sleep(1);
        expect(r.outcome).toEqual({ ok: true, value: "handed over" });
      });
    }));

  it("a blocked sender whose item was taken completes even if cancelled in the same step", () =>
    run(async () => {
      const [send, receive] = createMemoryObjectStream<string>(0);
      await withTaskGroup(async (tg) => {
        const s = await startParked(tg, () => send.send("taken"));
        expect(receive.receiveNowait()).toBe("taken");
        s.scope.cancel();
        await sleep(1);
        expect(s.outcome?.ok).toBe(true);
      });
    }));

  it("items skip receivers cancelled before the send", () =>
    run(async () => {
      const [send, receive] = createMemoryObjectStream<number>(0);
      await withTaskGroup(async (tg) => {
        const a = await startParked(tg, () => receive.receive());
        const b = await startParked(tg, () => receive.receive());
        const c = await startParked(tg, () => receive.receive());
        a.scope.cancel();
        c.scope.cancel();
        send.sendNowait(42);
        await sleep(1);
        expect(a.cancelled && c.cancelled).toBe(true);
        expect(b.outcome).toEqual({ ok: true, value: 42 });
      });
    }));

  it("closing the last send end ends iteration after the buffer drains (EndOfStream)", () =>
    run(async () => {
      const [send, receive] = createMemoryObjectStream<number>(3);
      const send2 = send.clone();
      await send.send(1);
      await send2.send(2);
      send.close();
      await send2.send(3); // a clone keeps the stream open
      expect(receive.statistics().openSendStreams).toBe(1);
      send2.close();
      expect(await collect(receive)).toEqual([1, 2, 3]);
      await expect(receive.receive()).rejects.toBeInstanceOf(EndOfStream);
      expect(() => receive.receiveNowait()).toThrow(EndOfStream);
    }));

  it("closing the last send end wakes blocked receivers with EndOfStream", () =>
    run(async () => {
      const [send, receive] = createMemoryObjectStream<number>(1);
      await withTaskGroup(async (tg) => {
        const r1 = await startParked(tg, () => receive.receive());
        const r2 = await startParked(tg, () => receive.clone().receive());
        send.close();
        await sleep(1);
        expect(r1.outcome?.ok === false && r1.outcome.error instanceof EndOfStream).toBe(true);
        expect(r2.outcome?.ok === false && r2.outcome.error instanceof EndOfStream).toBe(true);
      });
    }));

  it("closing the last receive end wakes blocked senders with BrokenResourceError; later sends throw it too", () =>
    run(async () => {
      const [send, receive] = createMemoryObjectStream<number>(0);
      const receive2 = receive.clone();
      await withTaskGroup(async (tg) => {
        const s = await startParked(tg, () => send.send(1));
        receive.close();
        await sleep(1);
        expect(s.outcome).toBe(null); // another receive end is still open
        receive2.close();
        await sleep(1);
        expect(s.outcome?.ok === false && s.outcome.error instanceof BrokenResourceError).toBe(true);
      });
      await expect(send.send(2)).rejects.toBeInstanceOf(BrokenResourceError);
      expect(() => send.sendNowait(2)).toThrow(BrokenResourceError);
      expect(send.statistics().currentBufferUsed).toBe(0);
    }));

  it("closing one end fails only the waits blocked on that end; waits on its clones stay parked and complete", () =>
    run(async () => {
      const [send, receive] = createMemoryObjectStream<string>(0);
      const sendClone = send.clone();
      await withTaskGroup(async (tg) => {
        const a = await startParked(tg, () => send.send("a"));
        const b = await startParked(tg, () => sendClone.send("b"));
        const c = await startParked(tg, () => send.send("c"));
        send.close();
        await sleep(1);
        expect(a.outcome?.ok === false && a.outcome.error instanceof ClosedResourceError).toBe(true);
        expect(c.outcome?.ok === false && c.outcome.error instanceof ClosedResourceError).toBe(true);
        expect(b.outcome).toBe(null);
        expect(await receive.receive()).toBe("b");
        await sleep(1);
        expect(b.outcome?.ok).toBe(true);

        const receiveClone = receive.clone();
        const r1 = await startParked(tg, () => receive.receive());
        const r2 = await startParked(tg, () => receiveClone.receive());
        receive.close();
        await sleep(1);
        expect(r1.outcome?.ok === false && r1.outcome.error instanceof ClosedResourceError).toBe(true);
        expect(r2.outcome).toBe(null);
        await sendClone.send("d");
        await sleep(1);
        expect(r2.outcome).toEqual({ ok: true, value: "d" });
      });
    }));

  it("using a closed end throws ClosedResourceError, also to a task blocked on it when it closes", () =>
    run(async () => {
      const [send, receive] = createMemoryObjectStream<number>(0);
      const otherSend = send.clone();
      const otherReceive = receive.clone();
      await withTaskGroup(async (tg) => {
        const s = await startParked(tg, () => send.send(1));
        const r = await startParked(tg, () => otherReceive.clone().receive());
        const r2 = await startParked(tg, () => receive.receive());
        expect(r.outcome?.ok).toBe(true); // took the blocked sender's item
        send.close();
        receive.close();
        await sleep(1);
        expect(s.outcome?.ok).toBe(true);
        expect(r2.outcome?.ok === false && r2.outcome.error instanceof ClosedResourceError).toBe(true);
        const blocked = await startParked(tg, () => otherSend.send(2));
        const blockedClone = otherSend.clone();
        otherSend.close();
        await sleep(1);
        expect(blocked.outcome?.ok === false && blocked.outcome.error instanceof ClosedResourceError).toBe(true);
        expect(() => otherReceive.receiveNowait()).toThrow(WouldBlock); // the item was not delivered
        blockedClone.close();
      });
      await expect(send.send(1)).rejects.toBeInstanceOf(ClosedResourceError);
      expect(() => send.sendNowait(1)).toThrow(ClosedResourceError);
      expect(() => send.clone()).toThrow(ClosedResourceError);
      await expect(receive.receive()).rejects.toBeInstanceOf(ClosedResourceError);
      expect(() => receive.receiveNowait()).toThrow(ClosedResourceError);
      expect(() => receive.clone()).toThrow(ClosedResourceError);
      send.close(); // idempotent
      expect(send.closed && receive.closed).toBe(true);
    }));

  it("send() and receive() are cancel points and schedule points on their fast paths; the Nowait forms never checkpoint", () =>
    runCounting(make, async (counter) => {
      const [send, receive] = createMemoryObjectStream<number>(1);
      const scope = new CancelScope();
      scope.cancel();
      await scope.run(async () => {
        const sendError = await send.send(1).catch((e: unknown) => e);
        expect(isCancelled(sendError)).toBe(true);
        expect(send.statistics().currentBufferUsed).toBe(0); // nothing delivered
        const before = counter.mine();
        send.sendNowait(1);
        expect(counter.mine()).toBe(before);
        const receiveError = await receive.receive().catch((e: unknown) => e);
        expect(isCancelled(receiveError)).toBe(true);
        expect(receive.statistics().currentBufferUsed).toBe(1); // nothing taken
        expect(receive.receiveNowait()).toBe(1);
        expect(counter.mine()).toBe(before);
      });
      let before = counter.mine();
      await send.send(2);
      expect(counter.mine() - before).toBe(1);
      before = counter.mine();
      expect(await receive.receive()).toBe(2);
      expect(counter.mine() - before).toBe(1);
    }));

  it("statistics() reports buffer use, open ends and waiting tasks", () =>
    run(async () => {
      const [send, receive] = createMemoryObjectStream<number>(1);
      expect(send.statistics()).toEqual({
        currentBufferUsed: 0,
        maxBufferSize: 1,
        openSendStreams: 1,
        openReceiveStreams: 1,
        tasksWaitingSend: 0,
        tasksWaitingReceive: 0,
      });
      await withTaskGroup(async (tg) => {
        await startParked(tg, () => receive.receive());
        await startParked(tg, () => receive.receive());
        expect(receive.statistics().tasksWaitingReceive).toBe(2);
        send.clone();
        expect(receive.statistics().openSendStreams).toBe(2);
        send.sendNowait(1);
        send.sendNowait(2);
      });
    }));

  it("aclose(), `using` and `await using` close the ends", () =>
    run(async () => {
      const [send, receive] = createMemoryObjectStream<number>(1);
      {
        await using tx = send.clone();
        using rx = receive.clone();
        expect(send.statistics()).toMatchObject({ openSendStreams: 2, openReceiveStreams: 2 });
        expect(tx.closed || rx.closed).toBe(false);
      }
      expect(send.statistics()).toMatchObject({ openSendStreams: 1, openReceiveStreams: 1 });
      await send.aclose();
      await receive.aclose();
      expect(send.statistics()).toMatchObject({ openSendStreams: 0, openReceiveStreams: 0 });
    }));

  it("aclose() is not a cancel point: it closes inside a cancelled scope", () =>
    run(async () => {
      const [send] = createMemoryObjectStream<number>();
      const scope = new CancelScope();
      scope.cancel();
      await scope.run(() => send.aclose());
      expect(scope.cancelledCaught).toBe(false);
      expect(send.closed).toBe(true);
    }));

  it("the ends are core's ObjectSendStream/ObjectReceiveStream: a StapledObjectStream can wrap them", () =>
    run(async () => {
      const [send, receive] = createMemoryObjectStream<string>(1);
      const tx: ObjectSendStream<string> = send;
      const rx: ObjectReceiveStream<string> = receive;
      await using both = new StapledObjectStream(tx, rx);
      await both.send("echo");
      expect(await both.receive()).toBe("echo");
      expect(send.extra(typedAttribute<number>("none"), "default")).toBe("default");
      await both.aclose();
      expect(send.closed && receive.closed).toBe(true);
    }));

  it("leaving a for-await loop early leaves the stream open", () =>
    run(async () => {
      const [send, receive] = createMemoryObjectStream<number>(5);
      for (let i = 0; i < 5; i++) send.sendNowait(i);
      for await (const item of receive) if (item === 1) break;
      expect(receive.closed).toBe(false);
      expect(receive.receiveNowait()).toBe(2);
    }));

  it("several producers and consumers on clones: every item is received exactly once", () =>
    run(async () => {
      const [send, receive] = createMemoryObjectStream<number>(4);
      const got: number[] = [];
      await withTaskGroup(async (tg) => {
        for (let p = 0; p < 3; p++) {
          const tx = send.clone();
          tg.startSoon(async () => {
            await using _ = tx;
            for (let i = 0; i < 100; i++) await tx.send(p * 1000 + i);
          });
        }
        for (let c = 0; c < 3; c++) {
          const rx = receive.clone();
          tg.startSoon(async () => {
            for await (const item of rx) got.push(item);
          });
        }
        send.close();
        receive.close();
      });
      expect(got.length).toBe(300);
      expect(new Set(got).size).toBe(300);
    }));
});

describe("memory object streams with explicit context", () => {
  it("send(), receive() and iterate() take { signal }", async () => {
    const [send, receive] = createMemoryObjectStream<number>(0);
    const got: number[] = [];
    await run(
      async (cx) => {
        await withTaskGroup(async (tg) => {
          tg.startSoon(async (child) => {
            for (let i = 0; i < 3; i++) await send.send(i, { signal: child.signal });
            send.close();
          });
          for await (const item of receive.iterate({ signal: cx.signal })) got.push(item);
        }, { signal: cx.signal });
      },
      { backend: nativeBackend(), context: "explicit" },
    );
    expect(got).toEqual([0, 1, 2]);
  });
});
