import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { status as Status } from "@grpc/grpc-js";
import { FightService, Team } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import { createPromiseClient, type ServiceClient } from "../platform/calls/grpc-client.js";
import type { RunningFights } from "./app.js";
import { startRefuser, type Refuser } from "../../testkit/processes/refuser.js";
import { startFightsAgainst } from "../../testkit/systems/fights-system.js";
import { startPostgresFightsSystem, type PostgresFightsSystem } from "../../testkit/systems/postgres-fights-system.js";
import { grpcFailure } from "../../testkit/grpc/call-failure.js";

const noRealFighters =
  /^no real fighters: heroes and villains did not answer \(heroes: UNAVAILABLE .+; villains: UNAVAILABLE .+\); no fight was staged between two fallbacks and nothing was stored; retry once one of them is back$/;

const deadline = () => ({ deadline: Date.now() + 5000 });

// Two fights services on one fights database (PostgreSQL): one whose villains are down (every
// fight has the fallback villain), one whose heroes and villains are both down (no real fighter).
describe("fights need real fighters; stats count real fights only", () => {
  let refuser: Refuser;
  let system: PostgresFightsSystem;
  let noFighters: RunningFights;
  let noFightersClient: ServiceClient<typeof FightService>;
  before(async () => {
    refuser = await startRefuser();
    const down = `127.0.0.1:${refuser.port}`;
    system = await startPostgresFightsSystem({ downTargets: { villains: down } });
    noFighters = await startFightsAgainst(
      { heroes: down, villains: down, locations: `127.0.0.1:${system.data.locations!.grpcPort}` },
      { FIGHTS_DATABASE_URL: system.fightsUrl, FIGHTS_BREAKER_MIN_CALLS: "3" },
    );
    noFightersClient = createPromiseClient(FightService, `127.0.0.1:${noFighters.grpcPort}`);
  });
  after(async () => {
    noFightersClient?.close();
    await noFighters?.stop();
    await system?.stop();
    await refuser?.close();
  });

  it("answers UNAVAILABLE naming heroes and villains when neither answers, and stores nothing", async () => {
    const single = await grpcFailure(noFightersClient.methods.performRandomFight({}, deadline()));
    const batch = await grpcFailure(noFightersClient.methods.performRandomFights({ count: 10 }, deadline()));
    assert.equal(single.code, Status.UNAVAILABLE, single.details);
    assert.match(single.details, noRealFighters);
    assert.equal(batch.code, Status.UNAVAILABLE, batch.details);
    assert.match(batch.details, noRealFighters);
    assert.equal(await system.storedFights(), 0);
  });

  it("says when an open breaker is why: the message names the breaker of each", async () => {
    let last = { code: Status.OK, details: "" };
    for (let call = 0; call < 10; call += 1) {
      last = await grpcFailure(noFightersClient.methods.performRandomFight({}, deadline()));
    }
    assert.equal(last.code, Status.UNAVAILABLE);
    assert.match(last.details, noRealFighters);
    assert.match(
      last.details,
      /heroes: UNAVAILABLE circuit breaker for heroes is open; failing fast; villains: UNAVAILABLE circuit breaker for villains is open/,
    );
    assert.equal(await system.storedFights(), 0);
  });

  it("refuses PerformFight between the two fallbacks GetRandomFighters gives with INVALID_ARGUMENT", async () => {
    const { fighters } = await noFightersClient.methods.getRandomFighters({}, deadline());
    assert.deepEqual([fighters?.heroFallback, fighters?.villainFallback], [true, true]);
    const refused = await grpcFailure(
      noFightersClient.methods.performFight(
        { hero: fighters!.hero, villain: fighters!.villain, location: fighters!.location },
        deadline(),
      ),
    );
    assert.deepEqual(refused, {
      code: Status.INVALID_ARGUMENT,
      details:
        "hero, villain: both are the fallbacks (id 0 and the fallback names): a fight needs at least one real fighter; ask GetRandomFighters again once heroes or villains answers",
    });
    assert.equal(await system.storedFights(), 0);
  });

  it("still stages a fight with one fallback side, marked as such", async () => {
    const { fight } = await system.client.methods.performRandomFight({}, deadline());
    const villain = [fight?.winner, fight?.loser].find((combatant) => combatant?.team === Team.VILLAINS);
    const hero = [fight?.winner, fight?.loser].find((combatant) => combatant?.team === Team.HEROES);
    assert.deepEqual([villain?.name, villain?.fallback, hero?.fallback], ["Fallback villain", true, false]);
    const { fights } = await system.client.methods.performRandomFights({ count: 4 }, deadline());
    assert.equal(fights.length, 4);
    assert.equal(await system.storedFights(), 5);
  });

  it("counts only fights between real fighters in team wins and top winners, and fallback fights apart", async () => {
    const fightBetween = (hero: string, heroLevel: number, villain: string, villainLevel: number) =>
      system.client.methods.performFight(
        {
          hero: { id: 1n, name: hero, level: heroLevel },
          villain: { id: 1n, name: villain, level: villainLevel },
          location: { id: 1n, name: "Test Arena" },
        },
        deadline(),
      );
    for (let round = 0; round < 3; round += 1) await fightBetween("Tiny Hero", 1, "Huge Villain", 1_000_000);
    for (let round = 0; round < 2; round += 1) await fightBetween("Huge Hero", 1_000_000, "Tiny Villain", 1);

    const stats = await system.client.methods.getFightStats({}, deadline());
    const fallbackRows = await system.fightsDb.query<{ count: string }>(
      "select count(*) from fights where winner_fallback or loser_fallback",
    );
    assert.deepEqual(
      {
        heroWins: stats.heroWins,
        villainWins: stats.villainWins,
        heroWinRatio: stats.heroWinRatio,
        topWinners: stats.topWinners.map((winner) => [winner.name, winner.team, winner.wins]),
        fallbackFights: stats.fallbackFights,
      },
      {
        heroWins: 2n,
        villainWins: 3n,
        heroWinRatio: 2 / 5,
        topWinners: [
          ["Huge Villain", Team.VILLAINS, 3n],
          ["Huge Hero", Team.HEROES, 2n],
        ],
        fallbackFights: 5n,
      },
    );
    assert.equal(fallbackRows.rows[0]!.count, "5", "the five random fights with the fallback villain");
  });
});
