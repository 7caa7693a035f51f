import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { HeroService } from "../../../gen/superheroes/hero/v1/hero_service_pb.js";
import { adminRequest } from "../../../testkit/processes/admin-client.js";
import { callUnary, createTestClient } from "../../../testkit/grpc/grpc-test-client.js";
import { checkHealth } from "../../../testkit/grpc/health-client.js";
import { spawnFixture } from "../../../testkit/processes/spawn-fixture.js";
import { waitFor } from "../../../testkit/wait-for.js";

const traceId = "0af7651916cd43dd8448eb211c80319c";

describe("a service process (spawned fixture-service.ts)", { timeout: 120_000 }, () => {
  const badValues: { env: Record<string, string>; line: string }[] = [
    {
      env: { FIXTURE_GRPC_PORT: "abc" },
      line: 'configuration error: FIXTURE_GRPC_PORT: "abc" is not an integer from 0 to 65535\n',
    },
    {
      env: { FIXTURE_ADMIN_HOST: "0.0.0.0" },
      line: "configuration error: FIXTURE_ADMIN_TOKEN: must be set when FIXTURE_ADMIN_HOST (0.0.0.0) is not a loopback address\n",
    },
  ];
  for (const { env, line } of badValues) {
    it(`exits 2 with one stderr line naming the variable for ${JSON.stringify(env)}`, async (t) => {
      const fixture = spawnFixture(env);
      t.after(() => fixture.kill());
      assert.deepEqual(await fixture.exited, { code: 2, signal: null, stdout: "", stderr: line });
    });
  }

  it("serves, logs the caller's trace id, and exits 0 on SIGTERM", async (t) => {
    const fixture = spawnFixture({ FIXTURE_GRPC_HOST: "127.0.0.1", FIXTURE_GRPC_PORT: "0", FIXTURE_ADMIN_PORT: "0" });
    t.after(() => fixture.kill());
    const listening = await fixture.waitForLine((line) => line.msg === "fixture listening");
    const grpcPort = Number(listening.grpcPort);
    const adminPort = Number(listening.adminPort);
    const client = createTestClient(grpcPort);
    t.after(() => client.close());

    await waitFor("SERVING", async () => (await checkHealth(client, "")) === "SERVING");
    const response = await callUnary(
      client,
      HeroService.method.getHero,
      { id: 1n },
      { metadata: { traceparent: `00-${traceId}-b7ad6b7169203331-01` } },
    );
    assert.equal(response.hero?.name, "Chewbacca");
    const access = await fixture.waitForLine((line) => line.grpc_method === "GetHero");
    assert.deepEqual(
      { service: access.service, code: access.grpc_code, traceId: access.traceId, msg: access.msg },
      { service: "fixture", code: "OK", traceId, msg: "call" },
    );
    assert.deepEqual(await adminRequest(adminPort, "/healthz"), { status: 200, body: { status: "live" } });
    client.close();

    fixture.child.kill("SIGTERM");
    const exit = await fixture.exited;
    assert.deepEqual(
      { code: exit.code, signal: exit.signal, stderr: exit.stderr },
      { code: 0, signal: null, stderr: "" },
    );
    const messages = fixture.lines().map((line) => line.msg);
    assert.deepEqual(messages.slice(messages.indexOf("shutting down")), ["shutting down", "fixture stopped"]);
  });
});
