/**
 * `TLSListener`: wraps every connection of another listener in TLS.
 *
 * @module
 */
import type { SecureContext } from "node:tls";
import {
  AsyncResourceBase,
  acloseForcefully,
  failAfter,
  isCancelled,
  type AttributeGetters,
  type ByteStream,
  type Listener,
  type TaskContext,
  type TaskGroup,
  type WaitOptions,
} from "@anyio/core";
import { TLSStream } from "./tls-stream.js";

/** Options of {@link TLSListener}. */
export interface TLSListenerOptions {
  /** Milliseconds a client has to complete the handshake (default 30 000). */
  handshakeTimeout?: number;
  /** See `TLSStream.wrap` (default true). */
  standardCompatible?: boolean;
  /** Ask clients for certificates (verified against the context's CAs). */
  requestCert?: boolean;
  /** ALPN protocols to accept, in preference order. */
  alpnProtocols?: string[];
}

/**
 * Serves TLS over the connections of `listener` (AnyIO's `TLSListener`): each accepted stream
 * does its handshake (bounded by `handshakeTimeout`) in its own handler task, so a slow client
 * never holds up the others. A failed handshake goes to {@link TLSListener.handleHandshakeError}
 * (override it to log), and the connection is dropped.
 *
 * @example
 * ```ts
 * const context = tls.createSecureContext({ cert, key });
 * await using listener = new TLSListener(await createTcpListener({ localPort: 8443 }), context);
 * await listener.serve(async (stream) => { await stream.send(await stream.receive()); });
 * ```
 */
export class TLSListener extends AsyncResourceBase implements Listener<TLSStream> {
  /** The listener whose connections are wrapped in TLS. */
  readonly listener: Listener<ByteStream>;
  /** The server's context (certificate, key, CAs), from `tls.createSecureContext()`. */
  readonly secureContext: SecureContext;
  /** Milliseconds a client has to complete its handshake. */
  readonly handshakeTimeout: number;
  /** Whether the accepted streams follow the TLS standard on closing (see `TLSStream.wrap`). */
  readonly standardCompatible: boolean;
  readonly #options: TLSListenerOptions;

  constructor(listener: Listener<ByteStream>, secureContext: SecureContext, options: TLSListenerOptions = {}) {
    super();
    if (listener === null || typeof listener !== "object" || typeof listener.serve !== "function") {
      throw new TypeError(`TLSListener(): listener must be a Listener, got ${listener === null ? "null" : typeof listener}`);
    }
    if (secureContext === null || typeof secureContext !== "object") {
      throw new TypeError("TLSListener(): secureContext must come from tls.createSecureContext()");
    }
    const timeout = options.handshakeTimeout ?? 30_000;
    if (typeof timeout !== "number" || Number.isNaN(timeout)) throw new RangeError(`TLSListener(): handshakeTimeout must be a number of ms, got ${String(timeout)}`);
    this.listener = listener;
    this.secureContext = secureContext;
    this.handshakeTimeout = timeout;
    this.standardCompatible = options.standardCompatible ?? true;
    this.#options = options;
  }

  /**
   * Called with the error of a failed handshake (including a timeout) and the raw stream,
   * which it must close. The default closes it forcefully and re-throws cancellation; it logs
   * nothing. Override (or assign) to log.
   *
   * @example
   * ```ts
   * class LoggingTLSListener extends TLSListener {
   *   override async handleHandshakeError(err: unknown, stream: ByteStream) {
   *     console.warn("TLS handshake failed:", err);
   *     await super.handleHandshakeError(err, stream);
   *   }
   * }
   * ```
   */
  async handleHandshakeError(error: unknown, stream: ByteStream): Promise<void> {
    await acloseForcefully(stream);
    if (isCancelled(error)) throw error;
  }

  async serve(handler: (stream: TLSStream, cx: TaskContext) => unknown, taskGroup?: TaskGroup, options?: WaitOptions): Promise<never> {
    if (typeof handler !== "function") throw new TypeError(`serve(): handler must be a function, got ${typeof handler}`);
    return this.listener.serve(
      async (stream: ByteStream, cx: TaskContext) => {
        let wrapped: TLSStream;
        try {
          wrapped = (await failAfter(this.handshakeTimeout, cx).run(
            (scope) =>
              TLSStream.wrap(stream, {
                // The scope names the context (explicit mode too): the handshake is its body.
                signal: scope.signal,
                serverSide: true,
                secureContext: this.secureContext,
                standardCompatible: this.standardCompatible,
                requestCert: this.#options.requestCert,
                alpnProtocols: this.#options.alpnProtocols,
              }),
            cx,
          ))!;
        } catch (err) {
          await this.handleHandshakeError(err, stream);
          return;
        }
        try {
          await handler(wrapped, cx);
        } finally {
          await wrapped.aclose();
        }
      },
      taskGroup,
      options,
    );
  }

  /** Closes the listener underneath. */
  aclose(): Promise<void> {
    return this.listener.aclose();
  }

  override get extraAttributes(): AttributeGetters {
    return this.listener.extraAttributes;
  }
}
