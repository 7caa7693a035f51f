import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { adminRequest } from "../../../testkit/processes/admin-client.js";
import { createGate } from "../../../testkit/gate.js";
import { callUnary } from "../../../testkit/grpc/grpc-test-client.js";
import { checkHealth, watchHealth } from "../../../testkit/grpc/health-client.js";
import { startTestService } from "../../../testkit/grpc/test-service.js";
import { HeroService } from "../../../gen/superheroes/hero/v1/hero_service_pb.js";

const heroService = "superheroes.hero.v1.HeroService";

describe("grpc.health.v1 of a service process", { timeout: 20_000 }, () => {
  it("answers NOT_SERVING until the first readiness check passes, then SERVING", async (t) => {
    const readinessGate = createGate();
    const test = await startTestService({ readiness: async () => (await readinessGate.pass(), true) });
    const watch = watchHealth(test.client, heroService);
    // Cancel the watch before stopping: an open stream would hold the drain for its whole grace.
    t.after(() => (watch.cancel(), test.close()));

    assert.equal(await checkHealth(test.client, ""), "NOT_SERVING");
    assert.equal(await checkHealth(test.client, heroService), "NOT_SERVING");
    assert.deepEqual(await adminRequest(test.service.adminPort, "/readyz"), {
      status: 503,
      body: { status: "not ready" },
    });
    assert.equal(await watch.next(), "NOT_SERVING");

    readinessGate.open();
    assert.equal(await watch.next(), "SERVING");
    assert.equal(await checkHealth(test.client, ""), "SERVING");
    assert.equal(await checkHealth(test.client, heroService), "SERVING");
    assert.deepEqual(await adminRequest(test.service.adminPort, "/readyz"), { status: 200, body: { status: "ready" } });
  });

  it("flips to NOT_SERVING when readiness fails and back to SERVING when it passes again", async (t) => {
    let ready = true;
    const test = await startTestService({ readiness: async () => ready });
    const watch = watchHealth(test.client, "");
    t.after(() => (watch.cancel(), test.close()));
    // The first status is NOT_SERVING or SERVING depending on whether the first check ran yet.
    let status = await watch.next();
    if (status === "NOT_SERVING") status = await watch.next();
    assert.equal(status, "SERVING");

    ready = false;
    assert.equal(await watch.next(), "NOT_SERVING");
    assert.equal(await checkHealth(test.client, heroService), "NOT_SERVING");
    assert.equal(
      await checkHealth(test.client, "liveness"),
      "SERVING",
      "not ready is not dead: liveness stays SERVING",
    );
    ready = true;
    assert.equal(await watch.next(), "SERVING");
    assert.equal(await checkHealth(test.client, heroService), "SERVING");
  });

  it("treats a readiness check that throws as not ready", async (t) => {
    let fail = false;
    const test = await startTestService({
      readiness: async () => {
        if (fail) throw new Error("database down");
        return true;
      },
    });
    const watch = watchHealth(test.client, "");
    t.after(() => (watch.cancel(), test.close()));
    let status = await watch.next();
    if (status === "NOT_SERVING") status = await watch.next();
    assert.equal(status, "SERVING");

    fail = true;
    assert.equal(await watch.next(), "NOT_SERVING");
  });

  it("answers NOT_FOUND to Check of a service the server does not serve", async (t) => {
    const test = await startTestService();
    t.after(() => test.close());
    await assert.rejects(checkHealth(test.client, "superheroes.villain.v1.VillainService"), {
      code: 5,
      details: "Health status unknown for service superheroes.villain.v1.VillainService",
    });
  });

  it("goes NOT_SERVING as soon as shutdown starts, while an in-flight call still completes", async (t) => {
    const gate = createGate();
    const test = await startTestService({ hold: () => gate.pass() });
    const watch = watchHealth(test.client, heroService);
    t.after(() => (watch.cancel(), test.close()));
    let status = await watch.next();
    if (status === "NOT_SERVING") status = await watch.next();
    assert.equal(status, "SERVING");
    const inFlight = callUnary(test.client, HeroService.method.getHero, { id: 2n });
    await gate.waiting(1);

    const stopped = test.service.stop();
    assert.equal(await watch.next(), "NOT_SERVING");
    gate.open();
    assert.equal((await inFlight).hero?.name, "Yoda");
    watch.cancel();
    await stopped;
  });
});
