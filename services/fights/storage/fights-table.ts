import type { ColumnType, Generated, Migration } from "kysely";
import { sql } from "kysely";

/** A row of `fights`: one stored fight, fighters copied at fight time. */
export interface FightRow {
  id: Generated<string | number | bigint>;
  fight_time: ColumnType<Date, Date, never>;
  winner_name: string;
  winner_level: number;
  winner_powers: string;
  winner_picture: string;
  winner_team: string;
  winner_fallback: boolean;
  loser_name: string;
  loser_level: number;
  loser_powers: string;
  loser_picture: string;
  loser_team: string;
  loser_fallback: boolean;
  location_name: string;
  location_description: string;
  location_picture: string;
  location_type: string;
  location_fallback: boolean;
}

/**
 * Fights per winning team, kept with every insert so stats never scan `fights`: `wins` counts
 * fights between two real fighters, `fallback_fights` those with a fallback hero or villain
 * (a win over a placeholder is not a win). Since migration 0003.
 */
export interface TeamWinsRow {
  team: string;
  wins: ColumnType<string | number | bigint, number, number>;
  fallback_fights: ColumnType<string | number | bigint, number | undefined, number>;
}

/** Wins per real fighter in fights between two real fighters, kept with every insert; indexed by wins for the top-winners query. */
export interface WinnerWinsRow {
  name: string;
  team: string;
  wins: ColumnType<string | number | bigint, number, number>;
}

/** The fights database. */
export interface FightsDatabase {
  fights: FightRow;
  fight_team_wins: TeamWinsRow;
  fight_winner_wins: WinnerWinsRow;
}

/** The NOTIFY channel of committed fights: each payload is up to `fightIdsPerNotice` ids, comma-separated. */
export const fightStoredChannel = "fight_stored";

/** At most 300 ids of up to 19 digits and a comma: under 6,000 bytes, within NOTIFY's 8,000. */
export const fightIdsPerNotice = 300;

/** Schema migrations, applied in name order at start-up. */
export const fightsMigrations: Record<string, Migration> = {
  "0001_fights": {
    async up(db) {
      await db.schema
        .createTable("fights")
        .addColumn("id", "bigint", (column) => column.primaryKey().generatedAlwaysAsIdentity())
        .addColumn("fight_time", "timestamptz", (column) => column.notNull())
        .addColumn("winner_name", "text", (column) => column.notNull())
        .addColumn("winner_level", "integer", (column) => column.notNull())
        .addColumn("winner_powers", "text", (column) => column.notNull())
        .addColumn("winner_picture", "text", (column) => column.notNull())
        .addColumn("winner_team", "text", (column) => column.notNull())
        .addColumn("winner_fallback", "boolean", (column) => column.notNull())
        .addColumn("loser_name", "text", (column) => column.notNull())
        .addColumn("loser_level", "integer", (column) => column.notNull())
        .addColumn("loser_powers", "text", (column) => column.notNull())
        .addColumn("loser_picture", "text", (column) => column.notNull())
        .addColumn("loser_team", "text", (column) => column.notNull())
        .addColumn("loser_fallback", "boolean", (column) => column.notNull())
        .addColumn("location_name", "text", (column) => column.notNull())
        .addColumn("location_description", "text", (column) => column.notNull())
        .addColumn("location_picture", "text", (column) => column.notNull())
        .addColumn("location_type", "text", (column) => column.notNull())
        .addColumn("location_fallback", "boolean", (column) => column.notNull())
        .execute();
      await db.schema
        .createTable("fight_team_wins")
        .addColumn("team", "text", (column) => column.primaryKey())
        .addColumn("wins", "bigint", (column) => column.notNull())
        .execute();
      await db.schema
        .createTable("fight_winner_wins")
        .addColumn("name", "text", (column) => column.notNull())
        .addColumn("team", "text", (column) => column.notNull())
        .addColumn("wins", "bigint", (column) => column.notNull())
        .addPrimaryKeyConstraint("fight_winner_wins_pkey", ["name", "team"])
        .execute();
      await sql`create index fight_winner_wins_by_wins on fight_winner_wins (wins desc, name)`.execute(db);
    },
  },
  "0002_fight_stored_notify": {
    // A statement-level trigger, so every insert (any batch size, any writer) notifies once per
    // 300 ids. PostgreSQL delivers NOTIFY at commit, in commit order, and never for a rollback:
    // listeners on every replica see committed fights in the order they were committed.
    async up(db) {
      await sql
        .raw(
          `create function notify_fight_stored() returns trigger language plpgsql as $$
declare
  ids text;
begin
  for ids in
    select string_agg(id::text, ',' order by id)
    from (select id, (row_number() over (order by id) - 1) / ${fightIdsPerNotice} as chunk from stored) numbered
    group by chunk
    order by chunk
  loop
    perform pg_notify('${fightStoredChannel}', ids);
  end loop;
  return null;
end
$$`,
        )
        .execute(db);
      await sql
        .raw(
          `create trigger fight_stored after insert on fights referencing new table as stored
           for each statement execute function notify_fight_stored()`,
        )
        .execute(db);
    },
  },
  "0003_fallback_fights_apart": {
    // Until now a win over (or by) a fallback fighter counted like any other, so "Fallback villain"
    // could top the winners. The counters are recounted from the rows, whose fallback flags were
    // stored from the start: one statement each, in the migration's transaction.
    async up(db) {
      await sql`alter table fight_team_wins add column fallback_fights bigint not null default 0`.execute(db);
      await sql`delete from fight_team_wins`.execute(db);
      await sql`insert into fight_team_wins (team, wins, fallback_fights)
        select winner_team,
               count(*) filter (where not (winner_fallback or loser_fallback)),
               count(*) filter (where winner_fallback or loser_fallback)
        from fights group by winner_team`.execute(db);
      await sql`delete from fight_winner_wins`.execute(db);
      await sql`insert into fight_winner_wins (name, team, wins)
        select winner_name, winner_team, count(*)
        from fights where not (winner_fallback or loser_fallback) group by winner_team, winner_name`.execute(db);
    },
  },
};
