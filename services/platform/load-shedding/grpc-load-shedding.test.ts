import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { status as Status } from "@grpc/grpc-js";
import { HeroService } from "../../../gen/superheroes/hero/v1/hero_service_pb.js";
import { adminRequest, readMetric } from "../../../testkit/processes/admin-client.js";
import { createGate } from "../../../testkit/gate.js";
import { deadlineExceededDetails } from "../../../testkit/grpc/call-failure.js";
import { callUnary } from "../../../testkit/grpc/grpc-test-client.js";
import { checkHealth } from "../../../testkit/grpc/health-client.js";
import { startTestService } from "../../../testkit/grpc/test-service.js";
import { closeLatencyWindow } from "../../../testkit/latency-window.js";
import { waitFor } from "../../../testkit/wait-for.js";

const busy = "server busy: more than 2 calls in flight; retry with backoff";

describe("load shedding", { timeout: 20_000 }, () => {
  it("refuses calls beyond max in-flight with RESOURCE_EXHAUSTED at once, and is back to normal after", async (t) => {
    const gate = createGate();
    const test = await startTestService({ config: { maxInFlight: 2 }, hold: () => gate.pass() });
    t.after(() => (gate.open(), test.close()));
    await waitFor("SERVING", () => test.service.grpc.health.isServing());

    const held = [
      callUnary(test.client, HeroService.method.getHero, { id: 1n }),
      callUnary(test.client, HeroService.method.getHero, { id: 2n }),
    ];
    await gate.waiting(2);
    assert.equal(test.service.grpc.loadShedder.inFlight(), 2);

    // Refused while the two held calls are still running: nothing waits in a queue.
    await assert.rejects(callUnary(test.client, HeroService.method.getHero, { id: 1n }), {
      code: Status.RESOURCE_EXHAUSTED,
      details: busy,
    });
    await assert.rejects(callUnary(test.client, HeroService.method.getRandomHero, {}), {
      code: Status.RESOURCE_EXHAUSTED,
      details: busy,
    });
    // Health is never shed, so probes keep telling the truth under overload.
    assert.equal(await checkHealth(test.client, ""), "SERVING");
    const byCeiling = { limit: "ceiling" };
    assert.equal(await readMetric(test.service.adminPort, "grpc_server_shed_total", byCeiling), 2);
    // A second scrape must not count the same refusals again.
    assert.equal(await readMetric(test.service.adminPort, "grpc_server_shed_total", byCeiling), 2);
    assert.equal(await readMetric(test.service.adminPort, "grpc_server_shed_total", { limit: "adaptive" }), 0);
    const { body } = await adminRequest(test.service.adminPort, "/metrics");
    assert.match(String(body), /^# TYPE grpc_server_shed_total counter$/m, "a counter, so rate() is right");
    assert.equal(await readMetric(test.service.adminPort, "grpc_server_in_flight"), 2);

    gate.open();
    assert.deepEqual(
      (await Promise.all(held)).map((response) => response.hero?.name),
      ["Chewbacca", "Yoda"],
    );
    assert.equal(test.service.grpc.loadShedder.inFlight(), 0);
    assert.equal((await callUnary(test.client, HeroService.method.getHero, { id: 2n })).hero?.name, "Yoda");
    const stats = (await adminRequest(test.service.adminPort, "/stats")).body as Record<string, unknown>;
    assert.deepEqual({ inFlight: stats.inFlight, shed: stats.shed }, { inFlight: 0, shed: 2 });
    // The stream allowance's fields (streamsPerConnection, connections) have their own test.
    assert.deepEqual(withoutStreamAllowance(stats.concurrencyLimit), {
      mode: "adaptive",
      limit: 2,
      ceiling: 2,
      inFlight: 0,
      unaryInFlight: 0,
      // Every input of the adaptive limit is shown, null until measured (the ceiling refused both).
      windowRttMs: null,
      baselineRttMs: null,
      gradient: null,
      shed: { adaptive: 0, ceiling: 2, deadline: 0 },
    });
    const handled = { grpc_service: "superheroes.hero.v1.HeroService", grpc_method: "GetHero" };
    assert.equal(
      await readMetric(test.service.adminPort, "grpc_server_handled_total", {
        ...handled,
        grpc_code: "RESOURCE_EXHAUSTED",
      }),
      1,
    );
    assert.equal(
      await readMetric(test.service.adminPort, "grpc_server_handled_total", { ...handled, grpc_code: "OK" }),
      3,
    );
  });

  it("refuses unary calls past the adaptive limit under the ceiling, saying which limit it is", async (t) => {
    const gate = createGate();
    const test = await startTestService({
      config: { maxInFlight: 100, concurrencyLimit: { mode: "adaptive", minLimit: 2, initialLimit: 3 } },
      hold: () => gate.pass(),
    });
    t.after(() => (gate.open(), test.close()));
    await waitFor("SERVING", () => test.service.grpc.health.isServing());

    const held = [1n, 2n, 1n].map((id) => callUnary(test.client, HeroService.method.getHero, { id }));
    await gate.waiting(3);
    await assert.rejects(callUnary(test.client, HeroService.method.getHero, { id: 1n }), {
      code: Status.RESOURCE_EXHAUSTED,
      details:
        "server busy: more than 3 calls in flight (a limit that follows this server's latency); retry with backoff",
    });
    const port = test.service.adminPort;
    assert.equal(await readMetric(port, "grpc_server_shed_total", { limit: "adaptive" }), 1);
    assert.equal(await readMetric(port, "grpc_server_shed_total", { limit: "ceiling" }), 0);
    assert.equal(await readMetric(port, "grpc_server_concurrency_limit"), 3);
    assert.equal(await readMetric(port, "grpc_server_concurrency_ceiling"), 100);
    const { body } = await adminRequest(port, "/metrics");
    assert.match(String(body), /^# TYPE grpc_server_concurrency_limit gauge$/m);
    assert.match(String(body), /^# TYPE grpc_server_concurrency_gradient gauge$/m);
    gate.open();
    assert.equal((await Promise.all(held)).length, 3);
  });

  it("while shedding, refuses at once a call whose deadline is shorter than calls take, and lets longer ones in", async (t) => {
    const gate = createGate();
    let holding: "gate" | "1 s" = "1 s";
    const test = await startTestService({
      config: { maxInFlight: 100, concurrencyLimit: { mode: "adaptive", minLimit: 2, initialLimit: 12 } },
      hold: () => (holding === "gate" ? gate.pass() : sleep(1_000)),
    });
    t.after(() => (gate.open(), test.close()));
    await waitFor("SERVING", () => test.service.grpc.health.isServing());
    const limiter = test.service.grpc.loadShedder.limiter;
    // One window of calls that take ~1 s: what "calls take here now" is.
    const getHero = () => callUnary(test.client, HeroService.method.getHero, { id: 1n });
    await closeLatencyWindow({ minRttMs: 1_000, maxInFlight: 12, state: () => limiter.snapshot(), call: getHero });
    // Fill the limit and have one more call refused: the server sheds.
    holding = "gate";
    const limit = limiter.snapshot().limit;
    const held = Array.from({ length: limit }, getHero);
    await gate.waiting(limit);
    await assert.rejects(getHero(), { code: Status.RESOURCE_EXHAUSTED });
    gate.open();
    await Promise.all(held);
    // Places are free again, but a call was refused a moment ago: one that cannot wait ~1 s is
    // refused at once (had it been let in, its deadline would have ended it as DEADLINE_EXCEEDED).
    await assert.rejects(
      callUnary(test.client, HeroService.method.getHero, { id: 1n }, { deadlineMs: 500 }),
      (error: { code?: unknown; details?: unknown }) => {
        assert.equal(error.code, Status.RESOURCE_EXHAUSTED);
        assert.match(
          String(error.details),
          /^server busy: calls take up to ~\d+ ms here now and this one has \d+ ms left; retry with backoff, or with a longer deadline$/,
        );
        return true;
      },
    );
    assert.equal(await readMetric(test.service.adminPort, "grpc_server_shed_total", { limit: "deadline" }), 1);
    const { hero } = await callUnary(test.client, HeroService.method.getHero, { id: 2n }, { deadlineMs: 5_000 });
    assert.equal(hero?.name, "Yoda");
  });

  it("has no adaptive metrics when the limit is fixed: the ceiling is the limit", async (t) => {
    const test = await startTestService({
      config: { maxInFlight: 7, concurrencyLimit: { mode: "fixed", minLimit: 10, initialLimit: 50 } },
    });
    t.after(() => test.close());
    const port = test.service.adminPort;
    assert.equal(await readMetric(port, "grpc_server_concurrency_limit"), 7);
    assert.equal(await readMetric(port, "grpc_server_concurrency_gradient"), undefined);
    const stats = (await adminRequest(port, "/stats")).body as Record<string, unknown>;
    assert.deepEqual(withoutStreamAllowance(stats.concurrencyLimit), {
      mode: "fixed",
      limit: 7,
      ceiling: 7,
      inFlight: 0,
      unaryInFlight: 0,
      shed: { adaptive: 0, ceiling: 0, deadline: 0 },
    });
  });

  it("releases the slot of a call the client cancels", async (t) => {
    const gate = createGate();
    const test = await startTestService({
      config: { maxInFlight: 1 },
      hold: (_method, context) => Promise.race([gate.pass(), abortOf(context.signal)]),
    });
    t.after(() => (gate.open(), test.close()));

    await assert.rejects(
      callUnary(test.client, HeroService.method.getHero, { id: 1n }, { deadlineMs: 100 }),
      (error: { code?: unknown; details?: unknown }) => {
        assert.equal(error.code, Status.DEADLINE_EXCEEDED);
        assert.match(String(error.details), deadlineExceededDetails);
        return true;
      },
    );
    await waitFor("the slot to be released", () => test.service.grpc.loadShedder.inFlight() === 0);
    gate.open();
    assert.equal((await callUnary(test.client, HeroService.method.getHero, { id: 1n })).hero?.name, "Chewbacca");
  });
});

function abortOf(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
}

/** `/stats`' concurrencyLimit without the stream allowance's fields (stream-allowance.test.ts). */
function withoutStreamAllowance(limit: unknown): Record<string, unknown> {
  const { streamsPerConnection: _streams, connections: _connections, ...rest } = limit as Record<string, unknown>;
  return rest;
}
