import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { status as Status } from "@grpc/grpc-js";
import pg from "pg";
import { FightService } from "../../../gen/superheroes/fight/v1/fight_service_pb.js";
import { createPromiseClient, type ServiceClient } from "../../../services/platform/calls/grpc-client.js";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../../../testkit/postgres.js";
import { outcomesOf, startLoad } from "../../../testkit/load/load.js";
import { recordOutcome } from "../../../testkit/load/outcomes.js";
import { startRefuser, type Refuser } from "../../../testkit/processes/refuser.js";
import { launchService, type ServiceProcess } from "../../../testkit/processes/service-processes.js";
import type { RunningService } from "../../../services/platform/server/service-process.js";
import { startDataService } from "../../../testkit/systems/fights-system.js";

const batchSize = 10;

// The fights process on its own throw-away database; heroes and villains answer (in this process,
// each on its own throw-away database: the victim is fights), locations is a listener that resets
// every connection, so every fight has real fighters and the fallback location. The test is about
// the write path: group commit of concurrent fights into one transaction with the win counters.
describe("fights SIGKILLed under load and restarted on the same database", { timeout: 60_000 }, () => {
  let databases: ThrowawayDatabase[] = [];
  let refuser: Refuser;
  let dataServices: RunningService[] = [];
  let fights: ServiceProcess;
  let client: ServiceClient<typeof FightService>;

  before(
    async () => {
      [refuser, ...databases] = await Promise.all([
        startRefuser(),
        ...[1, 2, 3].map(() => createThrowawayDatabase({ prefix: "resilience" })),
      ]);
      const [database, heroesDatabase, villainsDatabase] = databases as [
        ThrowawayDatabase,
        ThrowawayDatabase,
        ThrowawayDatabase,
      ];
      dataServices = await Promise.all([
        startDataService("heroes", { HEROES_DATABASE_URL: heroesDatabase.url }),
        startDataService("villains", { VILLAINS_DATABASE_URL: villainsDatabase.url }),
      ]);
      const [heroes, villains] = dataServices as [RunningService, RunningService];
      fights = await launchService("fights", {
        env: {
          FIGHTS_DATABASE_URL: database.url,
          FIGHTS_HEROES_TARGET: `127.0.0.1:${heroes.grpcPort}`,
          FIGHTS_VILLAINS_TARGET: `127.0.0.1:${villains.grpcPort}`,
          FIGHTS_LOCATIONS_TARGET: `127.0.0.1:${refuser.port}`,
          // Every call spends 10–30 ms in fights before its fight is picked and stored, so calls
          // are always in flight when the kill comes, however busy the machine is.
          FIGHTS_FAULTS_ENABLED: "true",
          FIGHTS_FAULT_LATENCY_MS: "10",
          FIGHTS_FAULT_JITTER_MS: "20",
        },
      });
      client = createPromiseClient(FightService, `127.0.0.1:${fights.grpcPort}`);
    },
    { timeout: 45_000 },
  );
  after(async () => {
    client?.close();
    await fights?.kill();
    await Promise.all(dataServices.map((service) => service.stop()));
    await refuser?.close();
    await Promise.all(databases.map((database) => database.drop()));
  });

  it("keeps every fight a client got OK for, and no half-written fight", async (t) => {
    const deadline = () => ({ deadline: Date.now() + 3000 });
    const single = startLoad({
      concurrency: 6,
      call: () => client.methods.performRandomFight({}, deadline()).then((r) => [r.fight!]),
    });
    const batch = startLoad({
      concurrency: 3,
      call: () => client.methods.performRandomFights({ count: batchSize }, deadline()).then((r) => r.fights),
    });
    await sleep(1500);
    const killedAt = performance.now();
    await fights.kill("SIGKILL");
    await sleep(300);
    const samples = [...(await single.stop()), ...(await batch.stop())];
    await fights.restart();

    const acknowledged = samples.flatMap((s) => s.value ?? []);
    const failed = samples.filter((s) => s.code !== 0);
    const inFlightAtKill = failed.filter((s) => s.startedAt < killedAt);
    assert.ok(acknowledged.length > 0, "fights were acknowledged before the kill");
    assert.ok(inFlightAtKill.length > 0, "calls were in flight at the kill");
    // A call cut by the kill fails UNAVAILABLE; none fails any other way.
    const failureCodes = new Set(failed.map((s) => s.code));
    assert.deepEqual([...failureCodes], [Status.UNAVAILABLE], JSON.stringify(outcomesOf(failed)));

    const audit = await auditDatabase(databases[0]!.url);
    const missing = acknowledged.filter((fight) => !audit.ids.has(String(fight.id)));
    assert.deepEqual(
      missing.map((fight) => fight.id),
      [],
      "every acknowledged fight is stored",
    );
    assert.deepEqual(
      {
        incomplete: audit.incomplete,
        fallbackFighters: audit.fallbackFighters,
        teamWins: audit.teamWins,
        winnerWins: audit.winnerWins,
      },
      { incomplete: 0, fallbackFighters: 0, teamWins: audit.ids.size, winnerWins: audit.ids.size },
      "every row complete, between real fighters; both win counters sum to the number of fights",
    );
    // The restarted process serves the stored fights as the clients got them: a new channel with
    // its own subchannel, since the shared one is backing off after the refused reconnects.
    const restarted = createPromiseClient(FightService, `127.0.0.1:${fights.grpcPort}`, {
      channelOptions: { "grpc.use_local_subchannel_pool": 1 },
    });
    t.after(() => restarted.close());
    for (const fight of acknowledged.slice(-5)) {
      const stored = (await restarted.methods.getFight({ id: fight.id }, deadline())).fight;
      assert.deepEqual(
        [stored?.id, stored?.winner?.name, stored?.loser?.name],
        [fight.id, fight.winner?.name, fight.loser?.name],
      );
    }

    t.diagnostic(
      recordOutcome({
        group: "fault",
        what: `fights SIGKILL under concurrent PerformRandomFight (6 callers) and PerformRandomFights (3 callers, count ${batchSize}), restarted on the same database`,
        outcome:
          `${acknowledged.length} fights acknowledged OK before the kill, all ${acknowledged.length} found by id; ${inFlightAtKill.length} calls in flight at the kill and ${failed.length - inFlightAtKill.length} started in the 0.3 s after it, each UNAVAILABLE; ` +
          `${audit.ids.size} rows stored (${audit.ids.size - acknowledged.length} committed but never acknowledged), 0 incomplete, ` +
          `every fight between real fighters, fight_team_wins and fight_winner_wins each sum to ${audit.ids.size}; GetFight after the restart returns them`,
      }),
    );
  });
});

