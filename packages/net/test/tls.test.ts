import { spawn } from "node:child_process";
import { createSecureContext } from "node:tls";
import { BrokenResourceError, EndOfStream, awaitCancellable, withTaskGroup, type ByteStream } from "@anyio/core";
import { SocketListener, TLSAttribute, TLSListener, TLSStream, connectTcp, createTcpListener } from "@anyio/net";
import { describeEachBackend } from "@anyio/testing/vitest";
import { afterAll, expect, it } from "vitest";
import { bytes, handleCounts, leakedSince, makeCerts, receiveAll, tcpPair, text, tlsPair } from "./helpers.js";

const certs = makeCerts();
afterAll(() => certs.cleanup());

describeEachBackend("TLSStream", ({ run }) => {
  it("handshakes, exchanges data and offers TLS attributes", () =>
    run(async () => {
      const [client, server] = await tlsPair(certs);
      await client.send(bytes("ping"));
      expect(text(await server.receive())).toBe("ping");
      expect(client.extra(TLSAttribute.tlsVersion)).toBe("TLSv1.3");
      expect(client.extra(TLSAttribute.serverSide)).toBe(false);
      expect(server.extra(TLSAttribute.serverSide)).toBe(true);
      expect(client.extra(TLSAttribute.peerCertificate)?.subject.CN).toBe("localhost");
      expect(server.extra(TLSAttribute.peerCertificate)).toBeNull();
      expect(client.extra(TLSAttribute.cipher).name).toMatch(/AES|CHACHA/);
      expect(client.extra(TLSAttribute.standardCompatible)).toBe(true);
      await client.aclose();
      await expect(server.receive()).rejects.toBeInstanceOf(EndOfStream); // close_notify: a clean end
      await server.aclose();
    }));

  it("ragged EOF (transport closed without close_notify) is BrokenResourceError when standardCompatible", () =>
    run(async () => {
      const [client, server] = await tlsPair(certs, true);
      await server.send(bytes("partial"));
      await server.transportStream.aclose();
      expect(text(await client.receive())).toBe("partial");
      await expect(client.receive()).rejects.toBeInstanceOf(BrokenResourceError);
      await client.aclose();
      await server.aclose();
    }));

  it("ragged EOF is a plain EndOfStream when not standardCompatible", () =>
    run(async () => {
      const [client, server] = await tlsPair(certs, false);
      await server.send(bytes("partial"));
      await server.transportStream.aclose();
      expect(text(await receiveAll(client))).toBe("partial");
      await client.aclose();
      await server.aclose();
    }));

  it("verifies the server certificate by default: an untrusted certificate fails the handshake", () =>
    run(async () => {
      const [a, b] = await tcpPair();
      let clientError: unknown;
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          await TLSStream.wrap(b, { serverSide: true, secureContext: certs.server }).catch(() => undefined);
          await b.aclose();
        });
        clientError = await TLSStream.wrap(a, { hostname: "localhost" }).catch((e: unknown) => e);
        await a.aclose();
      });
      expect((clientError as { code?: string }).code).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
    }));

  it("checks the host name: a certificate for localhost does not pass for another name", () =>
    run(async () => {
      const [a, b] = await tcpPair();
      let clientError: unknown;
      await withTaskGroup(async (tg) => {
        tg.startSoon(async () => {
          await TLSStream.wrap(b, { serverSide: true, secureContext: certs.server }).catch(() => undefined);
          await b.aclose();
        });
        clientError = await TLSStream.wrap(a, { hostname: "example.org", secureContext: certs.client }).catch((e: unknown) => e);
        await a.aclose();
      });
      expect((clientError as { code?: string }).code).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
    }));

  it("connectTcp(..., { tls }) and TLSListener.serve with ALPN, leaving no handles", () =>
    run(async () => {
      const before = handleCounts();
      const tcp = await createTcpListener({ localHost: "127.0.0.1" });
      const port = (tcp.listeners[0] as SocketListener).port!;
      const listener = new TLSListener(tcp, certs.server, { alpnProtocols: ["echo/1"] });
      await withTaskGroup(async (tg) => {
        tg.startSoon(() =>
          listener
            .serve(async (stream) => {
              expect(stream.extra(TLSAttribute.alpnProtocol)).toBe("echo/1");
              await stream.send(bytes(`echo:${text(await stream.receive())}`));
            })
            .catch(() => undefined),
        );
        const client = await connectTcp("localhost", port, { tls: true, secureContext: certs.client, alpnProtocols: ["echo/1"] });
        await client.send(bytes("hi"));
        expect(text(await receiveAll(client))).toBe("echo:hi");
        await client.aclose();
        await listener.aclose();
      });
      expect(await leakedSince(before)).toEqual({});
    }));

  it("TLSListener.serve in explicit context: the handshake and the handler run in the handler's task", () =>
    run(
      async (cx) => {
        const tcp = await createTcpListener({ localHost: "127.0.0.1", signal: cx.signal });
        const port = (tcp.listeners[0] as SocketListener).port!;
        const listener = new TLSListener(tcp, certs.server);
        let handlerTask = -1;
        await withTaskGroup(async (tg) => {
          tg.startSoon((scx) =>
            listener
              .serve(
                async (stream, hcx) => {
                  handlerTask = hcx.id;
                  await stream.send(bytes(`echo:${text(await stream.receive(undefined, hcx))}`), hcx);
                },
                undefined,
                scx,
              )
              .catch(() => undefined),
          );
          const client = await connectTcp("localhost", port, { tls: true, secureContext: certs.client, signal: cx.signal });
          await client.send(bytes("hi"), cx);
          expect(text(await client.receive(undefined, cx))).toBe("echo:hi");
          await client.aclose();
          await listener.aclose();
        }, cx);
        expect(handlerTask).not.toBe(cx.id);
        expect(handlerTask).toBeGreaterThan(0);
      },
      { context: "explicit" },
    ));

  it("TLSListener hands a failed handshake to handleHandshakeError and keeps serving", () =>
    run(async () => {
      const tcp = await createTcpListener({ localHost: "127.0.0.1" });
      const port = (tcp.listeners[0] as SocketListener).port!;
      const failures: unknown[] = [];
      class Recording extends TLSListener {
        override async handleHandshakeError(err: unknown, stream: ByteStream): Promise<void> {
          failures.push(err);
          await super.handleHandshakeError(err, stream);
        }
      }
      const listener = new Recording(tcp, certs.server);
      await withTaskGroup(async (tg) => {
        tg.startSoon(() => listener.serve(async (s) => s.send(bytes("ok"))).catch(() => undefined));
        const plain = await connectTcp("127.0.0.1", port);
        await plain.send(bytes("this is not TLS\r\n\r\n"));
        await receiveAll(plain).catch(() => undefined);
        await plain.aclose();
        const good = await connectTcp("127.0.0.1", port, { tlsHostname: "localhost", secureContext: certs.client });
        expect(text(await receiveAll(good))).toBe("ok");
        await good.aclose();
        await listener.aclose();
      });
      expect(failures).toHaveLength(1);
    }));
});

