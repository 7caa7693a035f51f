import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { status as Status } from "@grpc/grpc-js";
import { HeroService } from "../../../gen/superheroes/hero/v1/hero_service_pb.js";
import type { CallContext } from "../core/call-context.js";
import type { LogLine } from "../../../testkit/captured-logger.js";
import { callUnary } from "../../../testkit/grpc/grpc-test-client.js";
import { startTestService, type TestService } from "../../../testkit/grpc/test-service.js";

const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
const traceparent = `00-${traceId}-00f067aa0ba902b7-01`;

describe("access log", { timeout: 20_000 }, () => {
  let test: TestService;
  const seen: CallContext[] = [];
  before(async () => {
    test = await startTestService({
      hold: async (method, context) => {
        seen.push(context);
        if (method === "updateHero") throw new Error("disk on fire");
      },
    });
  });
  after(() => test.close());

  const callLines = (method: string): LogLine[] =>
    test.logLines().filter((line) => line.msg !== undefined && line.grpc_method === method);

  it("writes one line per call with the trace id passed in traceparent", async () => {
    await callUnary(test.client, HeroService.method.getHero, { id: 1n }, { metadata: { traceparent } });
    const lines = callLines("GetHero");
    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.equal(line?.msg, "call");
    assert.equal(line?.level, 30);
    assert.equal(line?.service, "heroes-test");
    assert.equal(line?.grpc_service, "superheroes.hero.v1.HeroService");
    assert.equal(line?.grpc_code, "OK");
    assert.equal(line?.traceId, traceId);
    assert.equal(typeof line?.durationMs, "number");
    assert.equal(line?.details, undefined);
    // The handler sees the same trace, so its own log lines and upstream calls carry it too.
    assert.equal(seen.at(-1)?.trace.traceId, traceId);
  });

  it("gives a call without traceparent a new trace id, the same one the handler sees", async () => {
    await callUnary(test.client, HeroService.method.getRandomHero, {});
    await callUnary(test.client, HeroService.method.getRandomHero, {});
    const lines = callLines("GetRandomHero");
    assert.equal(lines.length, 2);
    const [first, second] = lines.map((line) => line.traceId);
    assert.match(String(first), /^[0-9a-f]{32}$/);
    assert.notEqual(first, second);
    assert.notEqual(first, traceId);
    assert.equal(seen.at(-1)?.trace.traceId, second);
  });

  it("replaces a malformed traceparent with a new trace id", async () => {
    await callUnary(test.client, HeroService.method.listHeroes, {}, { metadata: { traceparent: "00-not-a-trace-01" } });
    const [line] = callLines("ListHeroes");
    assert.match(String(line?.traceId), /^[0-9a-f]{32}$/);
  });

  it("logs the code and details of a failed call, at info for a caller error", async () => {
    await assert.rejects(
      callUnary(test.client, HeroService.method.deleteHero, { id: 42n }, { metadata: { traceparent } }),
      {
        code: Status.NOT_FOUND,
        details: "hero 42 not found",
      },
    );
    const [line] = callLines("DeleteHero");
    assert.deepEqual(
      { msg: line?.msg, level: line?.level, code: line?.grpc_code, details: line?.details, traceId: line?.traceId },
      { msg: "call", level: 30, code: "NOT_FOUND", details: "hero 42 not found", traceId },
    );
  });

  it("logs an unanticipated error in full with the trace id while the caller sees INTERNAL", async () => {
    await assert.rejects(
      callUnary(
        test.client,
        HeroService.method.updateHero,
        { hero: { id: 1n, name: "x" } },
        { metadata: { traceparent } },
      ),
      {
        code: Status.INTERNAL,
        details: "internal error",
      },
    );
    const [line] = callLines("UpdateHero");
    assert.deepEqual(
      { msg: line?.msg, level: line?.level, code: line?.grpc_code, details: line?.details, traceId: line?.traceId },
      { msg: "call failed", level: 40, code: "INTERNAL", details: "internal error", traceId },
    );
    const errors = test.logLines().filter((entry) => entry.msg === "unanticipated error");
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.traceId, traceId);
    assert.equal(errors[0]?.method, "UpdateHero");
    assert.equal((errors[0]?.err as { message?: unknown } | undefined)?.message, "disk on fire");
  });
});

describe("access log modes (ACCESS_LOG)", { timeout: 20_000 }, () => {
  const modes = [
    { mode: "errors" as const, expected: ["NOT_FOUND"] },
    { mode: "off" as const, expected: [] },
  ];
  for (const { mode, expected } of modes) {
    it(`${mode}: logs ${expected.length === 0 ? "no call" : "only calls that did not end OK"}`, async () => {
      const test = await startTestService({ config: { accessLog: mode } });
      try {
        await callUnary(test.client, HeroService.method.getHero, { id: 1n });
        await callUnary(test.client, HeroService.method.getHero, { id: 999n }).catch(() => undefined);
        const codes = test
          .logLines()
          .filter((line) => line.grpc_method === "GetHero")
          .map((line) => line.grpc_code);
        assert.deepEqual(codes, expected);
      } finally {
        await test.close();
      }
    });
  }
});
