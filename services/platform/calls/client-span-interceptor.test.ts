import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Registry } from "prom-client";
import {
  file_superheroes_hero_v1_hero_service,
  HeroService,
} from "../../../gen/superheroes/hero/v1/hero_service_pb.js";
import { createInMemoryHeroes } from "../../../testkit/grpc/in-memory-heroes.js";
import { createCapturedLogger } from "../../../testkit/captured-logger.js";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../../../testkit/otlp-receiver.js";
import { waitFor } from "../../../testkit/wait-for.js";
import type { CallContext } from "../core/call-context.js";
import { UnavailableError } from "../core/errors.js";
import { newTraceContext } from "../core/trace-context.js";
import { createClientMetrics } from "../observability/client-metrics.js";
import { startTracing, type Tracing } from "../observability/tracing.js";
import { registration, startGrpcServer, type RunningGrpcServer } from "../server/grpc-server.js";
import { createBreakerMetrics, createUpstreamClient, type UpstreamClient } from "./upstream-client.js";

const callContext = (): CallContext => ({
  signal: new AbortController().signal,
  deadline: Date.now() + 5000,
  trace: newTraceContext(),
  requestId: undefined,
});

// A real grpc-js server and upstream client in this process, both traced by the real SDK into a
// real OTLP/HTTP receiver: the client span is the caller's child, the server span the client's.
describe("client and server spans of one upstream call", () => {
  let receiver: OtlpReceiver;
  let tracing: Tracing;
  let server: RunningGrpcServer;
  let upstream: UpstreamClient<typeof HeroService>;
  before(async () => {
    process.env.OTEL_BSP_SCHEDULE_DELAY = "20";
    receiver = await startOtlpReceiver();
    const { logger } = createCapturedLogger("heroes");
    tracing = (await startTracing({ serviceName: "heroes", tracesUrl: `${receiver.url}/v1/traces` }, logger))!;
    server = await startGrpcServer({
      host: "127.0.0.1",
      port: 0,
      services: [
        registration(
          HeroService,
          createInMemoryHeroes({
            hold: async (method) => {
              if (method === "batchGetHeroes") throw new UnavailableError("heroes database is down");
            },
          }),
        ),
      ],
      files: [file_superheroes_hero_v1_hero_service],
      logger,
      registry: new Registry(),
      maxInFlight: 100,
      maxMessageBytes: 1 << 20,
      tracer: tracing.tracer,
    });
    server.health.setServing(true);
    const registry = new Registry();
    upstream = createUpstreamClient(
      HeroService,
      {
        name: "heroes",
        target: `127.0.0.1:${server.port}`,
        timeoutMs: 2000,
        idempotentMethods: [],
        maxAttempts: 1,
        hedgeDelayMs: 0,
        slowCallMs: 1000,
        breakerSlowCall: { factor: 3, floorMs: 1000, ceilingMs: 1000 },
        breakerHealthIntervalMs: 60_000,
        breakerEnabled: true,
        breaker: { minimumCalls: 1, failureRate: 0.5, openMs: 60_000 },
      },
      {
        logger,
        clientMetrics: createClientMetrics(registry),
        breakerMetrics: createBreakerMetrics(registry),
        tracer: tracing.tracer,
      },
    );
  });
  after(async () => {
    upstream?.close();
    await server?.shutdown(0);
    await tracing?.shutdown();
    await receiver?.close();
  });

  const spansOf = async (caller: CallContext, count: number) => {
    const of = () => receiver.spans().filter((span) => span.traceId === caller.trace.traceId);
    await waitFor(`${count} spans of trace ${caller.trace.traceId}`, () => of().length >= count);
    return of();
  };
  const byKind = (spans: readonly ReceivedSpan[], kind: ReceivedSpan["kind"]) => spans.find((s) => s.kind === kind)!;

  it("parents the client span on the caller's span and the server span on the client span", async () => {
    const caller = callContext();
    await upstream.methods.getHero({ id: 1n }, upstream.callOptions(caller));
    const spans = await spansOf(caller, 2);
    const [client, server] = [byKind(spans, "client"), byKind(spans, "server")];
    assert.equal(client.name, "superheroes.hero.v1.HeroService/GetHero");
    assert.equal(client.parentSpanId, caller.trace.spanId);
    assert.equal(server.parentSpanId, client.spanId);
    assert.deepEqual([client.statusCode, server.statusCode], [0, 0]);
    assert.deepEqual([client.attributes["rpc.status_code"], server.attributes["rpc.status_code"]], ["OK", "OK"]);
  });

  it("fails the client span on NOT_FOUND but not the server span (the caller's mistake)", async () => {
    const caller = callContext();
    await assert.rejects(upstream.methods.getHero({ id: 99n }, upstream.callOptions(caller)));
    const spans = await spansOf(caller, 2);
    assert.deepEqual(
      [byKind(spans, "client").statusCode, byKind(spans, "server").statusCode],
      [2, 0],
      "client ERROR, server unset",
    );
    assert.equal(byKind(spans, "server").attributes["rpc.status_code"], "NOT_FOUND");
  });

  it("fails both spans on UNAVAILABLE, then gives a call the open breaker refuses a failed client span of its own", async () => {
    const first = callContext();
    await assert.rejects(upstream.methods.batchGetHeroes({ ids: [1n] }, upstream.callOptions(first)));
    const spans = await spansOf(first, 2);
    assert.deepEqual([byKind(spans, "client").statusCode, byKind(spans, "server").statusCode], [2, 2]);
    assert.equal(upstream.breaker?.state(), "OPEN");
    const refused = callContext();
    await assert.rejects(upstream.methods.getHero({ id: 1n }, upstream.callOptions(refused)));
    const [client] = await spansOf(refused, 1);
    assert.equal(client!.kind, "client");
    assert.equal(client!.parentSpanId, refused.trace.spanId);
    assert.equal(client!.attributes["rpc.status_code"], "UNAVAILABLE");
  });
});
