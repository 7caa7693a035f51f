import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { adminRequest } from "../../../testkit/processes/admin-client.js";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../../../testkit/postgres.js";
import { spawnService } from "../../../testkit/processes/node-process.js";
import { recordOutcome } from "../../../testkit/load/outcomes.js";
import { launchService, type ServiceProcess } from "../../../testkit/processes/service-processes.js";
import { serviceList } from "../../../services/service-list.js";

const password = "s3cr3t-Pa55word";

describe("database passwords never appear in logs or /stats", { timeout: 60_000 }, () => {
  let database: ThrowawayDatabase;
  let heroes: ServiceProcess;
  before(
    async () => {
      database = await createThrowawayDatabase({ prefix: "resilience" });
      // The test cluster trusts local users, so any password connects: it is only there to leak.
      const url = new URL(database.url);
      url.password = password;
      heroes = await launchService("heroes", { env: { HEROES_DATABASE_URL: url.toString(), LOG_LEVEL: "debug" } });
    },
    { timeout: 45_000 },
  );
  after(async () => {
    await heroes?.kill();
    await database?.drop();
  });

  it("shows the URL redacted in /stats and logs it nowhere while serving", async () => {
    const stats = await adminRequest(heroes.adminPort, "/stats");
    assert.equal(stats.status, 200);
    assert.equal((stats.body as { database?: string }).database, database.url.replace("postgres@", "postgres:***@"));
    const metrics = await adminRequest(heroes.adminPort, "/metrics");
    assert.ok(!String(metrics.body).includes(password), "not in /metrics");
    await heroes.kill("SIGTERM");
    const { stdout, stderr } = await heroes.current().exited;
    assert.ok(stdout.length > 0, "the service logged");
    assert.deepEqual([stdout.includes(password), stderr.includes(password)], [false, false]);
  });

  it("does not log the password when the database cannot be reached at start-up", async (t) => {
    const spawned = spawnService(serviceList.villains.entryPoint, {
      VILLAINS_DATABASE_URL: `postgresql://user:${password}@127.0.0.1:1/db`,
      VILLAINS_GRPC_PORT: "0",
      VILLAINS_ADMIN_PORT: "0",
      LOG_LEVEL: "debug",
    });
    const timer = setTimeout(() => void spawned.kill(), 20_000);
    const { code, stdout, stderr } = await spawned.exited;
    clearTimeout(timer);
    assert.notEqual(code, 0, "the service did not start");
    assert.deepEqual(
      [stdout.includes(password), stderr.includes(password)],
      [false, false],
      `stderr: ${stderr.slice(0, 500)}`,
    );
    t.diagnostic(
      recordOutcome({
        group: "security",
        what: "database password in the URL (serving, and unreachable at start-up)",
        outcome: `redacted to *** in /stats; absent from every log line, stderr and /metrics; unreachable database: exit code ${code}, no password in the output`,
      }),
    );
  });
});
