import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { sql, type Kysely } from "kysely";
import { migrate, openDatabase, type Database } from "../../platform/database/database.js";
import { createLogger } from "../../platform/observability/logger.js";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../../../testkit/postgres.js";
import { createFightsRepository } from "./fights-repository.js";
import { fightsMigrations, type FightsDatabase } from "./fights-table.js";

/** Rows as stored before migration 0003: [winner, winner team, winner fallback, loser, loser fallback]. */
const oldFights: [string, string, boolean, string, boolean][] = [
  ["Huge Villain", "villains", false, "Tiny Hero", false],
  ["Huge Villain", "villains", false, "Tiny Hero", false],
  ["Huge Hero", "heroes", false, "Tiny Villain", false],
  ["Fallback villain", "villains", true, "Tiny Hero", false],
  ["Fallback villain", "villains", true, "Tiny Hero", false],
  ["Tiny Hero", "heroes", false, "Fallback villain", true],
];

/** Inserts `oldFights` and the counters as the code before 0003 kept them: every fight counted. */
async function storeTheOldWay(db: Kysely<FightsDatabase>): Promise<void> {
  for (const [winner, team, winnerFallback, loser, loserFallback] of oldFights) {
    await sql`insert into fights (fight_time, winner_name, winner_level, winner_powers, winner_picture, winner_team,
        winner_fallback, loser_name, loser_level, loser_powers, loser_picture, loser_team, loser_fallback,
        location_name, location_description, location_picture, location_type, location_fallback)
      values (now(), ${winner}, 10, '', '', ${team}, ${winnerFallback}, ${loser}, 5, '', '',
        ${team === "heroes" ? "villains" : "heroes"}, ${loserFallback}, 'Gotham', '', '', 'CITY', false)`.execute(db);
    await sql`insert into fight_team_wins (team, wins) values (${team}, 1)
      on conflict (team) do update set wins = fight_team_wins.wins + 1`.execute(db);
    await sql`insert into fight_winner_wins (name, team, wins) values (${winner}, ${team}, 1)
      on conflict (name, team) do update set wins = fight_winner_wins.wins + 1`.execute(db);
  }
}

const variants = [
  { name: "PostgreSQL", url: true },
  { name: "PGlite", url: false },
];

for (const variant of variants) {
  describe(`fights migration 0003 on ${variant.name}: fallback fights apart`, () => {
    let throwaway: ThrowawayDatabase | undefined;
    let database: Database<FightsDatabase>;
    after(async () => {
      await database?.close();
      await throwaway?.drop();
    });

    it("recounts team wins and top winners of a table with old rows from real fights only, and counts fallback fights", async () => {
      throwaway = variant.url ? await createThrowawayDatabase({ prefix: "fights_migration" }) : undefined;
      database = await openDatabase<FightsDatabase>({
        url: throwaway?.url,
        poolSize: 2,
        logger: createLogger("fights", "silent"),
      });
      await migrate(database.db, { "0001_fights": fightsMigrations["0001_fights"]! });
      await storeTheOldWay(database.db);
      const repository = createFightsRepository(database.db);

      await migrate(database.db, fightsMigrations);
      assert.deepEqual(await repository.stats(10), {
        heroWins: 1,
        villainWins: 2,
        topWinners: [
          { name: "Huge Villain", team: "villains", wins: 2 },
          { name: "Huge Hero", team: "heroes", wins: 1 },
        ],
        fallbackFights: 3,
      });

      // New fights keep counting the same way after the migration.
      const stored = await repository.insert(
        [
          {
            fightTime: new Date(),
            winner: { name: "Huge Hero", level: 10, powers: "", picture: "", team: "heroes", fallback: false },
            loser: { name: "Fallback villain", level: 45, powers: "", picture: "", team: "villains", fallback: true },
            location: { name: "Gotham", description: "", picture: "", type: "CITY", fallback: false },
          },
          {
            fightTime: new Date(),
            winner: { name: "Huge Hero", level: 10, powers: "", picture: "", team: "heroes", fallback: false },
            loser: { name: "Tiny Villain", level: 1, powers: "", picture: "", team: "villains", fallback: false },
            location: { name: "Fallback location", description: "", picture: "", type: "PLACE", fallback: true },
          },
        ],
        () => true,
      );
      assert.equal(stored?.length, 2);
      const after = await repository.stats(10);
      assert.deepEqual(
        { heroWins: after.heroWins, topWinner: after.topWinners[0], fallbackFights: after.fallbackFights },
        { heroWins: 2, topWinner: { name: "Huge Hero", team: "heroes", wins: 2 }, fallbackFights: 4 },
        "a fallback location does not make a fallback fight; a fallback villain does",
      );
    });
  });
}
