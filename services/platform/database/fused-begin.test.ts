import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CompiledQuery, type Kysely } from "kysely";
import { type PgliteServer, startPgliteServer } from "../../../deploy/local/shared-pglite/pglite-server.js";
import { createCapturedLogger } from "../../../testkit/captured-logger.js";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../../../testkit/postgres.js";
import { startTcpProxy, type TcpProxy } from "../../../testkit/tcp-proxy.js";
import { openDatabase, type Database } from "./database.js";

const createTable = CompiledQuery.raw("create table if not exists fused (id int primary key)");
const insert = (id: number) => CompiledQuery.raw("insert into fused (id) values ($1)", [id]);
const countRows = CompiledQuery.raw("select count(*)::int as n from fused");

/** Rolls a transaction back after its work: what the fights writer does when a deadline passed. */
const rolledBack = Symbol("rolled back");

async function rows(db: Kysely<unknown>): Promise<number> {
  return (await db.executeQuery<{ n: number }>(countRows)).rows[0]!.n;
}

describe("a transaction's BEGIN travels with its first statement", () => {
  const { logger } = createCapturedLogger();
  let postgres: ThrowawayDatabase;
  let proxy: TcpProxy;
  let database: Database<unknown>;
  let shared: PgliteServer;
  before(async () => {
    postgres = await createThrowawayDatabase();
    const url = new URL(postgres.url);
    proxy = await startTcpProxy(url.hostname, Number(url.port));
    url.port = String(proxy.port);
    // One connection, so every query below goes over the one counted socket.
    database = await openDatabase<unknown>({ url: url.toString(), poolSize: 1, logger });
    await database.db.executeQuery(createTable);
    shared = await startPgliteServer({ host: "127.0.0.1", port: 0, databases: ["fights"] });
    await shared.ready;
  });
  after(async () => {
    await database.close();
    await proxy.close();
    await postgres.drop();
    await shared.close();
  });

  it("takes two round trips for BEGIN, one statement and COMMIT on PostgreSQL, and commits", async () => {
    const before = proxy.roundTrips();
    await database.db.transaction().execute((transaction) => transaction.executeQuery(insert(1)));
    assert.equal(proxy.roundTrips() - before, 2, "BEGIN with the insert, then COMMIT");
    assert.equal(await rows(database.db), 1);
  });

  it("rolls back what the first statement did when the transaction is rolled back", async () => {
    const stored = await rows(database.db);
    await assert.rejects(
      database.db.transaction().execute(async (transaction) => {
        await transaction.executeQuery(insert(2));
        throw rolledBack;
      }),
      (error) => error === rolledBack,
    );
    assert.equal(await rows(database.db), stored);
  });

  it("answers a failing first statement with its error and leaves the connection usable", async () => {
    const stored = await rows(database.db);
    await assert.rejects(
      database.db.transaction().execute((transaction) => transaction.executeQuery(insert(1))),
      /duplicate key value violates unique constraint/,
    );
    await database.db.transaction().execute((transaction) => transaction.executeQuery(insert(3)));
    assert.equal(await rows(database.db), stored + 1);
  });

  it("sends nothing for a transaction that runs no statement", async () => {
    const before = proxy.roundTrips();
    await database.db.transaction().execute(async () => undefined);
    assert.equal(proxy.roundTrips() - before, 0);
  });

  it("commits and rolls back the same way through npm start's shared PGlite", async () => {
    const fights = await openDatabase<unknown>({ url: shared.url("fights"), poolSize: 2, logger });
    try {
      await fights.db.executeQuery(createTable);
      await fights.db.transaction().execute((transaction) => transaction.executeQuery(insert(1)));
      await assert.rejects(
        fights.db.transaction().execute(async (transaction) => {
          await transaction.executeQuery(insert(2));
          throw rolledBack;
        }),
        (error) => error === rolledBack,
      );
      assert.equal(await rows(fights.db), 1);
    } finally {
      await fights.close();
    }
  });
});
