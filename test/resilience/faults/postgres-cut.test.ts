import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Client } from "@grpc/grpc-js";
import { FightService, Team } from "../../../gen/superheroes/fight/v1/fight_service_pb.js";
import { createPromiseClient, type ServiceClient } from "../../../services/platform/calls/grpc-client.js";
import { adminRequest } from "../../../testkit/processes/admin-client.js";
import { createTestClient } from "../../../testkit/grpc/grpc-test-client.js";
import { checkHealth, type ServingStatus } from "../../../testkit/grpc/health-client.js";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../../../testkit/postgres.js";
import { startTcpProxy, type TcpProxy } from "../../../testkit/tcp-proxy.js";
import { waitFor } from "../../../testkit/wait-for.js";
import { startRefuser, type Refuser } from "../../../testkit/processes/refuser.js";
import { outcomesOf, startLoad, type LoadSample } from "../../../testkit/load/load.js";
import { recordOutcome } from "../../../testkit/load/outcomes.js";
import { launchService, type ServiceProcess } from "../../../testkit/processes/service-processes.js";
import type { RunningService } from "../../../services/platform/server/service-process.js";
import { startDataService } from "../../../testkit/systems/fights-system.js";

const fightsPerSecond = 30;
const outageMs = 3000;

// A heroes process reaches its throw-away database only through a TCP proxy the test cuts: the
// machine's PostgreSQL server keeps running for everyone else. Fights (a process, its own
// database) calls heroes; villains answers (in this process, its own database: a fight needs one
// real fighter while heroes is out) and locations points at a listener that resets every
// connection, so only the hero tells whether heroes answered.
describe("PostgreSQL unreachable under load, and back", { timeout: 60_000 }, () => {
  let databases: ThrowawayDatabase[] = [];
  let proxy: TcpProxy;
  let heroes: ServiceProcess;
  let fights: ServiceProcess;
  let client: ServiceClient<typeof FightService>;
  let healthClient: Client;
  let refuser: Refuser;
  let villains: RunningService;

  before(
    async () => {
      databases = await Promise.all([
        createThrowawayDatabase({ prefix: "resilience" }),
        createThrowawayDatabase({ prefix: "resilience" }),
        createThrowawayDatabase({ prefix: "resilience" }),
      ]);
      villains = await startDataService("villains", { VILLAINS_DATABASE_URL: databases[2]!.url });
      proxy = await startTcpProxy("127.0.0.1", 5432);
      const proxied = new URL(databases[0]!.url);
      proxied.port = String(proxy.port);
      heroes = await launchService("heroes", { env: { HEROES_DATABASE_URL: proxied.toString() } });
      refuser = await startRefuser();
      const closed = `127.0.0.1:${refuser.port}`;
      fights = await launchService("fights", {
        env: {
          FIGHTS_DATABASE_URL: databases[1]!.url,
          FIGHTS_HEROES_TARGET: `127.0.0.1:${heroes.grpcPort}`,
          FIGHTS_VILLAINS_TARGET: `127.0.0.1:${villains.grpcPort}`,
          FIGHTS_LOCATIONS_TARGET: closed,
          // The breaker's open time doubles while heroes fails (up to 30 s by default): capped so
          // real heroes return within seconds of the database, which is what this test measures.
          FIGHTS_BREAKER_MAX_OPEN_MS: "2000",
        },
      });
      client = createPromiseClient(FightService, `127.0.0.1:${fights.grpcPort}`);
      healthClient = createTestClient(heroes.grpcPort);
    },
    { timeout: 45_000 },
  );
  after(async () => {
    client?.close();
    healthClient?.close();
    await Promise.all([heroes?.kill(), fights?.kill(), villains?.stop()]);
    await proxy?.close();
    await refuser?.close();
    await Promise.all(databases.map((database) => database.drop()));
  });

  it("turns heroes NOT_SERVING with fallback heroes in every fight, then SERVING with real heroes, same process", async (t) => {
    const health = () =>
      checkHealth(healthClient, "superheroes.hero.v1.HeroService", { deadlineMs: 1000 }).catch(
        (): ServingStatus => "UNKNOWN",
      );
    assert.equal(await health(), "SERVING");
    const pid = heroes.current().child.pid;
    // The first fights may still find heroes' channel connecting: start once one has a real hero.
    const realHero = () =>
      client.methods.performRandomFight({}, { deadline: Date.now() + 3000 }).then(
        (value) => heroOf({ value })?.fallback === false,
        () => false,
      );
    await waitFor("a real hero", realHero, 15_000);
    const load = startLoad({
      concurrency: 6,
      ratePerSecond: fightsPerSecond,
      call: () => client.methods.performRandomFight({}, { deadline: Date.now() + 3000 }),
    });
    try {
      await sleep(1000);
      const cutAt = performance.now();
      await proxy.cut();
      // Bounds only (the measured times are reported): generous, so a starved machine cannot fail it.
      await waitFor("heroes NOT_SERVING", async () => (await health()) === "NOT_SERVING", 30_000);
      const notServingAt = performance.now();
      assert.deepEqual(await adminRequest(heroes.adminPort, "/readyz"), { status: 503, body: { status: "not ready" } });
      await sleep(outageMs);
      const restoredAt = performance.now();
      await proxy.restore();
      await waitFor("heroes SERVING again", async () => (await health()) === "SERVING", 30_000);
      const servingAt = performance.now();
      assert.deepEqual(await adminRequest(heroes.adminPort, "/readyz"), { status: 200, body: { status: "ready" } });
      await waitFor(
        "a real hero in a fight",
        () => load.samples().some((s) => s.startedAt > servingAt && heroOf(s)?.fallback === false),
        15_000,
      );
      const realAgainAt = load
        .samples()
        .find((s) => s.startedAt > servingAt && heroOf(s)?.fallback === false)!.startedAt;
      await sleep(1500);
      const samples = await load.stop();

      assert.deepEqual(outcomesOf(samples), { "0:": samples.length }, "every fight succeeded");
      // Windows by the whole call: a fight that began just before the cut may meet it.
      const endOf = (s: FightSample) => s.startedAt + s.durationMs;
      const before = samples.filter((s) => endOf(s) < cutAt);
      const outage = samples.filter((s) => s.startedAt > notServingAt && endOf(s) < restoredAt);
      const recovered = samples.filter((s) => s.startedAt > realAgainAt + 500);
      assert.deepEqual(
        [before.length > 0, before.filter((s) => heroOf(s)?.fallback !== false).length],
        [true, 0],
        "real heroes before the cut",
      );
      assert.ok(
        outage.length > 0 && outage.every((s) => heroOf(s)?.fallback === true),
        "the fallback hero while the database was unreachable",
      );
      assert.ok(
        recovered.length > 0 && recovered.every((s) => heroOf(s)?.fallback === false),
        "real heroes once recovered",
      );
      assert.deepEqual(
        { pid: heroes.current().child.pid, exitCode: heroes.current().child.exitCode },
        { pid, exitCode: null },
        "no restart",
      );

      const seconds = (samples.at(-1)!.startedAt - samples[0]!.startedAt) / 1000;
      t.diagnostic(
        recordOutcome({
          group: "fault",
          what: `PostgreSQL cut (TCP proxy) for ${(outageMs / 1000).toFixed(0)} s under ${fightsPerSecond} fights/s, heroes process`,
          outcome:
            `${samples.length} fights (${(samples.length / seconds).toFixed(0)}/s), 0 failed, ${outage.length} during the outage all with the fallback hero; ` +
            `heroes NOT_SERVING (health and /readyz 503) ${((notServingAt - cutAt) / 1000).toFixed(1)} s after the cut, SERVING ${((servingAt - restoredAt) / 1000).toFixed(1)} s after the restore, ` +
            `real heroes in fights ${((realAgainAt - restoredAt) / 1000).toFixed(1)} s after it (fights breaker, open time capped at 2 s); same heroes process`,
        }),
      );
    } finally {
      await load.stop();
    }
  });
});

type FightSample = LoadSample<Awaited<ReturnType<ServiceClient<typeof FightService>["methods"]["performRandomFight"]>>>;

function heroOf(sample: Pick<FightSample, "value">) {
  return [sample.value?.fight?.winner, sample.value?.fight?.loser].find((combatant) => combatant?.team === Team.HEROES);
}
