import { spawn, type ChildProcess } from "node:child_process";
import { connect as rawConnect, type Socket } from "node:net";
import { nativeBackend } from "@anyio/backend-native";
import { VirtualClock, strictBackend } from "@anyio/backend-strict";
import { CancelScope, currentTime, waitAllTasksBlocked, withTaskGroup } from "@anyio/core";
import { ConnectionFailed, SocketAttribute, SocketListener, connectTcp, createTcpListener, happyEyeballsOrder, type AddrInfo } from "@anyio/net";
import { describeEachBackend } from "@anyio/testing/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handleCounts, ipv6Available, leakedSince } from "./helpers.js";

/**
 * Strict with a virtual clock that may jump while only real I/O is pending: a connection
 * attempt that hangs must not freeze the happy-eyeballs delay forever.
 */
const backends = [
  { name: "native", make: () => nativeBackend() },
  { name: "strict", make: () => strictBackend({ clock: new VirtualClock({ jumpOverExternalWaitsAfter: 5 }) }) },
];

const resolverOf = (...addresses: string[]) => async (_host: string, port: number): Promise<AddrInfo[]> =>
  addresses.map((address) => ({ family: address.includes(":") ? "IPv6" : "IPv4", address, port }));

describe("happyEyeballsOrder", () => {
  it("puts the first IPv6 address first, the first IPv4 second, the rest in resolver order", () => {
    const infos: AddrInfo[] = [
      { family: "IPv4", address: "10.0.0.1", port: 1 },
      { family: "IPv4", address: "10.0.0.2", port: 1 },
      { family: "IPv6", address: "fd00::1", port: 1 },
      { family: "IPv6", address: "fd00::2", port: 1 },
    ];
    expect(happyEyeballsOrder(infos).map((i) => i.address)).toEqual(["fd00::1", "10.0.0.1", "10.0.0.2", "fd00::2"]);
    expect(happyEyeballsOrder(infos.slice(0, 2)).map((i) => i.address)).toEqual(["10.0.0.1", "10.0.0.2"]);
  });
});

// A listener on 127.0.0.2 whose process never accepts, with its accept queue filled: further
// SYNs are dropped, so a connection attempt to it hangs (loopback only, no outside network).
let blackhole: ChildProcess;
let blackholePort = 0;
const fillers: Socket[] = [];

beforeAll(async () => {
  blackhole = spawn(process.execPath, ["-e", `
    const s = require("net").createServer();
    s.listen({ port: 0, host: "127.0.0.2", backlog: 1 }, () => {
      console.log(s.address().port);
      setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000), 50);
    });
  `], { stdio: ["ignore", "pipe", "inherit"] });
  blackholePort = await new Promise<number>((resolve) => blackhole.stdout!.once("data", (d) => resolve(Number(String(d).trim()))));
  await new Promise((r) => setTimeout(r, 150));
  for (let i = 0; i < 3; i++) fillers.push(rawConnect(blackholePort, "127.0.0.2").on("error", () => undefined));
  await new Promise((r) => setTimeout(r, 100));
});

afterAll(() => {
  for (const f of fillers) f.destroy();
  blackhole.kill("SIGKILL");
});

describeEachBackend("connectTcp happy eyeballs", ({ run }) => {
  it("a name resolving to ::1 and 127.0.0.1 connects over IPv4 when only IPv4 listens", () =>
    run(async () => {
      const multi = await createTcpListener({ localHost: "127.0.0.1" });
      const port = (multi.listeners[0] as SocketListener).port!;
      const stream = await connectTcp("localhost", port, { resolver: resolverOf("::1", "127.0.0.1") });
      expect(stream.extra(SocketAttribute.remoteAddress)).toBe("127.0.0.1");
      await stream.aclose();
      await multi.aclose();
    }));

  it.skipIf(!ipv6Available)("tries IPv6 first: with a listener on ::1 only, the first attempt wins", () =>
    run(async () => {
      const multi = await createTcpListener({ localHost: "::1" });
      const port = (multi.listeners[0] as SocketListener).port!;
      const stream = await connectTcp("localhost", port, { resolver: resolverOf("127.0.0.1", "::1") });
      expect(stream.extra(SocketAttribute.family)).toBe("IPv6");
      await stream.aclose();
      await multi.aclose();
    }));

  it("all attempts failed: one ConnectionFailed whose cause holds every attempt's error", () =>
    run(async () => {
      const multi = await createTcpListener({ localHost: "127.0.0.1" });
      const port = (multi.listeners[0] as SocketListener).port!;
      await multi.aclose();
      const err = (await connectTcp("localhost", port, { resolver: resolverOf("::1", "127.0.0.1") }).catch((e: unknown) => e)) as ConnectionFailed;
      expect(err).toBeInstanceOf(ConnectionFailed);
      expect(err.message).toBe("All connection attempts failed");
      expect(err.errors).toHaveLength(2);
      expect(err.cause).toBeInstanceOf(AggregateError);
      expect(err.code).toBe("ECONNREFUSED");
      expect(err.errors.map((e) => (e as { address?: string }).address)).toEqual(["::1", "127.0.0.1"]);
    }));
}, backends);

describeEachBackend("connectTcp happy eyeballs with a hanging first attempt", ({ run }) => {
  it("starts the next attempt after happyEyeballsDelay, wins with it and cancels the hanging one without leaks", () =>
    run(async () => {
      const before = handleCounts();
      const multi = await createTcpListener({ localHost: "127.0.0.1", localPort: blackholePort });
      const t0 = currentTime();
      const stream = await connectTcp("example.test", blackholePort, {
        resolver: resolverOf("127.0.0.2", "127.0.0.1"),
        happyEyeballsDelay: 20,
      });
      expect(stream.extra(SocketAttribute.remoteAddress)).toBe("127.0.0.1");
      expect(currentTime() - t0).toBeGreaterThanOrEqual(20);
      await stream.aclose();
      await multi.aclose();
      expect(await leakedSince(before)).toEqual({});
    }));

  it("cancelling connectTcp while an attempt hangs leaves no socket or timer", () =>
    run(async () => {
      const before = handleCounts();
      const scope = new CancelScope();
      await scope.run(() =>
        withTaskGroup(async (tg) => {
          tg.startSoon(() => connectTcp("example.test", blackholePort, { resolver: resolverOf("127.0.0.2"), happyEyeballsDelay: 10 }));
          await waitAllTasksBlocked();
          scope.cancel();
        }),
      );
      expect(scope.cancelledCaught).toBe(true);
      expect(await leakedSince(before)).toEqual({});
    }));
}, backends);
