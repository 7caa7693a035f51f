import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { status as Status } from "@grpc/grpc-js";
import { Team } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import { adminRequest } from "../../testkit/processes/admin-client.js";
import { startFightsSystem, type FightsSystem } from "../../testkit/systems/fights-system.js";
import { grpcFailure } from "../../testkit/grpc/call-failure.js";

describe("FightService over gRPC", () => {
  let system: FightsSystem;
  before(async () => {
    system = await startFightsSystem();
  });
  after(() => system.stop());

  it("stores every fight it returns, pages through them newest first with no gaps, and counts them in the stats", async () => {
    const single = await Promise.all(Array.from({ length: 12 }, () => system.client.methods.performRandomFight({})));
    const batch = await system.client.methods.performRandomFights({ count: 25 });
    assert.equal(batch.fights.length, 25);
    const { writer } = (await adminRequest(system.fights.adminPort, "/stats")).body as {
      writer: { writes: number; transactions: number; fights: number };
    };
    assert.deepEqual({ writes: writer.writes, fights: writer.fights }, { writes: 13, fights: 37 });
    assert.ok(
      writer.transactions < writer.writes,
      `12 concurrent fights and a batch took ${writer.transactions} transactions: concurrent inserts were not grouped`,
    );
    const returned = [...single.map(({ fight }) => fight!), ...batch.fights];
    const listed = [];
    let pageToken = "";
    do {
      const page = await system.client.methods.listFights({ pageSize: 10, pageToken });
      listed.push(...page.fights);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    const ids = listed.map((fight) => fight.id);
    assert.deepEqual(
      ids,
      [...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)),
      "newest first",
    );
    assert.deepEqual(
      new Set(ids),
      new Set(returned.map((fight) => fight.id)),
      "every returned fight is stored, and nothing else",
    );
    for (const fight of returned) {
      const { fight: stored } = await system.client.methods.getFight({ id: fight.id });
      assert.deepEqual(stored, fight);
    }
    const stats = await system.client.methods.getFightStats({});
    assert.equal(stats.heroWins + stats.villainWins, 37n);
    const heroWins = returned.filter((fight) => fight.winner?.team === Team.HEROES).length;
    assert.equal(stats.heroWins, BigInt(heroWins));
    assert.equal(stats.heroWinRatio, heroWins / 37);
    assert.ok(stats.topWinners.length > 0 && stats.topWinners.length <= 10);
    const topCount = Math.max(...[...countBy(returned.map((fight) => fight.winner!.name)).values()]);
    assert.equal(stats.topWinners[0]?.wins, BigInt(topCount));
  });

  it("performs a fight between the fighters given", async () => {
    const { fight } = await system.client.methods.performFight({
      hero: { name: "Tiny Hero", level: 1 },
      villain: { name: "Huge Villain", level: 1_000_000 },
      location: { name: "Test Arena" },
    });
    assert.equal(fight?.winner?.name, "Huge Villain");
    assert.equal(fight?.loser?.name, "Tiny Hero");
    assert.equal(fight?.location?.name, "Test Arena");
    assert.equal(fight?.winner?.fallback, false);
  });

  const invalid: { name: string; call: (s: FightsSystem) => Promise<unknown>; details: string }[] = [
    {
      name: "a missing hero",
      call: (s) =>
        s.client.methods.performFight({ villain: { name: "Villain", level: 2 }, location: { name: "Arena" } }),
      details: "hero: is required",
    },
    {
      name: "a missing villain",
      call: (s) => s.client.methods.performFight({ hero: { name: "Hero", level: 2 }, location: { name: "Arena" } }),
      details: "villain: is required",
    },
    {
      name: "a missing location",
      call: (s) =>
        s.client.methods.performFight({ hero: { name: "Hero", level: 2 }, villain: { name: "Villain", level: 2 } }),
      details: "location: is required",
    },
    {
      name: "a short hero name",
      call: (s) =>
        s.client.methods.performFight({
          hero: { name: "Hi", level: 2 },
          villain: { name: "Villain", level: 2 },
          location: { name: "Arena" },
        }),
      details: "hero.name: must be 3 to 50 characters, got 2",
    },
    {
      name: "a zero villain level",
      call: (s) =>
        s.client.methods.performFight({
          hero: { name: "Hero", level: 2 },
          villain: { name: "Villain", level: 0 },
          location: { name: "Arena" },
        }),
      details: "villain.level: must be an integer from 1 to 2147483647, got 0",
    },
    {
      name: "powers longer than 2000 characters",
      call: (s) =>
        s.client.methods.performFight({
          hero: { name: "Hero", level: 2, powers: "x".repeat(2001) },
          villain: { name: "Villain", level: 2 },
          location: { name: "Arena" },
        }),
      details: "hero.powers: must be at most 2000 characters, got 2001",
    },
    {
      name: "a NUL in a location description",
      call: (s) =>
        s.client.methods.performFight({
          hero: { name: "Hero", level: 2 },
          villain: { name: "Villain", level: 2 },
          location: { name: "Arena", description: "a\u0000b" },
        }),
      details: "location.description: must not contain the NUL character (U+0000)",
    },
    {
      name: "zero random fights",
      call: (s) => s.client.methods.performRandomFights({ count: 0 }),
      details: "count: must be 1 to 1000, got 0",
    },
    {
      name: "too many random fights",
      call: (s) => s.client.methods.performRandomFights({ count: 1001 }),
      details: "count: must be 1 to 1000, got 1001",
    },
    {
      name: "a page size over 100",
      call: (s) => s.client.methods.listFights({ pageSize: 101 }),
      details: "page_size: must be 0 to 100 (0 means 20), got 101",
    },
    {
      name: "a garbage page token",
      call: (s) => s.client.methods.listFights({ pageToken: "'; drop table fights; --" }),
      details:
        "page_token: is not a token this server issued; pass next_page_token from the previous response, or empty for the first page",
    },
    {
      name: "a fight id of 0",
      call: (s) => s.client.methods.getFight({ id: 0n }),
      details: "id: must be a positive integer, got 0",
    },
  ];
  for (const c of invalid) {
    it(`refuses ${c.name} with INVALID_ARGUMENT`, async () => {
      assert.deepEqual(await grpcFailure(c.call(system)), { code: Status.INVALID_ARGUMENT, details: c.details });
    });
  }

  it("answers NOT_FOUND for a fight that does not exist", async () => {
    assert.deepEqual(await grpcFailure(system.client.methods.getFight({ id: 999_999n })), {
      code: Status.NOT_FOUND,
      details: "no fight with id 999999",
    });
  });
});

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}
