/**
 * `TLSStream`: TLS over any anyio-ts `ByteStream`, on `node:tls`.
 *
 * @module
 */
import { isIP } from "node:net";
import { TLSSocket, connect as tlsConnect, type ConnectionOptions, type SecureContext } from "node:tls";
import {
  BrokenResourceError,
  BusyResourceError,
  ByteReceiveStreamBase,
  CancelScope,
  acloseForcefully,
  ClosedResourceError,
  EndOfStream,
  checkBytes,
  checkMaxBytes,
  checkpoint,
  isCancelled,
  mergeAttributes,
  type AttributeGetters,
  type ByteStream,
  type TypedAttribute,
  type WaitOptions,
  requireMethods,
} from "@anyio/core";
import { TLSAttribute } from "./attributes.js";
import { destroyAndWait } from "./internal/destroy.js";
import { NodeReceiver, brokenFrom } from "./internal/node-receiver.js";
import { Notifier } from "./internal/notifier.js";
import { TransportBridge } from "./internal/transport-bridge.js";

/** Options of {@link TLSStream.wrap}. */
export interface TLSWrapOptions extends WaitOptions {
  /** Act as the TLS server (default false). */
  serverSide?: boolean;
  /** Client: the server name for SNI and certificate verification. Required unless `rejectUnauthorized` is false. */
  hostname?: string | undefined;
  /** Certificates, keys, CAs, ciphers: `tls.createSecureContext({...})`. Default: Node's defaults (system CAs). */
  secureContext?: SecureContext | undefined;
  /** Alias of `secureContext` (AnyIO's `ssl_context`). */
  context?: SecureContext | undefined;
  /**
   * Client: verify the server's certificate and name (default true). Server: reject clients
   * whose certificate does not verify when `requestCert` is set (default true).
   */
  rejectUnauthorized?: boolean | undefined;
  /** Server: ask the client for a certificate. */
  requestCert?: boolean | undefined;
  /** ALPN protocols to offer (client) or accept (server), in preference order. */
  alpnProtocols?: string[] | undefined;
  /**
   * Follow the TLS standard on closing (default true): `aclose()` sends close_notify, and a
   * peer that closes the transport without one (a "ragged EOF", possibly a truncation attack)
   * makes `receive()` throw `BrokenResourceError`. False: no close_notify is sent, and a ragged
   * EOF is a plain `EndOfStream` (for protocols such as HTTP that delimit their own messages).
   */
  standardCompatible?: boolean | undefined;
}

/**
 * A TLS-encrypted `ByteStream` over another `ByteStream` (AnyIO's `TLSStream`).
 *
 * The encryption is Node's (`tls.TLSSocket`), run over an in-memory duplex; the ciphertext is
 * moved to and from the transport by the `TLSStream`'s own calls, in the calling task — no
 * background task exists, so cancelling a call stops all of its I/O and nothing outlives
 * `aclose()`. The transport can be any `ByteStream`: a `SocketStream`, a Unix socket, a
 * `StapledByteStream` of memory streams, another `TLSStream`. Certificate verification is on
 * by default. `sendEof()` is not supported (as in AnyIO): TLS has no half-close here.
 *
 * @example
 * ```ts
 * const tcp = await connectTcp("example.com", 443);
 * await using tls = await TLSStream.wrap(tcp, { hostname: "example.com", alpnProtocols: ["http/1.1"] });
 * await tls.send(new TextEncoder().encode("GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n"));
 * for await (const chunk of tls) process.stdout.write(chunk);
 * ```
 */
export class TLSStream extends ByteReceiveStreamBase implements ByteStream {
  /** The stream underneath. */
  readonly transportStream: ByteStream;
  /** Whether closing follows the TLS standard (close_notify sent; a ragged EOF is an error). */
  readonly standardCompatible: boolean;
  /** True for the server side of the handshake. */
  readonly serverSide: boolean;
  readonly #tls: TLSSocket;
  readonly #bridge: TransportBridge;
  readonly #notifier: Notifier;
  readonly #rx: NodeReceiver;
  #closed = false;
  #sendBusy = false;
  #receiveBusy = false;
  #sendingTransport = false;
  #receivingTransport = false;
  #transportEof = false;
  #ragged = false;
  #transportError: unknown = undefined;
  #tlsError: unknown = undefined;
  #secure = false;
  /** Cancels a transport receive in progress so its task can react to a TLS event. */
  #interruptPull: (() => void) | null = null;

