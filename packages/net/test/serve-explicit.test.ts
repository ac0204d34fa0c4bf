/**
 * serve() hands each handler its own task's context, so a server written in explicit context
 * (browsers' style, or `run(main, { context: "explicit" })` on Node) names it in every call.
 */
import { ClosedResourceError, withTaskGroup } from "@anyio/core";
import { SocketAttribute, connectTcp, createTcpListener } from "@anyio/net";
import { describeEachBackend } from "@anyio/testing/vitest";
import { expect, it } from "vitest";
import { bytes, text } from "./helpers.js";

describeEachBackend("serve() in explicit context", ({ run }) => {
  it("an echo server and its clients run with every context named, handlers on tasks of their own", () =>
    run(
      async (cx) => {
        const listener = await createTcpListener({ localHost: "127.0.0.1", signal: cx.signal });
        const port = listener.extra(SocketAttribute.localPort);
        const handlerIds = new Set<number>();
        await withTaskGroup(async (tg) => {
          tg.startSoon(async (scx) => {
            try {
              await listener.serve(
                async (stream, hcx) => {
                  handlerIds.add(hcx.id);
                  const got = await stream.receive(undefined, hcx);
                  await stream.send(got, hcx);
                },
                undefined,
                scx,
              );
            } catch (err) {
              if (!(err instanceof ClosedResourceError)) throw err;
            }
          });
          for (const word of ["one", "two"]) {
            const client = await connectTcp("127.0.0.1", port, { signal: cx.signal });
            await client.send(bytes(word), cx);
            expect(text(await client.receive(undefined, cx))).toBe(word);
            await client.aclose();
          }
          // Closing in explicit context too: it must not need an ambient task.
          await listener.aclose();
        }, cx);
        expect(handlerIds.size).toBe(2);
        expect(handlerIds.has(cx.id)).toBe(false);
      },
      { context: "explicit" },
    ));
});
