import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { CallContext } from "../../platform/core/call-context.js";
import { newTraceContext, type TraceContext } from "../../platform/core/trace-context.js";
import { createLogger } from "../../platform/observability/logger.js";
import { startTracing, type Tracing } from "../../platform/observability/tracing.js";
import { startOtlpReceiver, type OtlpReceiver } from "../../../testkit/otlp-receiver.js";
import { waitFor } from "../../../testkit/wait-for.js";
import { createCoalescer } from "./coalescer.js";
import { createFighterPool } from "./fighter-pool.js";

const context = (): CallContext => ({
  signal: new AbortController().signal,
  deadline: Date.now() + 1000,
  trace: newTraceContext(),
  requestId: undefined,
});

// The real SDK and exporter, in this process, to a real OTLP/HTTP receiver.
describe("spans of shared upstream work (coalesced batches, pool refills)", () => {
  let receiver: OtlpReceiver;
  let tracing: Tracing;
  before(async () => {
    // The SDK reads its batch delay from the environment: export 20 ms after a span ends.
    process.env.OTEL_BSP_SCHEDULE_DELAY = "20";
    receiver = await startOtlpReceiver();
    tracing = (await startTracing(
      { serviceName: "fights", tracesUrl: `${receiver.url}/v1/traces` },
      createLogger("fights", "warn"),
    ))!;
  });
  after(async () => {
    await tracing.shutdown();
    await receiver.close();
  });
  const exported = async (name: string) => {
    await waitFor(`span ${name} at the receiver`, () => receiver.spans().some((span) => span.name === name));
    return receiver.spans().find((span) => span.name === name)!;
  };

  it("makes a coalesced batch the child of its first caller's span, linking the other callers", async () => {
    const seen: TraceContext[] = [];
    const coalescer = createCoalescer(
      async (count, batchContext) => {
        seen.push(batchContext.trace);
        return Array.from({ length: count }, (_, i) => i);
      },
      { maxBatch: 1000, maxWaitMs: 0, tracer: tracing.tracer, spanName: "heroes" },
    );
    const callers = [context(), context(), context()];
    await Promise.all(callers.map((caller) => coalescer.take(1, caller)));
    const batch = await exported("coalesced_batch_heroes");
    assert.equal(batch.traceId, callers[0]!.trace.traceId);
    assert.equal(batch.parentSpanId, callers[0]!.trace.spanId);
    assert.deepEqual(
      batch.links,
      callers.slice(1).map(({ trace }) => ({ traceId: trace.traceId, spanId: trace.spanId })),
    );
    assert.equal(batch.attributes["fights.batch.callers"], 3);
    // The upstream call is made under the batch span: its client span will be the batch's child.
    assert.deepEqual(seen, [{ traceId: batch.traceId, spanId: batch.spanId, flags: "01" }]);
  });

  it("makes each pool refill the root span of its own trace, and the refill's calls its children", async () => {
    const seen: TraceContext[] = [];
    const pool = createFighterPool(
      async (count, refillContext) => {
        seen.push(refillContext.trace);
        return Array.from({ length: count }, (_, i) => i);
      },
      async () => [],
      { size: 10, ttlMs: 60_000, refillTimeoutMs: 1000, maxBatch: 1000, tracer: tracing.tracer, spanName: "villains" },
    );
    await pool.take(1, context());
    const refill = await exported("pool_refill_villains");
    assert.equal(refill.parentSpanId, "");
    assert.deepEqual(seen, [{ traceId: refill.traceId, spanId: refill.spanId, flags: "01" }]);
  });
});
