import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { create, toBinary } from "@bufbuild/protobuf";
import { status as Status } from "@grpc/grpc-js";
import { HeroService, ListHeroesRequestSchema } from "../../../gen/superheroes/hero/v1/hero_service_pb.js";
import { createGate } from "../../../testkit/gate.js";
import { callRawUnary, callUnary, createTestClient } from "../../../testkit/grpc/grpc-test-client.js";
import { checkHealth, watchHealth } from "../../../testkit/grpc/health-client.js";
import { startTestGrpcServer, type TestGrpcServer } from "../../../testkit/grpc/test-grpc-server.js";

const connectionRefused = /^No connection established\. Last error: Error: connect ECONNREFUSED 127\.0\.0\.1:\d+/;

/** Asserts a grpc-js error's code and that its details match. */
function statusMatching(code: Status, details: RegExp) {
  return (error: { code?: unknown; details?: unknown }) => {
    assert.equal(error.code, code);
    assert.match(String(error.details), details);
    return true;
  };
}

describe("startGrpcServer: requests it cannot handle", { timeout: 20_000 }, () => {
  let test: TestGrpcServer;
  before(async () => {
    test = await startTestGrpcServer({ maxMessageBytes: 1024 });
  });
  after(() => test.close());

  it("answers INVALID_ARGUMENT to request bytes that are not the request message", async () => {
    // 0x08 starts field 1 (varint) and then the bytes end.
    await assert.rejects(callRawUnary(test.client, "/superheroes.hero.v1.HeroService/GetHero", Buffer.from([0x08])), {
      code: Status.INVALID_ARGUMENT,
      details: "request: not a valid superheroes.hero.v1.GetHeroRequest: premature EOF",
    });
    const handled = await test.registry.getSingleMetric("grpc_server_handled_total")?.get();
    const sample = handled?.values.find((value) => value.labels.grpc_method === "GetHero");
    assert.deepEqual({ code: sample?.labels.grpc_code, value: sample?.value }, { code: "INVALID_ARGUMENT", value: 1 });
  });

  it("answers UNIMPLEMENTED to a method the service does not have", async () => {
    await assert.rejects(callRawUnary(test.client, "/superheroes.hero.v1.HeroService/Nope", Buffer.alloc(0)), {
      code: Status.UNIMPLEMENTED,
      details: "The server does not implement the method /superheroes.hero.v1.HeroService/Nope",
    });
  });

  it("answers RESOURCE_EXHAUSTED to a request larger than the message limit", async () => {
    const request = Buffer.from(
      toBinary(ListHeroesRequestSchema, create(ListHeroesRequestSchema, { nameFilter: "a".repeat(2000) })),
    );
    await assert.rejects(callRawUnary(test.client, "/superheroes.hero.v1.HeroService/ListHeroes", request), {
      code: Status.RESOURCE_EXHAUSTED,
      details: `Received message larger than max (${request.length} vs 1024)`,
    });
    // The server is unharmed: the next call on the same connection works.
    assert.equal((await callUnary(test.client, HeroService.method.getHero, { id: 1n })).hero?.name, "Chewbacca");
  });
});

describe("startGrpcServer: shutdown", { timeout: 20_000 }, () => {
  it("drains an in-flight call while health says NOT_SERVING and new connections are refused, then closes", async (t) => {
    const gate = createGate();
    const test = await startTestGrpcServer({ hold: () => gate.pass() });
    const watch = watchHealth(test.client, "");
    t.after(() => (gate.open(), watch.cancel(), test.close()));
    assert.equal(await watch.next(), "SERVING");
    const inFlight = callUnary(test.client, HeroService.method.getHero, { id: 2n });
    await gate.waiting(1);

    const shutdown = test.server.shutdown(5000);
    assert.equal(test.server.health.isServing(), false);
    assert.equal(await watch.next(), "NOT_SERVING");
    const latecomer = createTestClient(test.server.port);
    await assert.rejects(
      callUnary(latecomer, HeroService.method.getHero, { id: 1n }),
      statusMatching(Status.UNAVAILABLE, connectionRefused),
    );
    latecomer.close();

    gate.open();
    assert.equal((await inFlight).hero?.name, "Yoda");
    watch.cancel();
    await shutdown;
    await assert.rejects(checkHealth(test.client, ""), { code: Status.UNAVAILABLE });
  });

  it("cancels calls still running when the grace period ends", async (t) => {
    const gate = createGate();
    const test = await startTestGrpcServer({ hold: () => gate.pass() });
    t.after(() => (gate.open(), test.close()));
    const stuck = assert.rejects(callUnary(test.client, HeroService.method.getHero, { id: 1n }), {
      code: Status.CANCELLED,
      details: "Call cancelled",
    });
    await gate.waiting(1);

    await test.server.shutdown(50);
    await stuck;
  });
});
