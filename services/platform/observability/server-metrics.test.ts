import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { status as Status } from "@grpc/grpc-js";
import { HeroService } from "../../../gen/superheroes/hero/v1/hero_service_pb.js";
import { readMetric } from "../../../testkit/processes/admin-client.js";
import { callUnary } from "../../../testkit/grpc/grpc-test-client.js";
import { checkHealth } from "../../../testkit/grpc/health-client.js";
import { startTestService, type TestService } from "../../../testkit/grpc/test-service.js";

const service = "superheroes.hero.v1.HeroService";

describe("server metrics on the admin /metrics", { timeout: 20_000 }, () => {
  let test: TestService;
  before(async () => {
    test = await startTestService();
    await callUnary(test.client, HeroService.method.getHero, { id: 1n });
    await callUnary(test.client, HeroService.method.getHero, { id: 2n });
    await assert.rejects(callUnary(test.client, HeroService.method.getHero, { id: 99n }), {
      code: Status.NOT_FOUND,
      details: "hero 99 not found",
    });
    await assert.rejects(callUnary(test.client, HeroService.method.getRandomHeroes, { count: 0 }), {
      code: Status.INVALID_ARGUMENT,
      details: "count: must be from 1 to 1000",
    });
  });
  after(() => test.close());

  it("counts started calls per method", async () => {
    const labels = { grpc_type: "unary", grpc_service: service };
    assert.equal(
      await readMetric(test.service.adminPort, "grpc_server_started_total", { ...labels, grpc_method: "GetHero" }),
      3,
    );
    assert.equal(
      await readMetric(test.service.adminPort, "grpc_server_started_total", {
        ...labels,
        grpc_method: "GetRandomHeroes",
      }),
      1,
    );
  });

  it("counts handled calls per method and code", async () => {
    const labels = { grpc_type: "unary", grpc_service: service, grpc_method: "GetHero" };
    assert.equal(
      await readMetric(test.service.adminPort, "grpc_server_handled_total", { ...labels, grpc_code: "OK" }),
      2,
    );
    assert.equal(
      await readMetric(test.service.adminPort, "grpc_server_handled_total", { ...labels, grpc_code: "NOT_FOUND" }),
      1,
    );
    assert.equal(
      await readMetric(test.service.adminPort, "grpc_server_handled_total", {
        ...labels,
        grpc_method: "GetRandomHeroes",
        grpc_code: "INVALID_ARGUMENT",
      }),
      1,
    );
    assert.equal(
      await readMetric(test.service.adminPort, "grpc_server_handled_total", { ...labels, grpc_code: "INTERNAL" }),
      undefined,
    );
  });

  it("observes handling time in a histogram with sub-millisecond buckets", async () => {
    const labels = { grpc_type: "unary", grpc_service: service, grpc_method: "GetHero" };
    assert.equal(await readMetric(test.service.adminPort, "grpc_server_handling_seconds_count", labels), 3);
    assert.equal(
      await readMetric(test.service.adminPort, "grpc_server_handling_seconds_bucket", { ...labels, le: "+Inf" }),
      3,
    );
    assert.notEqual(
      await readMetric(test.service.adminPort, "grpc_server_handling_seconds_bucket", { ...labels, le: "0.0001" }),
      undefined,
    );
  });

  it("counts health checks under grpc.health.v1.Health", async () => {
    await checkHealth(test.client, "");
    const labels = { grpc_service: "grpc.health.v1.Health", grpc_method: "Check", grpc_code: "OK" };
    assert.equal(await readMetric(test.service.adminPort, "grpc_server_handled_total", labels), 1);
  });

  it("exposes Node default metrics and the in-flight gauge", async () => {
    assert.equal(typeof (await readMetric(test.service.adminPort, "process_resident_memory_bytes")), "number");
    assert.equal(await readMetric(test.service.adminPort, "grpc_server_in_flight"), 0);
    assert.equal(await readMetric(test.service.adminPort, "grpc_server_shed_total"), 0);
  });
});
