import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { migrate, openDatabase, type Database } from "../../platform/database/database.js";
import { createLogger } from "../../platform/observability/logger.js";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../../../testkit/postgres.js";
import type { FightResult } from "../fight.js";
import { createFightWriter, type WriteCaller } from "./fight-writer.js";
import { createFightsRepository } from "./fights-repository.js";
import { fightsMigrations, type FightsDatabase } from "./fights-table.js";

const result = (winner: string): FightResult => ({
  fightTime: new Date(),
  winner: { name: winner, level: 10, powers: "", picture: "", team: "heroes", fallback: false },
  loser: { name: "Some Villain", level: 5, powers: "", picture: "", team: "villains", fallback: false },
  location: { name: "Gotham", description: "", picture: "", type: "CITY", fallback: false },
});

const caller = (deadlineMs: number, signal = new AbortController().signal): WriteCaller => ({
  signal,
  deadline: Date.now() + deadlineMs,
});

/** How a write settled: the stored winners, or the error's class and message. */
const settled = (write: Promise<{ winner: { name: string } }[]>) =>
  write.then(
    (fights) => fights.map((fight) => fight.winner.name),
    (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error)),
  );

describe("fight writer: commits a caller's fights only while the caller waits (PostgreSQL)", () => {
  let throwaway: ThrowawayDatabase;
  let database: Database<FightsDatabase>;
  const stored = async () =>
    (await sql<{ name: string }>`select winner_name as name from fights order by id`.execute(database.db)).rows.map(
      (row) => row.name,
    );
  before(async () => {
    throwaway = await createThrowawayDatabase({ prefix: "fight_writer" });
    database = await openDatabase<FightsDatabase>({
      url: throwaway.url,
      poolSize: 2,
      logger: createLogger("fights", "silent"),
    });
    await migrate(database.db, fightsMigrations);
  });
  after(async () => {
    await database?.close();
    await throwaway?.drop();
  });

  it("leaves out a write whose deadline passed or whose caller cancelled before its transaction", async () => {
    const writer = createFightWriter(createFightsRepository(database.db), { maxBatch: 100 });
    const cancelled = new AbortController();
    cancelled.abort();
    const outcomes = await Promise.all([
      settled(writer.write([result("Late Hero")], caller(-1))),
      settled(writer.write([result("Gone Hero")], caller(10_000, cancelled.signal))),
      settled(writer.write([result("Waiting Hero")], caller(10_000))),
    ]);
    assert.deepEqual(outcomes, [
      "DeadlineExceededError: the caller's deadline passed before the fight was committed; nothing was stored",
      "CancelledError: the caller cancelled before the fight was committed; nothing was stored",
      ["Waiting Hero"],
    ]);
    assert.deepEqual(await stored(), ["Waiting Hero"]);
    assert.deepEqual(writer.stats(), {
      writes: 3,
      transactions: 1,
      fights: 1,
      abandoned: 2,
      rolledBack: 0,
      lateCommits: 0,
    });
  });

  it("rolls a batch back when one caller's deadline passes during the insert, and commits the others' fights after", async () => {
    await sql`truncate fights`.execute(database.db);
    // Every insert into fights takes 0.5 s from now on.
    await sql`create function slow_insert() returns trigger language plpgsql as
      $$ begin perform pg_sleep(0.5); return null; end $$`.execute(database.db);
    await sql`create trigger slow_insert before insert on fights for each statement execute function slow_insert()`.execute(
      database.db,
    );
    const writer = createFightWriter(createFightsRepository(database.db), { maxBatch: 100 });
    // Both writes join one batch (same event-loop turn); the first caller gives up 0.2 s into it.
    const outcomes = await Promise.all([
      settled(writer.write([result("Impatient Hero")], caller(200))),
      settled(writer.write([result("Patient Hero")], caller(10_000))),
    ]);
    assert.deepEqual(outcomes, [
      "DeadlineExceededError: the caller's deadline passed before the fight was committed; nothing was stored",
      ["Patient Hero"],
    ]);
    assert.deepEqual(await stored(), ["Patient Hero"]);
    assert.deepEqual(writer.stats(), {
      writes: 2,
      transactions: 2,
      fights: 1,
      abandoned: 1,
      rolledBack: 1,
      lateCommits: 0,
    });
  });
});