  private constructor(transport: ByteStream, tls: TLSSocket, bridge: TransportBridge, notifier: Notifier, serverSide: boolean, standardCompatible: boolean) {
    super();
    this.transportStream = requireMethods(transport, ["receive", "send", "aclose"], "TLSStream", "transport");
    this.#tls = tls;
    this.#bridge = bridge;
    this.#notifier = notifier;
    this.serverSide = serverSide;
    this.standardCompatible = standardCompatible;
    this.#rx = new NodeReceiver(tls, notifier);
    this.#rx.onEnd = () =>
      this.#ragged && this.standardCompatible
        ? new BrokenResourceError("TLS peer closed the connection without close_notify (ragged EOF)")
        : new EndOfStream();
    const wake = (): void => notifier.notify();
    // A client's 'secure' comes before tls.connect() verified the certificate and the name;
    // only 'secureConnect' means the handshake passed.
    tls.on(serverSide ? "secure" : "secureConnect", () => {
      this.#secure = true;
      this.#kick();
    });
    tls.on("error", (err: unknown) => {
      this.#tlsError ??= err;
      this.#kick();
    });
    tls.on("drain", wake);
    tls.on("close", () => this.#kick());
    bridge.onActivity = () => {
      if (!this.#sendingTransport) this.#kick();
    };
  }

  /**
   * Wraps `transport` and performs the TLS handshake (a cancel point: cancelled or failed, the
   * TLS state is discarded; closing `transport` is left to the caller, as in AnyIO).
   *
   * @example
   * ```ts
   * const serverSide = await TLSStream.wrap(accepted, { serverSide: true, secureContext });
   * const clientSide = await TLSStream.wrap(tcp, { hostname: "localhost", secureContext: trusting });
   * ```
   */
  static async wrap(transport: ByteStream, options: TLSWrapOptions = {}): Promise<TLSStream> {
    if (transport === null || typeof transport !== "object" || typeof transport.receive !== "function" || typeof transport.send !== "function") {
      throw new TypeError(`TLSStream.wrap(): transport must be a ByteStream, got ${transport === null ? "null" : typeof transport}`);
    }
    if (options === null || typeof options !== "object") throw new TypeError("TLSStream.wrap(): options must be an object");
    const serverSide = options.serverSide ?? false;
    const hostname = options.hostname;
    if (hostname !== undefined && typeof hostname !== "string") throw new TypeError(`TLSStream.wrap(): hostname must be a string, got ${typeof hostname}`);
    const rejectUnauthorized = options.rejectUnauthorized ?? true;
    if (!serverSide && hostname === undefined && rejectUnauthorized) {
      throw new TypeError("TLSStream.wrap(): a client needs a hostname to verify the server's certificate (or rejectUnauthorized: false)");
    }
    const secureContext = options.secureContext ?? options.context;
    const notifier = new Notifier();
    const bridge = new TransportBridge(notifier);
    let tls: TLSSocket;
    if (serverSide) {
      tls = new TLSSocket(bridge, {
        isServer: true,
        secureContext,
        requestCert: options.requestCert ?? false,
        rejectUnauthorized,
        ALPNProtocols: options.alpnProtocols,
      });
    } else {
      tls = tlsConnect({
        socket: bridge,
        host: hostname,
        servername: hostname !== undefined && isIP(hostname) === 0 ? hostname : undefined,
        secureContext,
        rejectUnauthorized,
        ALPNProtocols: options.alpnProtocols,
      } as ConnectionOptions);
    }
    const stream = new TLSStream(transport, tls, bridge, notifier, serverSide, options.standardCompatible ?? true);
    const wait: WaitOptions | undefined = options.signal !== undefined ? { signal: options.signal } : undefined;
    try {
      await stream.#handshake(wait);
      if (serverSide && options.requestCert === true && rejectUnauthorized && !tls.authorized) {
        throw Object.assign(new Error(`TLS client certificate rejected: ${String(tls.authorizationError)}`), { code: "ERR_TLS_CLIENT_CERT_REJECTED" });
      }
    } catch (err) {
      await stream.#discard();
      throw err;
    }
    return stream;
  }

  async #handshake(options: WaitOptions | undefined): Promise<void> {
    for (;;) {
      if (this.#tlsError !== undefined) throw this.#tlsError;
      if (this.#secure) break;
      if (this.#transportError !== undefined) throw brokenFrom(this.#transportError, "the transport failed during the TLS handshake");
      if (this.#transportEof) throw new BrokenResourceError("the transport ended during the TLS handshake");
      await this.#progress(options, true, "TLSStream.wrap");
    }
    // The last handshake flight (client Finished, server tickets) may still be queued.
    while (this.#bridge.outgoing.length > 0 && this.#tlsError === undefined) await this.#progress(options, false, "TLSStream.wrap");
  }

  /** Moves ciphertext one step: sends what the TLS layer wrote, or receives (if `pull`), or waits. */
  async #progress(options: WaitOptions | undefined, pull: boolean, caller: string): Promise<void> {
    if (this.#bridge.outgoing.length > 0 && !this.#sendingTransport) return this.#flushOne(options);
    if (pull && !this.#receivingTransport && !this.#transportEof && this.#transportError === undefined) return this.#pullIn(options);
    return this.#notifier.wait("TLS progress", caller, options);
  }

  async #flushOne(options: WaitOptions | undefined): Promise<void> {
    const item = this.#bridge.outgoing.shift()!;
    this.#sendingTransport = true;
    try {
      await this.transportStream.send(item.chunk, options);
    } catch (err) {
      if (isCancelled(err)) {
        this.#bridge.outgoing.unshift(item); // not sent: keep it first in line
        throw err;
      }
      this.#transportError ??= err;
      item.callback(err as Error);
      throw this.#closed ? new ClosedResourceError() : brokenFrom(err, "the TLS transport failed while sending");
    } finally {
      this.#sendingTransport = false;
      this.#notifier.notify();
    }
    item.callback();
  }

  /**
   * Wakes waiters, and interrupts a transport receive in progress: the TLS layer has something
   * to send or to report (handshake done, an error) that its task must act on. A cancelled
   * receive of a ByteStream loses no data, so the interruption is free.
   */
  #kick(): void {
    this.#notifier.notify();
    this.#interruptPull?.();
  }

  async #pullIn(options: WaitOptions | undefined): Promise<void> {
    this.#receivingTransport = true;
    const scope = new CancelScope();
    this.#interruptPull = () => scope.cancel("TLS event");
    try {
      const data = await scope.run(() => this.transportStream.receive(65_536, scope), options);
      if (data !== undefined) this.#bridge.push(data);
    } catch (err) {
      if (isCancelled(err)) throw err;
      if (err instanceof EndOfStream) {
        // Node's TLS layer reports the peer's close_notify as its own end of stream, at once
        // when the record is pushed in; a transport EOF before that is a ragged EOF.
        const tlsState = (this.#tls as unknown as { _readableState?: { ended?: boolean } })._readableState;
        this.#ragged = tlsState?.ended !== true;
        this.#transportEof = true;
        this.#bridge.push(null);
        return;
      }
      if (this.#closed) throw new ClosedResourceError();
      this.#transportError ??= err;
      this.#rx.fail(err);
      throw brokenFrom(err, "the TLS transport failed while receiving");
    } finally {
      this.#interruptPull = null;
      this.#receivingTransport = false;
      this.#notifier.notify();
    }
  }

  async receive(maxBytes?: number, options?: WaitOptions): Promise<Uint8Array> {
    const max = checkMaxBytes(maxBytes);
    if (this.#closed) throw new ClosedResourceError();
    if (this.#receiveBusy) throw new BusyResourceError("receiving from");
    this.#receiveBusy = true;
    try {
      await checkpoint(options);
      for (;;) {
        if (this.#closed) throw new ClosedResourceError();
        const chunk = this.#rx.tryTake(max);
        if (chunk !== null) return chunk;
        const end = this.#rx.endError();
        if (end !== null) throw end;
        if (this.#tlsError !== undefined) throw brokenFrom(this.#tlsError, "TLS error");
        if (this.#transportError !== undefined) throw brokenFrom(this.#transportError, "the TLS transport failed");
        await this.#progress(options, true, "receive");
      }
    } finally {
      this.#receiveBusy = false;
    }
  }

  async send(data: Uint8Array, options?: WaitOptions): Promise<void> {
    checkBytes(data);
    this.#checkSend();
    if (this.#sendBusy) throw new BusyResourceError("sending to");
    this.#sendBusy = true;
    try {
      await checkpoint(options);
      for (;;) {
        this.#checkSend();
        if (!this.#tls.writableNeedDrain) break;
        await this.#progress(options, false, "send");
      }
      if (data.byteLength === 0) return;
      let done = false;
      let error: unknown = null;
      this.#tls.write(data, (err?: Error | null) => {
        done = true;
        error = err ?? null;
        this.#notifier.notify();
      });
      // Committed to the TLS layer: from here a cancellation ends the wait but not the send
      // (see SocketStream.send); the queued records go out with the next call that moves data.
      let cancelled = false;
      while (!done && !cancelled) {
        this.#checkSend();
        try {
          await this.#progress(options, false, "send");
        } catch (err) {
          if (!isCancelled(err)) throw err;
          cancelled = true;
        }
      }
      if (error !== null) {
        if (this.#closed) throw new ClosedResourceError();
        throw brokenFrom(error, "TLS error while sending");
      }
    } finally {
      this.#sendBusy = false;
    }
  }

  #checkSend(): void {
    if (this.#closed) throw new ClosedResourceError();
    if (this.#tlsError !== undefined) throw brokenFrom(this.#tlsError, "TLS error");
    if (this.#transportError !== undefined) throw brokenFrom(this.#transportError, "the TLS transport failed");
  }

  /** Not supported, as in AnyIO: throws. Use `aclose()`. */
  async sendEof(): Promise<void> {
    throw new Error("TLSStream does not support sendEof(): TLS streams cannot be half-closed");
  }

  /**
   * Closes the TLS session — sending close_notify first when `standardCompatible` (cancellable:
   * cancelled, it is skipped) — and then the transport.
   */
  async aclose(options?: WaitOptions): Promise<void> {
    if (this.#closed) return;
    let interrupted: unknown = undefined;
    if (this.standardCompatible && this.#secure && this.#tlsError === undefined && this.#transportError === undefined) {
      try {
        this.#tls.end();
        while (!this.#bridge.finalRequested || this.#bridge.outgoing.length > 0) {
          if (this.#tlsError !== undefined || this.#transportError !== undefined || this.#tls.destroyed) break;
          await this.#progress(options, false, "aclose");
        }
      } catch (err) {
        // A peer that is gone cannot be told; closing goes on. Cancellation skips the goodbye.
        if (isCancelled(err)) interrupted = err;
      }
    }
    await this.#discard();
    if (interrupted !== undefined) {
      await acloseForcefully(this.transportStream);
      throw interrupted;
    }
    await this.transportStream.aclose();
  }

  /** Drops the TLS state without sending anything (the transport is left alone). */
  async #discard(): Promise<void> {
    this.#closed = true;
    this.#rx.close();
    this.#notifier.notify();
    this.#tls.on("error", () => undefined);
    this.#bridge.on("error", () => undefined);
    await destroyAndWait(this.#tls);
    this.#bridge.destroy();
  }

  override get extraAttributes(): AttributeGetters {
    const tls = this.#tls;
    const own = new Map<TypedAttribute<unknown>, () => unknown>([
      [TLSAttribute.alpnProtocol, () => (typeof tls.alpnProtocol === "string" ? tls.alpnProtocol : null)],
      [TLSAttribute.cipher, () => tls.getCipher()],
      [TLSAttribute.peerCertificate, () => {
        const cert = tls.getPeerCertificate();
        return cert === null || cert === undefined || Object.keys(cert).length === 0 ? null : cert;
      }],
      [TLSAttribute.peerCertificateBinary, () => {
        const cert = tls.getPeerX509Certificate();
        return cert === undefined ? null : new Uint8Array(cert.raw);
      }],
      [TLSAttribute.tlsVersion, () => tls.getProtocol()],
      [TLSAttribute.serverSide, () => this.serverSide],
      [TLSAttribute.standardCompatible, () => this.standardCompatible],
      [TLSAttribute.tlsSocket, () => tls],
    ]);
    return mergeAttributes(this.transportStream.extraAttributes, own);
  }
}

