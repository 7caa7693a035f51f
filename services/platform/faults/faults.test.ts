import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { status as Status } from "@grpc/grpc-js";
import { HeroService } from "../../../gen/superheroes/hero/v1/hero_service_pb.js";
import { FaultService } from "../../../gen/superheroes/fault/v1/fault_service_pb.js";
import { createEnvReader } from "../config/env-reader.js";
import { serviceConfigFromEnv } from "../config/service-config.js";
import { adminRequest, readMetric } from "../../../testkit/processes/admin-client.js";
import { deadlineExceededDetails } from "../../../testkit/grpc/call-failure.js";
import { callUnary } from "../../../testkit/grpc/grpc-test-client.js";
import { checkHealth } from "../../../testkit/grpc/health-client.js";
import { reflect } from "../../../testkit/grpc/reflection-client.js";
import { startTestService } from "../../../testkit/grpc/test-service.js";
import { waitFor } from "../../../testkit/wait-for.js";

const handled = { grpc_service: "superheroes.hero.v1.HeroService", grpc_method: "GetHero" };

/** The service config a process would read from these FIXTURE_* variables (loopback, port 0). */
function configFromEnv(env: Record<string, string>) {
  const base = { FIXTURE_GRPC_HOST: "127.0.0.1", FIXTURE_GRPC_PORT: "0", FIXTURE_ADMIN_PORT: "0" };
  return serviceConfigFromEnv(createEnvReader({ ...base, ...env }), "FIXTURE", { grpc: 0, admin: 0 });
}

