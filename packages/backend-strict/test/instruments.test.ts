import { checkpoint, run, sleep, withTaskGroup } from "@anyio/core";
import { type Instrument, InstrumentError, strictBackend } from "@anyio/backend-strict";
import { describe, expect, it } from "vitest";

/** Records every hook as "hook name[:detail]". */
function recorder(): { events: string[]; instrument: Instrument } {
  const events: string[] = [];
  const instrument: Instrument = {
    beforeRun: (r) => void events.push(`beforeRun seed=${String(r.seed)} clock=${r.clock}`),
    afterRun: () => void events.push("afterRun"),
    taskSpawned: (t) => void events.push(`spawned ${t.name}`),
    taskScheduled: (t) => void events.push(`scheduled ${t.name}`),
    beforeTaskStep: (t) => void events.push(`before ${t.name}`),
    afterTaskStep: (t) => void events.push(`after ${t.name}`),
    taskBlocked: (t, what) => void events.push(`blocked ${t.name}:${what}`),
    taskExited: (t) => void events.push(`exited ${t.name}`),
    clockJumped: (from, to) => void events.push(`jumped +${to - from}`),
  };
  return { events, instrument };
}

const only = (events: string[], name: string) => events.filter((e) => e.endsWith(` ${name}`) || e.includes(` ${name}:`));

describe("instruments", () => {
  it("see spawn → scheduled → exited in order for each task of a simple group", async () => {
    const { events, instrument } = recorder();
    await run(async () => {
      await withTaskGroup(async (tg) => {
        tg.startSoon(() => undefined, { name: "child1" });
        tg.startSoon(() => undefined, { name: "child2" });
      });
    }, { backend: strictBackend({ instruments: [instrument] }), name: "root" });
    for (const name of ["child1", "child2"]) {
      expect(only(events, name)).toEqual([`spawned ${name}`, `scheduled ${name}`, `before ${name}`, `after ${name}`, `exited ${name}`]);
    }
    expect(events[0]).toBe("beforeRun seed=undefined clock=virtual");
    expect(events.at(-1)).toBe("afterRun");
    expect(events.indexOf("exited root")).toBe(events.length - 2);
  });

  it("report a checkpoint as a step end followed by rescheduling, and a wait as blocking", async () => {
    const { events, instrument } = recorder();
    await run(async () => {
      await checkpoint();
      await sleep(5);
    }, { backend: strictBackend({ instruments: [instrument] }), name: "root" });
    expect(only(events, "root")).toEqual([
      "spawned root",
      "scheduled root",
      "before root",
      "after root", // checkpoint
      "scheduled root",
      "before root",
      "after root", // sleep
      "blocked root:sleep",
      "scheduled root",
      "before root",
      "after root",
      "exited root",
    ]);
    expect(events).toContain("jumped +5");
  });

  it("see every task of checkpoints made together scheduled and stepped, without a seed", async () => {
    const { events, instrument } = recorder();
    await run(async () => {
      await withTaskGroup(async (tg) => {
        for (const name of ["p", "q", "r"]) {
          tg.startSoon(async () => {
            await checkpoint();
          }, { name });
        }
      });
    }, { backend: strictBackend({ instruments: [instrument] }) });
    for (const name of ["p", "q", "r"]) {
      expect(only(events, name)).toEqual([
        `spawned ${name}`,
        `scheduled ${name}`,
        `before ${name}`,
        `after ${name}`, // checkpoint
        `scheduled ${name}`,
        `before ${name}`,
        `after ${name}`,
        `exited ${name}`,
      ]);
    }
    // The three resume in the order they checkpointed.
    const resumed = events.filter((e) => /^before [pqr]$/.test(e)).slice(3);
    expect(resumed).toEqual(["before p", "before q", "before r"]);
  });

  it("trace an interleaving identically on every run with the same seed", async () => {
    const traceOnce = async () => {
      const { events, instrument } = recorder();
      await run(async () => {
        await withTaskGroup(async (tg) => {
          for (let i = 0; i < 5; i++) {
            tg.startSoon(async () => {
              await checkpoint();
              await sleep(i % 2);
            }, { name: `t${i}` });
          }
        });
      }, { backend: strictBackend({ seed: 99, instruments: [instrument] }) });
      return events;
    };
    const first = await traceOnce();
    expect(first.length).toBeGreaterThan(20);
    expect(await traceOnce()).toEqual(first);
  });

  it("can be added and removed between runs", async () => {
    const backend = strictBackend();
    const { events, instrument } = recorder();
    backend.addInstrument(instrument);
    expect(backend.instruments).toEqual([instrument]);
    await run(() => undefined, { backend, name: "first" });
    expect(backend.removeInstrument(instrument)).toBe(true);
    expect(backend.removeInstrument(instrument)).toBe(false);
    await run(() => undefined, { backend, name: "second" });
    expect(events.some((e) => e.includes("first"))).toBe(true);
    expect(events.some((e) => e.includes("second"))).toBe(false);
  });

  it("fail the run with an InstrumentError when a hook throws", async () => {
    const broken: Instrument = {
      taskSpawned: (t) => {
        if (t.name === "victim") throw new Error("tracer broke");
      },
    };
    const error = await run(async () => {
      await withTaskGroup(async (tg) => {
        tg.startSoon(() => sleep(10), { name: "victim" });
      });
    }, { backend: strictBackend({ seed: 5, instruments: [broken] }) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InstrumentError);
    expect((error as InstrumentError).hook).toBe("taskSpawned");
    expect((error as Error).message).toMatch(/tracer broke.*seed 5/);
  });

  it("reject something that is not an object as an instrument", () => {
    expect(() => strictBackend({ instruments: [null as unknown as Instrument] })).toThrow(TypeError);
    expect(() => strictBackend().addInstrument(42 as unknown as Instrument)).toThrow(TypeError);
  });
});