describeEachBackend("TLS interop with openssl", ({ run }) => {
  it("openssl s_client talks to our TLSListener and verifies its certificate", () =>
    run(async () => {
      const tcp = await createTcpListener({ localHost: "127.0.0.1" });
      const port = (tcp.listeners[0] as SocketListener).port!;
      const listener = new TLSListener(tcp, certs.server);
      let output = "";
      await withTaskGroup(async (tg) => {
        tg.startSoon(() =>
          listener
            .serve(async (stream) => {
              const line = text(await stream.receive());
              await stream.send(bytes(`echo:${line}`));
            })
            .catch(() => undefined),
        );
        const child = spawn("openssl", ["s_client", "-connect", `127.0.0.1:${port}`, "-servername", "localhost", "-CAfile", certs.certPath, "-verify_return_error", "-quiet"], {
          stdio: ["pipe", "pipe", "ignore"],
        });
        child.stdout.on("data", (d: Buffer) => (output += d.toString()));
        child.stdin.write("hello\n");
        const code = await awaitCancellable(new Promise<number | null>((resolve) => child.on("close", resolve)));
        expect(code).toBe(0);
        child.stdin.destroy();
        await listener.aclose();
      });
      expect(output).toBe("echo:hello\n");
    }));

  it("our TLS client talks to openssl s_server", () =>
    run(async () => {
      // Pick a free port, then let s_server bind it.
      const probe = await createTcpListener({ localHost: "127.0.0.1" });
      const port = (probe.listeners[0] as SocketListener).port!;
      await probe.aclose();
      const server = spawn("openssl", ["s_server", "-accept", `127.0.0.1:${port}`, "-cert", certs.certPath, "-key", certs.keyPath, "-naccept", "1", "-quiet"], {
        stdio: ["pipe", "pipe", "ignore"],
      });
      let received = "";
      server.stdout.on("data", (d: Buffer) => (received += d.toString()));
      try {
        let stream;
        for (let i = 0; ; i++) {
          try {
            stream = await connectTcp("127.0.0.1", port, { tlsHostname: "localhost", secureContext: createSecureContext({ ca: certs.cert }) });
            break;
          } catch (err) {
            if (i > 100) throw err;
            await awaitCancellable(new Promise((r) => setTimeout(r, 20)));
          }
        }
        await stream.send(bytes("from anyio\n"));
        server.stdin.write("from openssl\n");
        expect(text(await stream.receive())).toBe("from openssl\n");
        await stream.aclose();
        await awaitCancellable(new Promise((resolve) => server.on("close", resolve)));
        expect(received).toBe("from anyio\n");
      } finally {
        server.kill();
      }
    }));
});
