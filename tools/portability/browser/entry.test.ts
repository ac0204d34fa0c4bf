// The browser export path is the one that loaded: no AsyncLocalStorage carrier is installed.
import { NoContextError, run, sleep } from "@anyio/core";
import { nativeBackend } from "@anyio/backend-native";
import { describe, expect, it } from "vitest";

describe("browser entry of @anyio/core", () => {
  it("runs in a real browser", () => {
    expect(navigator.userAgent).toMatch(/HeadlessChrome/);
    expect(typeof (globalThis as { process?: unknown }).process).toBe("undefined");
  });

  it("has no ambient context: asking for it is a TypeError that says so", () => {
    expect(() => run(async () => undefined, { backend: nativeBackend(), context: "ambient" })).toThrow(/browser build/);
  });

  it("defaults to explicit context: a call without cx throws NoContextError, with cx it works", async () => {
    const result = await run(async (cx) => {
      // sleep() throws synchronously here (the context is looked up before a promise exists).
      await expect((async () => sleep(1))()).rejects.toBeInstanceOf(NoContextError);
      await sleep(1, cx);
      return "ok";
    }, { backend: nativeBackend() });
    expect(result).toBe("ok");
  });
});
