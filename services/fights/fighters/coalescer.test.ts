import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CallContext } from "../../platform/core/call-context.js";
import { CancelledError } from "../../platform/core/errors.js";
import { newTraceContext } from "../../platform/core/trace-context.js";
import { createCoalescer } from "./coalescer.js";

const context = (deadline = Date.now() + 1000, signal = new AbortController().signal): CallContext => ({
  signal,
  deadline,
  trace: newTraceContext(),
  requestId: undefined,
});

describe("createCoalescer", () => {
  it("turns the picks of one event-loop turn into one upstream call and hands out distinct rows", async () => {
    const calls: number[] = [];
    const coalescer = createCoalescer(
      async (count) => {
        calls.push(count);
        return Array.from({ length: count }, (_, i) => i);
      },
      { maxBatch: 1000, maxWaitMs: 0 },
    );
    const results = await Promise.all(Array.from({ length: 50 }, () => coalescer.take(1, context())));
    assert.deepEqual(calls, [50]);
    assert.deepEqual(
      results.flat().sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.deepEqual(coalescer.stats(), { requests: 50, upstreamCalls: 1, items: 50 });
  });

  it("splits a turn into calls of at most maxBatch", async () => {
    const calls: number[] = [];
    const coalescer = createCoalescer(
      async (count) => {
        calls.push(count);
        return Array.from({ length: count }, (_, i) => i);
      },
      { maxBatch: 10, maxWaitMs: 0 },
    );
    await Promise.all([coalescer.take(6, context()), coalescer.take(6, context()), coalescer.take(3, context())]);
    assert.deepEqual(calls, [6, 9]);
  });

  it("repeats rows when the upstream has fewer than were asked for", async () => {
    const coalescer = createCoalescer(async () => ["only"], { maxBatch: 1000, maxWaitMs: 0 });
    const results = await Promise.all([coalescer.take(1, context()), coalescer.take(1, context())]);
    assert.deepEqual(results, [["only"], ["only"]]);
  });

  it("rejects every waiter of a failed batch", async () => {
    const coalescer = createCoalescer<number>(
      async () => {
        throw new Error("upstream down");
      },
      { maxBatch: 1000, maxWaitMs: 0 },
    );
    const results = await Promise.allSettled([coalescer.take(1, context()), coalescer.take(1, context())]);
    assert.deepEqual(
      results.map((r) => r.status === "rejected" && (r.reason as Error).message),
      ["upstream down", "upstream down"],
    );
  });

  it("gives the batch the latest deadline and cancels it only when every caller has gone", async () => {
    let seen: CallContext | undefined;
    let release!: () => void;
    const coalescer = createCoalescer(
      async (count, batchContext) => {
        seen = batchContext;
        await new Promise<void>((resolve) => (release = resolve));
        return Array.from({ length: count }, (_, i) => i);
      },
      { maxBatch: 1000, maxWaitMs: 0 },
    );
    const first = new AbortController();
    const second = new AbortController();
    const a = coalescer.take(1, context(5_000, first.signal));
    const b = coalescer.take(1, context(9_000, second.signal));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(seen?.deadline, 9_000);
    first.abort();
    await assert.rejects(a, CancelledError);
    assert.equal(seen?.signal.aborted, false, "one caller is still waiting");
    second.abort();
    await assert.rejects(b, CancelledError);
    assert.equal(seen?.signal.aborted, true);
    release();
  });
});
