import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import type { PGlite } from "@electric-sql/pglite";
import { openPglite } from "../../../services/platform/database/pglite-template.js";
import { type PgliteServer, startPgliteServer } from "./pglite-server.js";

describe("the shared PGlite server", () => {
  let server: PgliteServer;
  const pools: pg.Pool[] = [];
  const pool = (database: string, max = 4) => {
    const created = new pg.Pool({ connectionString: server.url(database), max });
    created.on("error", () => undefined);
    pools.push(created);
    return created;
  };
  before(async () => {
    server = await startPgliteServer({ host: "127.0.0.1", port: 0, databases: ["heroes", "villains"] });
  });
  after(async () => {
    await Promise.all(pools.map((each) => each.end().catch(() => undefined)));
    await server.close();
  });

  it("gives each database its own schema: the same table name holds each service's own rows", async () => {
    const heroes = pool("heroes");
    const villains = pool("villains");
    await heroes.query("create table fighters (name text)");
    await villains.query("create table fighters (name text)");
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => heroes.query("insert into fighters values ($1)", [`hero ${i}`])),
      ...Array.from({ length: 30 }, (_, i) => villains.query("insert into fighters values ($1)", [`villain ${i}`])),
    ]);
    const [h, v] = await Promise.all([
      heroes.query("select current_schema() as schema, count(*)::int as n, min(name) as first from fighters"),
      villains.query("select current_schema() as schema, count(*)::int as n, min(name) as first from fighters"),
    ]);
    assert.deepEqual(h.rows[0], { schema: "heroes", n: 20, first: "hero 0" });
    assert.deepEqual(v.rows[0], { schema: "villains", n: 30, first: "villain 0" });
  });

  it("answers 400 concurrent parameterised queries on 8 connections, each with its own parameters", async () => {
    const heroes = pool("heroes", 4);
    const villains = pool("villains", 4);
    const answers = await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        (i % 2 === 0 ? heroes : villains).query("select $1::int * 2 as doubled, current_schema() as schema", [i]),
      ),
    );
    answers.forEach((answer, i) =>
      assert.deepEqual(answer.rows[0], { doubled: i * 2, schema: i % 2 === 0 ? "heroes" : "villains" }),
    );
  });

  it("takes a 4 MB message that arrives in many chunks whole", async () => {
    const heroes = pool("heroes", 1);
    const text = "x".repeat(4 * 1024 * 1024);
    const { rows } = await heroes.query(
      "select length($1::text) as n, md5($1::text) = md5(repeat('x', 4194304)) as same",
      [text],
    );
    assert.deepEqual(rows[0], { n: 4 * 1024 * 1024, same: true });
  });

  it("never shows another connection a transaction that is not committed: it waits for the commit", async () => {
    const heroes = pool("heroes", 2);
    await heroes.query("create table ledger (n int)");
    const writer = await heroes.connect();
    await writer.query("begin");
    await writer.query("insert into ledger values (1)");
    let readerDone = false;
    const reader = heroes.query("select count(*)::int as n from ledger").then((result) => {
      readerDone = true;
      return result.rows[0].n as number;
    });
    await sleep(200);
    assert.equal(readerDone, false, "the reader waits while the writer is inside its transaction");
    await writer.query("commit");
    writer.release();
    assert.equal(await reader, 1);
  });

  it("rolls back the transaction of a client that goes away inside it, and the others go on", async () => {
    const heroes = pool("heroes", 2);
    await heroes.query("create table ghosts (n int)");
    const lost = new pg.Client({ connectionString: server.url("heroes") });
    lost.on("error", () => undefined);
    await lost.connect();
    await lost.query("begin");
    await lost.query("insert into ghosts values (1)");
    const waiting = heroes.query("select count(*)::int as n from ghosts");
    (lost as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    assert.equal((await waiting).rows[0].n, 0);
  });

  it("refuses a database it does not have, naming the ones it has", async () => {
    const client = new pg.Client({ connectionString: server.url("fights") });
    await assert.rejects(client.connect(), /database "fights" does not exist; this server has heroes, villains/);
  });
});

describe("the shared PGlite server with a client idle inside its transaction", () => {
  it("rolls it back and disconnects it after idleInTransactionMs, so the others go on", async () => {
    const server = await startPgliteServer({
      host: "127.0.0.1",
      port: 0,
      databases: ["heroes"],
      idleInTransactionMs: 500,
    });
    after(() => server.close());
    const stuck = new pg.Client({ connectionString: server.url("heroes") });
    const errors: Error[] = [];
    stuck.on("error", (error) => errors.push(error));
    await stuck.connect();
    await stuck.query("create table stalled (n int)");
    await stuck.query("begin");
    await stuck.query("insert into stalled values (1)");
    const other = new pg.Client({ connectionString: server.url("heroes") });
    await other.connect();
    after(() => other.end());
    const { rows } = await other.query("select count(*)::int as n from stalled");
    assert.equal(rows[0].n, 0, "the stuck transaction was rolled back, not committed");
    await assert.rejects(stuck.query("commit"));
    assert.match(errors.map((error) => error.message).join(" "), /idle in transaction for 0.5 s/);
  });
});

