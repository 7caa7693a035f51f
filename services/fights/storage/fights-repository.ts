import { type Kysely, type Selectable, sql } from "kysely";
import { withDatabaseErrors } from "../../platform/database/database-errors.js";
import type { Combatant, Fight, FightResult, PlaceKind, Team } from "../fight.js";
import type { FightRow, FightsDatabase } from "./fights-table.js";

/** Wins per team and the most frequent winners. */
export interface FightStats {
  heroWins: number;
  villainWins: number;
  topWinners: { name: string; team: Team; wins: number }[];
}

/** SQL of the fights service. */
export interface FightsRepository {
  /** Stores fights in one transaction (one multi-row insert plus the win counters); returns them with ids, in order. */
  insert(results: readonly FightResult[]): Promise<Fight[]>;
  get(id: number): Promise<Fight | undefined>;
  /** Up to `limit` fights with id < `beforeId` (all when undefined), newest first. */
  listNewestFirst(limit: number, beforeId: number | undefined): Promise<Fight[]>;
  stats(topCount: number): Promise<FightStats>;
}

/** The repository over a kysely database (PostgreSQL or PGlite). */
export function createFightsRepository(db: Kysely<FightsDatabase>): FightsRepository {
  return withDatabaseErrors<FightsRepository>({
    insert: (results) => insertFights(db, results),
    async get(id) {
      const row = await db.selectFrom("fights").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? undefined : fightFromRow(row);
    },
    async listNewestFirst(limit, beforeId) {
      let query = db.selectFrom("fights").selectAll().orderBy("id", "desc").limit(limit);
      if (beforeId !== undefined) query = query.where("id", "<", beforeId);
      return (await query.execute()).map(fightFromRow);
    },
    stats: (topCount) => readStats(db, topCount),
  });
}

async function insertFights(db: Kysely<FightsDatabase>, results: readonly FightResult[]): Promise<Fight[]> {
  if (results.length === 0) return [];
  return db.transaction().execute(async (tx) => {
    const ids = await tx.insertInto("fights").values(results.map(rowFromResult)).returning("id").execute();
    await addWins(tx, results);
    return results.map((result, index) => ({ ...result, id: Number(ids[index]!.id) }));
  });
}

/** Adds this batch's wins; keys are sorted so concurrent batches lock rows in the same order. */
async function addWins(tx: Kysely<FightsDatabase>, results: readonly FightResult[]): Promise<void> {
  const byTeam = countBy(results, (result) => result.winner.team);
  const byWinner = countBy(results, (result) => `${result.winner.team}\u0000${result.winner.name}`);
  const teamRows = [...byTeam].sort(([a], [b]) => a.localeCompare(b)).map(([team, wins]) => ({ team, wins }));
  await tx
    .insertInto("fight_team_wins")
    .values(teamRows)
    .onConflict((conflict) => conflict.column("team").doUpdateSet({ wins: sql`fight_team_wins.wins + excluded.wins` }))
    .execute();
  const winnerRows = [...byWinner]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, wins]) => {
      const [team = "", name = ""] = key.split("\u0000");
      return { name, team, wins };
    });
  await tx
    .insertInto("fight_winner_wins")
    .values(winnerRows)
    .onConflict((conflict) =>
      conflict.columns(["name", "team"]).doUpdateSet({ wins: sql`fight_winner_wins.wins + excluded.wins` }),
    )
    .execute();
}

async function readStats(db: Kysely<FightsDatabase>, topCount: number): Promise<FightStats> {
  const [teams, top] = await Promise.all([
    db.selectFrom("fight_team_wins").select(["team", "wins"]).execute(),
    db
      .selectFrom("fight_winner_wins")
      .select(["name", "team", "wins"])
      .orderBy("wins", "desc")
      .orderBy("name")
      .limit(topCount)
      .execute(),
  ]);
  const winsOf = (team: Team) => Number(teams.find((row) => row.team === team)?.wins ?? 0);
  return {
    heroWins: winsOf("heroes"),
    villainWins: winsOf("villains"),
    topWinners: top.map((row) => ({ name: row.name, team: row.team as Team, wins: Number(row.wins) })),
  };
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

function rowFromResult(result: FightResult) {
  const { winner, loser, location } = result;
  return {
    fight_time: result.fightTime,
    winner_name: winner.name,
    winner_level: winner.level,
    winner_powers: winner.powers,
    winner_picture: winner.picture,
    winner_team: winner.team,
    winner_fallback: winner.fallback,
    loser_name: loser.name,
    loser_level: loser.level,
    loser_powers: loser.powers,
    loser_picture: loser.picture,
    loser_team: loser.team,
    loser_fallback: loser.fallback,
    location_name: location.name,
    location_description: location.description,
    location_picture: location.picture,
    location_type: location.type,
    location_fallback: location.fallback,
  };
}

/** A Fight from its row: the one place rows become domain objects. */
export function fightFromRow(row: Selectable<FightRow>): Fight {
  const combatant = (side: "winner" | "loser"): Combatant => ({
    name: row[`${side}_name`],
    level: row[`${side}_level`],
    powers: row[`${side}_powers`],
    picture: row[`${side}_picture`],
    team: row[`${side}_team`] as Team,
    fallback: row[`${side}_fallback`],
  });
  return {
    id: Number(row.id),
    fightTime: new Date(row.fight_time),
    winner: combatant("winner"),
    loser: combatant("loser"),
    location: {
      name: row.location_name,
      description: row.location_description,
      picture: row.location_picture,
      type: row.location_type as PlaceKind,
      fallback: row.location_fallback,
    },
  };
}