interface Audit {
  ids: Set<string>;
  /** Rows with an empty name, team or location. */
  incomplete: number;
  /** Rows with a fallback hero or villain (none expected: both answer). */
  fallbackFighters: number;
  teamWins: number;
  winnerWins: number;
}

async function auditDatabase(url: string): Promise<Audit> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const ids = await db.query<{ id: string }>("select id::text as id from fights");
    const incomplete = await db.query<{ count: string }>(
      `select count(*) from fights
       where winner_name = '' or loser_name = '' or winner_team = '' or loser_team = '' or location_name = '' or location_type = ''`,
    );
    const fallbacks = await db.query<{ count: string }>(
      "select count(*) from fights where winner_fallback or loser_fallback",
    );
    const team = await db.query<{ sum: string | null }>(
      "select sum(wins + fallback_fights)::text as sum from fight_team_wins",
    );
    const winner = await db.query<{ sum: string | null }>("select sum(wins)::text as sum from fight_winner_wins");
    return {
      ids: new Set(ids.rows.map((row) => row.id)),
      incomplete: Number(incomplete.rows[0]?.count),
      fallbackFighters: Number(fallbacks.rows[0]?.count),
      teamWins: Number(team.rows[0]?.sum ?? 0),
      winnerWins: Number(winner.rows[0]?.sum ?? 0),
    };
  } finally {
    await db.end();
  }
}
