import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { status as Status } from "@grpc/grpc-js";
import { isServiceError } from "../platform/calls/grpc-client.js";
import { adminRequest } from "../../testkit/processes/admin-client.js";
import { startPostgresFightsSystem, type PostgresFightsSystem } from "../../testkit/systems/postgres-fights-system.js";

/** The code and details a call ended with (OK has empty details). */
function outcome(call: Promise<unknown>): Promise<{ code: Status; details: string }> {
  return call.then(
    () => ({ code: Status.OK, details: "" }),
    (error: unknown) => (isServiceError(error) ? { code: error.code, details: error.details } : Promise.reject(error)),
  );
}

/** A Connect (JSON) PerformRandomFight through the web edge with `connect-timeout-ms: timeoutMs`. */
async function connectFight(webPort: number, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`http://127.0.0.1:${webPort}/superheroes.fight.v1.FightService/PerformRandomFight`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "connect-protocol-version": "1",
      "connect-timeout-ms": String(timeoutMs),
    },
    body: "{}",
  });
  return { status: response.status, body: await response.json() };
}

/** A gRPC-Web PerformRandomFight (an empty message) with `grpc-timeout: timeout`; its trailers as text. */
async function grpcWebFight(webPort: number, timeout: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${webPort}/superheroes.fight.v1.FightService/PerformRandomFight`, {
    method: "POST",
    headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1", "grpc-timeout": timeout },
    body: new Uint8Array([0, 0, 0, 0, 0]),
  });
  const body = Buffer.from(await response.arrayBuffer());
  // The trailer frame: flag 0x80, a 4-byte length, then "key: value\r\n" lines.
  const trailerAt = body.lastIndexOf(0x80, body.length - 1);
  return body.subarray(trailerAt + 5).toString("utf8");
}

interface WriterStats {
  writes: number;
  transactions: number;
  fights: number;
  abandoned: number;
  rolledBack: number;
}

const writerStats = async (system: PostgresFightsSystem) =>
  ((await adminRequest(system.fights.adminPort, "/stats")).body as { writer: WriterStats }).writer;

/** Work a call left behind (an upstream pick, a write) has ended within this; only waited, never asserted. */
const settleMs = 1000;

describe("deadline honesty: no fight is stored once the caller has gone", () => {
  describe("with every data service answering after 200 ms", () => {
    let system: PostgresFightsSystem;
    before(async () => {
      const slow = (prefix: string) => ({ [`${prefix}_FAULT_LATENCY_MS`]: "200" });
      system = await startPostgresFightsSystem({
        heroes: slow("HEROES"),
        villains: slow("VILLAINS"),
        locations: slow("LOCATIONS"),
        fights: { FIGHTS_BREAKER_ENABLED: "false" },
      });
    });
    after(() => system?.stop());

    for (const deadlineMs of [1, 3, 10]) {
      it(`answers DEADLINE_EXCEEDED to a gRPC call with a ${deadlineMs} ms deadline and stores nothing`, async () => {
        const before = await system.storedFights();
        const single = await outcome(
          system.client.methods.performRandomFight({}, { deadline: Date.now() + deadlineMs }),
        );
        const batch = await outcome(
          system.client.methods.performRandomFights({ count: 5 }, { deadline: Date.now() + deadlineMs }),
        );
        assert.deepEqual([single.code, batch.code], [Status.DEADLINE_EXCEEDED, Status.DEADLINE_EXCEEDED]);
        await sleep(settleMs);
        assert.equal(await system.storedFights(), before, "no row was added");
      });
    }

    for (const timeoutMs of [0, 1]) {
      it(`answers deadline_exceeded over Connect with connect-timeout-ms: ${timeoutMs} and stores nothing`, async () => {
        const before = await system.storedFights();
        const answer = await connectFight(system.fights.webPort, timeoutMs);
        assert.equal((answer.body as { code?: string }).code, "deadline_exceeded", JSON.stringify(answer.body));
        assert.equal(answer.status, 504);
        await sleep(settleMs);
        assert.equal(await system.storedFights(), before, "no row was added");
      });
    }

    for (const timeout of ["0m", "1m"]) {
      it(`answers DEADLINE_EXCEEDED over gRPC-Web with grpc-timeout: ${timeout} and stores nothing`, async () => {
        const before = await system.storedFights();
        const trailers = await grpcWebFight(system.fights.webPort, timeout);
        assert.match(trailers, /grpc-status: 4\r\n/, trailers);
        await sleep(settleMs);
        assert.equal(await system.storedFights(), before, "no row was added");
      });
    }

    it("asks no data service for a Connect call whose deadline is 0", async () => {
      const { writes } = await writerStats(system);
      const answer = await connectFight(system.fights.webPort, 0);
      assert.deepEqual(answer.body, {
        code: "deadline_exceeded",
        message: "the caller's deadline passed before any fighter was picked; nothing was stored",
      });
      assert.equal((await writerStats(system)).writes, writes, "no write was even attempted");
    });

    it("stores exactly one fight for a call with time to spare, over gRPC and over Connect", async () => {
      const before = await system.storedFights();
      const { fight } = await system.client.methods.performRandomFight({}, { deadline: Date.now() + 10_000 });
      const answer = await connectFight(system.fights.webPort, 10_000);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(await system.storedFights(), before + 2);
      const stored = await system.fightsDb.query<{ id: string }>("select id::text as id from fights where id = $1", [
        String(fight!.id),
      ]);
      assert.equal(stored.rows.length, 1, "the acknowledged fight is the stored one");
    });
  });

  describe("when the deadline passes while the fight is being inserted", () => {
    let system: PostgresFightsSystem;
    before(async () => {
      system = await startPostgresFightsSystem();
      // Every insert into fights now takes 3 s: the caller's deadline passes during it, after the
      // fighters were picked and the winner decided.
      await system.fightsDb.query(`
        create function slow_fights_insert() returns trigger language plpgsql as
          $$ begin perform pg_sleep(3); return null; end $$;
        create trigger slow_fights_insert before insert on fights
          for each statement execute function slow_fights_insert();`);
    });
    after(() => system?.stop());

    it("rolls the insert back and answers DEADLINE_EXCEEDED", async () => {
      const before = await writerStats(system);
      const answer = await outcome(system.client.methods.performRandomFight({}, { deadline: Date.now() + 2000 }));
      assert.equal(answer.code, Status.DEADLINE_EXCEEDED);
      await sleep(3000 + settleMs);
      const after = await writerStats(system);
      assert.deepEqual(
        {
          writes: after.writes - before.writes,
          rolledBack: after.rolledBack - before.rolledBack,
          fights: after.fights,
        },
        { writes: 1, rolledBack: 1, fights: before.fights },
        "the write reached the database and was rolled back at commit time",
      );
      assert.equal(await system.storedFights(), 0);
    });

    it("rolls the insert back when the caller cancels during it", async () => {
      const before = await writerStats(system);
      const controller = new AbortController();
      const call = outcome(
        system.client.methods.performRandomFight({}, { deadline: Date.now() + 10_000, signal: controller.signal }),
      );
      // Cancel once the write has started (the fighters are picked, the insert sleeps).
      while ((await writerStats(system)).writes === before.writes) await sleep(20);
      controller.abort();
      assert.equal((await call).code, Status.CANCELLED);
      await sleep(3000 + settleMs);
      assert.equal((await writerStats(system)).rolledBack - before.rolledBack, 1);
      assert.equal(await system.storedFights(), 0);
    });

    it("acknowledges a fight committed within the deadline, however slow the insert", async () => {
      const { fight } = await system.client.methods.performRandomFight({}, { deadline: Date.now() + 15_000 });
      assert.ok(fight !== undefined && fight.id > 0n);
      assert.equal(await system.storedFights(), 1);
    });
  });
});
