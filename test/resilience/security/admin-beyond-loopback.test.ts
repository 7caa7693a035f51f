import assert from "node:assert/strict";
import { networkInterfaces } from "node:os";
import { after, before, describe, it } from "node:test";
import { adminRequest, type AdminResponse } from "../../../testkit/processes/admin-client.js";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../../../testkit/postgres.js";
import { recordOutcome } from "../../../testkit/load/outcomes.js";
import { launchService, type ServiceProcess } from "../../../testkit/processes/service-processes.js";

const token = "resilience-admin-t0ken";
const bearer = { authorization: `Bearer ${token}` };
const refused: AdminResponse = { status: 401, body: { error: "missing or wrong bearer token" } };
const noFaults = { latencyMs: 0, jitterMs: 0, errorRate: 0, errorCode: "UNAVAILABLE" };
/** A non-loopback IPv4 address of this machine, to reach the admin port "from outside". */
const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((address) => address !== undefined && address.family === "IPv4" && !address.internal)?.address;

// Covered elsewhere, not repeated: the exit 2 naming <P>_ADMIN_TOKEN when <P>_ADMIN_HOST is not
// loopback (services/platform/service-process.test.ts, a spawned process) and /faults 401/403
// (services/platform/faults.test.ts). Here: a real service bound to 0.0.0.0 with a token.
describe("admin endpoints of a heroes process bound beyond loopback", { timeout: 60_000 }, () => {
  let database: ThrowawayDatabase;
  let heroes: ServiceProcess;
  const observed: string[] = [];
  before(
    async () => {
      database = await createThrowawayDatabase({ prefix: "resilience" });
      heroes = await launchService("heroes", {
        env: {
          HEROES_DATABASE_URL: database.url,
          HEROES_ADMIN_HOST: "0.0.0.0",
          HEROES_ADMIN_TOKEN: token,
          HEROES_FAULTS_ENABLED: "true",
        },
      });
    },
    { timeout: 45_000 },
  );
  after(async () => {
    await heroes?.kill();
    await database?.drop();
    if (observed.length > 0)
      recordOutcome({
        group: "security",
        what: "admin port on 0.0.0.0 with HEROES_ADMIN_TOKEN (heroes process)",
        outcome: observed.join("; "),
      });
  });

  const cases: { path: string; headers?: Record<string, string>; expected: (response: AdminResponse) => void }[] = [
    { path: "/metrics", expected: (response) => assert.deepEqual(response, refused) },
    { path: "/stats", expected: (response) => assert.deepEqual(response, refused) },
    {
      path: "/metrics",
      headers: { authorization: "Bearer wrong" },
      expected: (response) => assert.deepEqual(response, refused),
    },
    { path: "/stats", headers: { authorization: token }, expected: (response) => assert.deepEqual(response, refused) },
    {
      path: "/metrics",
      headers: bearer,
      expected: ({ status, body }) =>
        assert.deepEqual([status, /^grpc_server_in_flight 0$/m.test(String(body))], [200, true]),
    },
    {
      path: "/stats",
      headers: bearer,
      expected: ({ status, body }) =>
        assert.deepEqual(
          [status, (body as { service?: unknown }).service, (body as { serving?: unknown }).serving],
          [200, "heroes", true],
        ),
    },
    { path: "/healthz", expected: (response) => assert.deepEqual(response, { status: 200, body: { status: "live" } }) },
    { path: "/readyz", expected: (response) => assert.deepEqual(response, { status: 200, body: { status: "ready" } }) },
  ];
  for (const { path, headers, expected } of cases) {
    it(`GET ${path} with ${headers?.authorization === undefined ? "no authorization" : `authorization "${headers.authorization}"`}`, async () => {
      expected(await adminRequest(heroes.adminPort, path, { headers }));
    });
  }

  it(
    "refuses without the token and answers with it over a non-loopback address",
    { skip: externalAddress === undefined && "no non-loopback IPv4 address" },
    async () => {
      const get = async (path: string, headers?: Record<string, string>) => {
        const response = await fetch(`http://${externalAddress}:${heroes.adminPort}${path}`, {
          headers,
          signal: AbortSignal.timeout(5000),
        });
        return [path, response.status];
      };
      assert.deepEqual(
        [
          await get("/healthz"),
          await get("/metrics"),
          await get("/metrics", bearer),
          await get("/stats"),
          await get("/stats", bearer),
        ],
        [
          ["/healthz", 200],
          ["/metrics", 401],
          ["/metrics", 200],
          ["/stats", 401],
          ["/stats", 200],
        ],
      );
      observed.push(
        `reached over a non-loopback address of the machine: /metrics and /stats 401 without the bearer token, 200 with it; /healthz 200`,
      );
    },
  );

  it("accepts a PUT /faults body of exactly 4096 bytes and refuses 4097 with 400, faults unchanged", async () => {
    const put = (body: string) => adminRequest(heroes.adminPort, "/faults", { method: "PUT", body, headers: bearer });
    const padded = (bytes: number) => `{"latencyMs": 5${" ".repeat(bytes - 16)}}`;
    assert.equal(padded(4096).length, 4096);
    assert.deepEqual(await put(padded(4097)), { status: 400, body: { error: "body: is larger than 4096 bytes" } });
    assert.deepEqual(await adminRequest(heroes.adminPort, "/faults", { headers: bearer }), {
      status: 200,
      body: noFaults,
    });
    assert.deepEqual(await put(padded(4096)), { status: 200, body: { ...noFaults, latencyMs: 5 } });
    assert.deepEqual(await put(JSON.stringify({ latencyMs: 0 })), { status: 200, body: noFaults });
    assert.deepEqual(await put(`{"latencyMs": 5, "pad": "${"x".repeat(64 * 1024)}"}`), {
      status: 400,
      body: { error: "body: is larger than 4096 bytes" },
    });
    observed.push(
      'without the token /metrics and /stats 401 "missing or wrong bearer token" (also with a wrong token or no Bearer prefix), with it 200; /healthz and /readyz 200 without it; ' +
        'PUT /faults of 4097 bytes and of 64 KiB 400 "body: is larger than 4096 bytes" with faults unchanged, 4096 bytes accepted',
    );
  });
});
