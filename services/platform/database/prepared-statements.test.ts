import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { CompiledQuery } from "kysely";
import { createCapturedLogger } from "../../../testkit/captured-logger.js";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../../../testkit/postgres.js";
import { type PgliteServer, startPgliteServer } from "../../../deploy/local/shared-pglite/pglite-server.js";
import { openDatabase, type Database } from "./database.js";
import { preparedStatement } from "./prepared-statements.js";

const doubledSql = preparedStatement("doubled_test", "select $1::int * 2 as doubled, current_schema() as schema");
const doubled = (value: number) => CompiledQuery.raw(doubledSql, [value]);
const preparedNames = CompiledQuery.raw("select name from pg_prepared_statements order by name");

describe("prepared statements", () => {
  const { logger } = createCapturedLogger();
  const opened: Database<unknown>[] = [];
  const open = async (url: string, poolSize: number) => {
    const database = await openDatabase<unknown>({ url, poolSize, logger });
    opened.push(database);
    return database;
  };
  let postgres: ThrowawayDatabase;
  let shared: PgliteServer;
  before(async () => {
    postgres = await createThrowawayDatabase();
    shared = await startPgliteServer({ host: "127.0.0.1", port: 0, databases: ["heroes", "villains"] });
    await shared.ready;
  });
  after(async () => {
    await Promise.all(opened.map((database) => database.close()));
    await postgres.drop();
    await shared.close();
  });

  it("runs a registered text as a named statement on PostgreSQL, prepared once per connection", async () => {
    const { db } = await open(postgres.url, 1);
    for (let i = 0; i < 3; i += 1) {
      const { rows } = await db.executeQuery(doubled(i));
      assert.deepEqual(rows, [{ doubled: i * 2, schema: "public" }]);
    }
    const names = (await db.executeQuery<{ name: string }>(preparedNames)).rows.map((row) => row.name);
    assert.equal(names.length, 1, `one prepared statement on the connection, got ${names.join(", ")}`);
    assert.match(names[0]!, /^doubled_test_[0-9a-f]{8}_\d+$/);
  });

  it("keeps the statements of many connections apart on npm start's shared PGlite (one session)", async () => {
    const [heroes, villains] = await Promise.all([open(shared.url("heroes"), 4), open(shared.url("villains"), 4)]);
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? heroes : villains).db.executeQuery(doubled(i))),
    );
    answers.forEach(({ rows }, i) =>
      assert.deepEqual(rows, [{ doubled: i * 2, schema: i % 2 ? "villains" : "heroes" }]),
    );
  });

  it("refuses a second name for a registered text and a name that is not an identifier", () => {
    assert.throws(() => preparedStatement("other_name", doubledSql), /already registered as "doubled_test"/);
    assert.throws(() => preparedStatement("Not A Name", "select 1"), /short identifier/);
  });
});
