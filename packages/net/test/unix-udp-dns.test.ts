import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { BrokenResourceError, CancelScope, ClosedResourceError, waitAllTasksBlocked, withTaskGroup } from "@anyio/core";
import {
  NodeByteReceiveStream,
  NodeByteSendStream,
  SocketAttribute,
  connectUnix,
  createConnectedUdpSocket,
  createUdpSocket,
  createUnixListener,
  getaddrinfo,
  getnameinfo,
  toNodeReadable,
} from "@anyio/net";
import { describeEachBackend } from "@anyio/testing/vitest";
import { afterAll, expect, it } from "vitest";
import { bytes, handleCounts, leakedSince, receiveAll, text } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "anyio-net-unix-"));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeEachBackend("Unix sockets", ({ run }) => {
  it("connect, exchange, half-close; the listener sets the file mode and offers attributes", () =>
    run(async () => {
      const path = join(dir, `u${n++}.sock`);
      const listener = await createUnixListener(path, { mode: 0o600 });
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(listener.extra(SocketAttribute.family)).toBe("unix");
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          const s = await listener.accept();
          expect(text(await receiveAll(s))).toBe("req");
          await s.send(bytes("resp"));
          await s.aclose();
        });
        const c = await connectUnix(path);
        expect(c.extra(SocketAttribute.remoteAddress)).toBe(path);
        await c.send(bytes("req"));
        await c.sendEof();
        expect(text(await receiveAll(c))).toBe("resp");
        await c.aclose();
      });
      await listener.aclose();
    }));

  it("replaces a stale socket file but refuses a live socket or a regular file", () =>
    run(async () => {
      const path = join(dir, `u${n++}.sock`);
      const first = await createUnixListener(path);
      await expect(createUnixListener(path)).rejects.toMatchObject({ code: "EADDRINUSE" });
      await first.aclose();
      // Node's server.close() removes the file; make a stale one with a process that binds and exits.
      execFileSync("python3", ["-c", "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])", path]);
      expect(statSync(path).isSocket()).toBe(true);
      const second = await createUnixListener(path);
      await second.aclose();
      const regular = join(dir, `plain${n++}`);
      writeFileSync(regular, "data");
      await expect(createUnixListener(regular)).rejects.toMatchObject({ code: "EADDRINUSE" });
      expect(statSync(regular).isFile()).toBe(true);
    }));
});

describeEachBackend("UDP", ({ run }) => {
  it("round trip between an unconnected and a connected socket, with addresses", () =>
    run(async () => {
      const before = handleCounts();
      const server = await createUdpSocket({ localHost: "127.0.0.1" });
      const port = server.extra(SocketAttribute.localPort);
      const client = await createConnectedUdpSocket("127.0.0.1", port);
      await client.send(bytes("ping"));
      const [data, [host, fromPort]] = await server.receive();
      expect(text(data)).toBe("ping");
      expect(host).toBe("127.0.0.1");
      expect(fromPort).toBe(client.extra(SocketAttribute.localPort));
      await server.send([bytes("pong"), [host, fromPort]]);
      expect(text(await client.receive())).toBe("pong");
      await server.sendto(bytes("again"), host, fromPort);
      expect(text(await client.receive())).toBe("again");
      await client.aclose();
      await server.aclose();
      expect(await leakedSince(before)).toEqual({});
    }));

  it("a cancelled receive takes no datagram, and createUdpSocket needs a family or a host", () =>
    run(async () => {
      const a = await createUdpSocket({ family: "IPv4", localHost: "127.0.0.1" });
      const scope = new CancelScope();
      await scope.run(() =>
        withTaskGroup(async (tg) => {
          tg.startSoon(() => a.receive());
          await waitAllTasksBlocked();
          scope.cancel();
        }),
      );
      const b = await createUdpSocket({ family: 4 });
      await b.sendto(bytes("kept"), "127.0.0.1", a.extra(SocketAttribute.localPort));
      expect(text((await a.receive())[0])).toBe("kept");
      await a.aclose();
      await b.aclose();
      await expect(createUdpSocket({})).rejects.toBeInstanceOf(TypeError);
    }));
});

describeEachBackend("DNS", ({ run }) => {
  it("getaddrinfo resolves localhost and IP literals; getnameinfo maps back", () =>
    run(async () => {
      const infos = await getaddrinfo("localhost", 80);
      expect(infos.length).toBeGreaterThan(0);
      expect(infos.every((i) => i.port === 80 && (i.family === "IPv4" || i.family === "IPv6"))).toBe(true);
      expect(await getaddrinfo("127.0.0.1", 1)).toEqual([{ family: "IPv4", address: "127.0.0.1", port: 1 }]);
      const [host] = await getnameinfo("127.0.0.1", 22);
      expect(typeof host).toBe("string");
      await expect(getaddrinfo("no-such-host.invalid", 80)).rejects.toMatchObject({ code: "ENOTFOUND" });
    }));
});

describeEachBackend("Node stream adapters", ({ run }) => {
  it("NodeByteReceiveStream reads a Readable to the end; an error comes after the data as BrokenResourceError", () =>
    run(async () => {
      expect(text(await receiveAll(new NodeByteReceiveStream(Readable.from([Buffer.from("ab"), Buffer.from("cd")]))))).toBe("abcd");
      const failing = new Readable({ read() {} });
      failing.push(Buffer.from("x"));
      const s = new NodeByteReceiveStream(failing);
      expect(text(await s.receive())).toBe("x");
      failing.destroy(Object.assign(new Error("boom"), { code: "EBOOM" }));
      await expect(s.receive()).rejects.toBeInstanceOf(BrokenResourceError);
      await s.aclose();
    }));

  it("NodeByteSendStream waits for a slow Writable (backpressure) and flushes on aclose", () =>
    run(async () => {
      const got: string[] = [];
      const slow = new Writable({
        highWaterMark: 4,
        write(chunk: Buffer, _e, cb) {
          setTimeout(() => {
            got.push(chunk.toString());
            cb();
          }, 2);
        },
      });
      const s = new NodeByteSendStream(slow);
      for (const part of ["one", "two", "three"]) await s.send(bytes(part));
      await s.aclose();
      expect(got.join("")).toBe("onetwothree");
    }));

  it("toNodeReadable turns an anyio stream into a Node Readable", () =>
    run(async () => {
      const source = new NodeByteReceiveStream(Readable.from([Buffer.from("hello "), Buffer.from("world")]));
      const readable = toNodeReadable(source);
      const chunks: Buffer[] = [];
      await withTaskGroup(async () => {
        await new Promise<void>((resolve, reject) => {
          readable.on("data", (c: Buffer) => chunks.push(c)).on("end", resolve).on("error", reject);
        });
      });
      expect(Buffer.concat(chunks).toString()).toBe("hello world");
      // The ended readable destroys itself, which closes the source.
      await expect(source.receive()).rejects.toBeInstanceOf(ClosedResourceError);
    }));
});