describe("fault injection", { timeout: 30_000 }, () => {
  it("fails every call with the code set in the environment, and counts it", async (t) => {
    const config = configFromEnv({
      FIXTURE_FAULTS_ENABLED: "true",
      FIXTURE_FAULT_ERROR_RATE: "1",
      FIXTURE_FAULT_ERROR_CODE: "UNAVAILABLE",
    });
    const test = await startTestService({ config });
    t.after(() => test.close());

    await assert.rejects(callUnary(test.client, HeroService.method.getHero, { id: 1n }), {
      code: Status.UNAVAILABLE,
      details: "injected fault: UNAVAILABLE",
    });
    assert.equal(
      await readMetric(test.service.adminPort, "grpc_server_handled_total", { ...handled, grpc_code: "UNAVAILABLE" }),
      1,
    );
    const stats = await adminRequest(test.service.adminPort, "/stats");
    assert.deepEqual((stats.body as { faults?: unknown }).faults, {
      latencyMs: 0,
      jitterMs: 0,
      errorRate: 1,
      errorCode: "UNAVAILABLE",
    });
  });

  it("delays every call by the latency set in the environment", async (t) => {
    const test = await startTestService({
      config: configFromEnv({ FIXTURE_FAULTS_ENABLED: "true", FIXTURE_FAULT_LATENCY_MS: "100" }),
    });
    t.after(() => test.close());

    const startedAt = performance.now();
    const response = await callUnary(test.client, HeroService.method.getHero, { id: 2n });
    // A lower bound only (timers may fire a few ms early by the event loop's clock).
    assert.ok(performance.now() - startedAt >= 90, `answered after ${performance.now() - startedAt} ms`);
    assert.equal(response.hero?.name, "Yoda");
  });

  it("lets the caller's deadline cut a delayed call short, counted as DEADLINE_EXCEEDED", async (t) => {
    const test = await startTestService({
      config: configFromEnv({ FIXTURE_FAULTS_ENABLED: "true", FIXTURE_FAULT_LATENCY_MS: "60000" }),
    });
    t.after(() => test.close());
    // Connect first (health is never faulted), so the short deadline is spent on the server.
    await checkHealth(test.client, "");

    await assert.rejects(
      callUnary(test.client, HeroService.method.getHero, { id: 1n }, { deadlineMs: 200 }),
      (error: { code?: unknown; details?: unknown }) => {
        assert.equal(error.code, Status.DEADLINE_EXCEEDED);
        assert.match(String(error.details), deadlineExceededDetails);
        return true;
      },
    );
    await waitFor(
      "the server to count the call",
      async () =>
        (await readMetric(test.service.adminPort, "grpc_server_handled_total", {
          ...handled,
          grpc_code: "DEADLINE_EXCEEDED",
        })) === 1,
    );
  });

  it("changes faults at run time through PUT /faults and back", async (t) => {
    const test = await startTestService({ config: configFromEnv({ FIXTURE_FAULTS_ENABLED: "true" }) });
    t.after(() => test.close());
    const port = test.service.adminPort;
    assert.equal((await callUnary(test.client, HeroService.method.getHero, { id: 1n })).hero?.name, "Chewbacca");

    const expected = { latencyMs: 0, jitterMs: 0, errorRate: 1, errorCode: "RESOURCE_EXHAUSTED" };
    assert.deepEqual(
      await adminRequest(port, "/faults", { method: "PUT", body: { errorRate: 1, errorCode: "RESOURCE_EXHAUSTED" } }),
      { status: 200, body: expected },
    );
    assert.deepEqual(await adminRequest(port, "/faults"), { status: 200, body: expected });
    await assert.rejects(callUnary(test.client, HeroService.method.getHero, { id: 1n }), {
      code: Status.RESOURCE_EXHAUSTED,
      details: "injected fault: RESOURCE_EXHAUSTED",
    });

    assert.equal((await adminRequest(port, "/faults", { method: "PUT", body: { errorRate: 0 } })).status, 200);
    assert.equal((await callUnary(test.client, HeroService.method.getHero, { id: 1n })).hero?.name, "Chewbacca");
    assert.equal(await readMetric(port, "grpc_server_handled_total", { ...handled, grpc_code: "OK" }), 2);
    assert.equal(
      await readMetric(port, "grpc_server_handled_total", { ...handled, grpc_code: "RESOURCE_EXHAUSTED" }),
      1,
    );
  });

  it("never faults health checks, reflection or FaultService, which can clear the faults", async (t) => {
    const test = await startTestService({
      config: configFromEnv({
        FIXTURE_FAULTS_ENABLED: "true",
        FIXTURE_FAULT_ERROR_RATE: "1",
        FIXTURE_FAULT_LATENCY_MS: "60000",
      }),
    });
    t.after(() => test.close());
    await waitFor("SERVING", () => test.service.grpc.health.isServing());

    assert.equal(await checkHealth(test.client, ""), "SERVING");
    assert.deepEqual((await reflect(test.client, "v1", { listServices: "*" })).services.sort(), [
      "grpc.health.v1.Health",
      "superheroes.fault.v1.FaultService",
      "superheroes.hero.v1.HeroService",
    ]);
    await assert.rejects(callUnary(test.client, HeroService.method.getHero, { id: 1n }, { deadlineMs: 500 }), {
      code: Status.DEADLINE_EXCEEDED,
    });
    // Faulted, these calls would wait 60 s and outlive their 5 s deadline.
    const { faults } = await callUnary(test.client, FaultService.method.setFaults, { faults: {} });
    assert.deepEqual(
      { ...faults, $typeName: undefined },
      {
        $typeName: undefined,
        latencyMs: 0,
        jitterMs: 0,
        errorRate: 0,
        errorCode: "UNAVAILABLE",
      },
    );
    assert.equal((await callUnary(test.client, HeroService.method.getHero, { id: 1n })).hero?.name, "Chewbacca");
  });

  it("refuses /faults with 403 when fault injection is not enabled", async (t) => {
    const test = await startTestService();
    t.after(() => test.close());
    const forbidden = {
      status: 403,
      body: { error: "fault injection is disabled; set <SERVICE>_FAULTS_ENABLED=true to allow it" },
    };
    assert.deepEqual(await adminRequest(test.service.adminPort, "/faults"), forbidden);
    assert.deepEqual(
      await adminRequest(test.service.adminPort, "/faults", { method: "PUT", body: { errorRate: 1 } }),
      forbidden,
    );
    assert.equal((await callUnary(test.client, HeroService.method.getHero, { id: 1n })).hero?.name, "Chewbacca");
  });

  it("requires the bearer token on /faults when one is set", async (t) => {
    const test = await startTestService({
      config: configFromEnv({ FIXTURE_FAULTS_ENABLED: "true", FIXTURE_ADMIN_TOKEN: "s3cret" }),
    });
    t.after(() => test.close());
    const change = { method: "PUT", body: { latencyMs: 5 } } as const;
    assert.deepEqual(await adminRequest(test.service.adminPort, "/faults", change), {
      status: 401,
      body: { error: "missing or wrong bearer token" },
    });
    const authorized = await adminRequest(test.service.adminPort, "/faults", {
      ...change,
      headers: { authorization: "Bearer s3cret" },
    });
    assert.deepEqual(authorized, {
      status: 200,
      body: { latencyMs: 5, jitterMs: 0, errorRate: 0, errorCode: "UNAVAILABLE" },
    });
  });

  describe("PUT /faults with a bad value answers 400 naming the field and changes nothing", () => {
    const cases: { body: unknown; error: string }[] = [
      { body: { latencyMs: -1 }, error: "latencyMs: must be an integer from 0 to 60000" },
      { body: { latencyMs: 60_001 }, error: "latencyMs: must be an integer from 0 to 60000" },
      { body: { jitterMs: 1.5 }, error: "jitterMs: must be an integer from 0 to 60000" },
      { body: { errorRate: 2 }, error: "errorRate: must be a number from 0 to 1" },
      { body: { errorRate: "0.5" }, error: "errorRate: must be a number from 0 to 1" },
      { body: { errorCode: "OK" }, error: "errorCode: must be a gRPC status name other than OK, e.g. UNAVAILABLE" },
      { body: { errorCode: "TEAPOT" }, error: "errorCode: must be a gRPC status name other than OK, e.g. UNAVAILABLE" },
      { body: "{not json", error: "body: is not JSON" },
      { body: [1], error: "body: must be a JSON object" },
      {
        body: { latencyMS: 300 },
        error: "latencyMS: is not a fault setting; use latencyMs, jitterMs, errorRate or errorCode",
      },
    ];
    for (const { body, error } of cases) {
      it(`${JSON.stringify(body)} → ${error}`, async (t) => {
        const test = await startTestService({ config: configFromEnv({ FIXTURE_FAULTS_ENABLED: "true" }) });
        t.after(() => test.close());
        assert.deepEqual(await adminRequest(test.service.adminPort, "/faults", { method: "PUT", body }), {
          status: 400,
          body: { error },
        });
        assert.deepEqual((await adminRequest(test.service.adminPort, "/faults")).body, {
          latencyMs: 0,
          jitterMs: 0,
          errorRate: 0,
          errorCode: "UNAVAILABLE",
        });
      });
    }
  });

  it("answers 405 naming the allowed methods for a method a route does not take", async (t) => {
    const test = await startTestService({ config: configFromEnv({ FIXTURE_FAULTS_ENABLED: "true" }) });
    t.after(() => test.close());
    for (const path of ["/metrics", "/stats", "/healthz", "/readyz"]) {
      const { status, body } = await adminRequest(test.service.adminPort, path, { method: "POST", body: {} });
      assert.deepEqual({ path, status, body }, { path, status: 405, body: { error: `${path} takes GET` } });
    }
    const { status } = await adminRequest(test.service.adminPort, "/faults", { method: "DELETE" });
    assert.equal(status, 405);
  });
});