describe("the shared PGlite server when PGlite fails", () => {
  it("closes every connection and reports the failure, so the launcher can stop and say why", async () => {
    let underneath: PGlite | undefined;
    const server = await startPgliteServer({
      host: "127.0.0.1",
      port: 0,
      databases: ["heroes"],
      open: async (dataDir) => (underneath = await openPglite(dataDir)),
    });
    after(() => server.close().catch(() => undefined));
    const client = new pg.Client({ connectionString: server.url("heroes") });
    client.on("error", () => undefined);
    await client.connect();
    assert.deepEqual((await client.query("select 1 as one")).rows, [{ one: 1 }]);
    await underneath!.close();
    await assert.rejects(client.query("select 1"), /Connection terminated/);
    assert.ok((await server.failed) instanceof Error);
    assert.equal(server.connections(), 0);
  });
});

describe("LISTEN/NOTIFY on the shared PGlite server", () => {
  let server: PgliteServer;
  const clients: pg.Client[] = [];
  const connect = async (database: string) => {
    const client = new pg.Client({ connectionString: server.url(database) });
    client.on("error", () => undefined);
    await client.connect();
    clients.push(client);
    return client;
  };
  const heard = (client: pg.Client) => {
    const payloads: string[] = [];
    client.on("notification", (message) => payloads.push(`${message.channel}:${message.payload}`));
    return payloads;
  };
  before(async () => {
    server = await startPgliteServer({ host: "127.0.0.1", port: 0, databases: ["fights", "heroes"] });
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    await server.close();
  });

  it("delivers each committed NOTIFY to every connection that LISTENs on its channel, in commit order, and to no other", async () => {
    const [listener, second, writer, bystander] = await Promise.all([
      connect("fights"),
      connect("fights"),
      connect("fights"),
      connect("heroes"),
    ]);
    const [first, other, written, aside] = [heard(listener), heard(second), heard(writer), heard(bystander)];
    await listener.query("LISTEN fight_stored");
    await second.query('listen "fight_stored"');
    await writer.query("create table fights (id int)");
    await writer.query(
      "create function notify_fight() returns trigger language plpgsql as $$ begin perform pg_notify('fight_stored', new.id::text); return null; end $$",
    );
    await writer.query(
      "create trigger fight_stored after insert on fights for each row execute function notify_fight()",
    );
    for (let id = 1; id <= 5; id += 1) await writer.query("insert into fights values ($1)", [id]);
    await writer.query("begin");
    await writer.query("insert into fights values (6)");
    await writer.query("rollback");
    await bystander.query("select pg_notify('other_channel', 'x')");
    // A round trip on each listener: what was written before its answer has arrived.
    await Promise.all([listener.query("select 1"), second.query("select 1")]);
    const expected = [1, 2, 3, 4, 5].map((id) => `fight_stored:${id}`);
    assert.deepEqual(first, expected);
    assert.deepEqual(other, expected);
    assert.deepEqual(written, [], "the connection that committed does not listen");
    assert.deepEqual(aside, []);
  });

  it("stops delivering to a connection after its UNLISTEN, while the others still hear", async () => {
    const [leaving, staying, writer] = await Promise.all([connect("fights"), connect("fights"), connect("heroes")]);
    const [left, stayed] = [heard(leaving), heard(staying)];
    await leaving.query("listen news");
    await staying.query("listen news");
    await writer.query("notify news, 'one'");
    await leaving.query("unlisten news");
    await writer.query("notify news, 'two'");
    await Promise.all([leaving.query("select 1"), staying.query("select 1")]);
    assert.deepEqual(left, ["news:one"]);
    assert.deepEqual(stayed, ["news:one", "news:two"]);
  });
});

describe("the shared PGlite server with a data directory", () => {
  it("keeps each schema's rows across a restart", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "pglite-server-"));
    after(() => rm(dataDir, { recursive: true, force: true }));
    const first = await startPgliteServer({ host: "127.0.0.1", port: 0, dataDir, databases: ["heroes"] });
    const client = new pg.Client({ connectionString: first.url("heroes") });
    await client.connect();
    await client.query("create table kept (name text)");
    await client.query("insert into kept values ('Storm')");
    await client.end();
    await first.close();

    const second = await startPgliteServer({ host: "127.0.0.1", port: 0, dataDir, databases: ["heroes"] });
    const again = new pg.Client({ connectionString: second.url("heroes") });
    await again.connect();
    assert.deepEqual((await again.query("select name from kept")).rows, [{ name: "Storm" }]);
    await again.end();
    await second.close();
  });
});
