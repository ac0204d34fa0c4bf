import { Cancelled, ExceptionGroup, catchGroup, getCancelledExcClass, isCancelled } from "@anyio/core";
import { describe, expect, it } from "vitest";

class A extends Error {}
class B extends Error {}

describe("ExceptionGroup", () => {
  it("is an AggregateError whose exceptions alias errors", () => {
    const eg = new ExceptionGroup("msg", [new A("a")]);
    expect(eg).toBeInstanceOf(AggregateError);
    expect(eg.exceptions).toBe(eg.errors);
    expect(eg.name).toBe("ExceptionGroup");
  });

  it("refuses an empty list", () => {
    expect(() => new ExceptionGroup("m", [])).toThrow(TypeError);
  });

  it("split() by class keeps nesting on both sides", () => {
    const a1 = new A("a1");
    const b1 = new B("b1");
    const a2 = new A("a2");
    const eg = new ExceptionGroup("outer", [a1, new ExceptionGroup("inner", [b1, a2])]);
    const [match, rest] = eg.split(A);
    expect(match!.errors[0]).toBe(a1);
    expect((match!.errors[1] as ExceptionGroup).errors).toEqual([a2]);
    expect(((rest!.errors[0] as ExceptionGroup).errors)).toEqual([b1]);
    expect(eg.subgroup(B)!.leaves()).toEqual([b1]);
  });

  it("split() by predicate and an all-matching split return the group itself", () => {
    const eg = new ExceptionGroup("g", [new A("x"), new A("y")]);
    const [match, rest] = eg.split((e) => e instanceof A);
    expect(match).toBe(eg);
    expect(rest).toBeUndefined();
    expect(eg.subgroup(B)).toBeUndefined();
  });
});

describe("catchGroup", () => {
  it("hands each handler its matches and re-throws the rest as a group", async () => {
    const seen: string[] = [];
    const err = await catchGroup(
      () => {
        throw new ExceptionGroup("g", [new A("a"), new B("b")]);
      },
      [[A, (eg) => void seen.push(...eg.errors.map((e) => (e as Error).message))]],
    ).catch((e: unknown) => e);
    expect(seen).toEqual(["a"]);
    expect(err).toBeInstanceOf(ExceptionGroup);
    expect((err as ExceptionGroup).leaves().map((e) => (e as Error).message)).toEqual(["b"]);
  });

  it("treats a lone error as a group of one and re-throws it unchanged when unmatched", async () => {
    const lone = new B("lone");
    await expect(catchGroup(() => Promise.reject(lone), [[A, () => undefined]])).rejects.toBe(lone);
    let handled = false;
    await catchGroup(() => Promise.reject(new A("x")), [[A, () => void (handled = true)]]);
    expect(handled).toBe(true);
  });

  it("resolves with the body's value when nothing is thrown", async () => {
    expect(await catchGroup(async () => 3, [])).toBe(3);
  });
});

describe("Cancelled", () => {
  it("is recognised by isCancelled and getCancelledExcClass, also through a copied brand", () => {
    const c = new Cancelled();
    expect(isCancelled(c)).toBe(true);
    expect(c).toBeInstanceOf(getCancelledExcClass());
    const foreignCopy = Object.create({ [Symbol.for("anyio.Cancelled")]: true });
    expect(isCancelled(foreignCopy)).toBe(true);
    expect(isCancelled(new Error("x"))).toBe(false);
    expect(isCancelled(null)).toBe(false);
  });
});
