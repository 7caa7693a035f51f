import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { status as Status } from "@grpc/grpc-js";
import { FightService } from "../../../gen/superheroes/fight/v1/fight_service_pb.js";
import { assertStatus } from "../../../testkit/catalog/catalog-kit.js";
import {
  createPromiseClient,
  type PromiseClient,
  type ServiceClient,
} from "../../../services/platform/calls/grpc-client.js";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../../../testkit/postgres.js";
import { recordOutcome } from "../../../testkit/load/outcomes.js";
import { launchService, type ServiceProcess } from "../../../testkit/processes/service-processes.js";
import { verbatimNames } from "./catalog-cases.js";

type Fights = PromiseClient<typeof FightService>;
const token = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const notIssued =
  "page_token: is not a token this server issued; pass next_page_token from the previous response, or empty for the first page";
const fightOf = (
  hero: { name?: string; level?: number },
  villain: { name?: string; level?: number } = {},
  location = "Arena",
) => ({
  hero: { name: "Hero", level: 5, ...hero },
  villain: { name: "Villain", level: 5, ...villain },
  location: { name: location },
});

// Rows the fights table (services/fights/fights-api.test.ts) does not have.
const refused: { what: string; call: (c: Fights) => Promise<unknown>; code: Status; details: string }[] = [
  {
    what: "a hero name of 51 emoji",
    call: (c) => c.performFight(fightOf({ name: "🦸".repeat(51) })),
    code: Status.INVALID_ARGUMENT,
    details: "hero.name: must be 3 to 50 characters, got 51",
  },
  {
    what: "an empty location name",
    call: (c) => c.performFight(fightOf({}, {}, "")),
    code: Status.INVALID_ARGUMENT,
    details: "location.name: must be 3 to 50 characters, got 0",
  },
  {
    what: "a negative hero level",
    call: (c) => c.performFight(fightOf({ level: -1 })),
    code: Status.INVALID_ARGUMENT,
    details: "hero.level: must be an integer from 1 to 2147483647, got -1",
  },
  {
    what: "the smallest int32 villain level",
    call: (c) => c.performFight(fightOf({}, { level: -2_147_483_648 })),
    code: Status.INVALID_ARGUMENT,
    details: "villain.level: must be an integer from 1 to 2147483647, got -2147483648",
  },
  {
    what: "count -1",
    call: (c) => c.performRandomFights({ count: -1 }),
    code: Status.INVALID_ARGUMENT,
    details: "count: must be 1 to 1000, got -1",
  },
  {
    what: "count 2147483647",
    call: (c) => c.performRandomFights({ count: 2_147_483_647 }),
    code: Status.INVALID_ARGUMENT,
    details: "count: must be 1 to 1000, got 2147483647",
  },
  {
    what: "page_size -1",
    call: (c) => c.listFights({ pageSize: -1 }),
    code: Status.INVALID_ARGUMENT,
    details: "page_size: must be 0 to 100 (0 means 20), got -1",
  },
  {
    what: "page_size 2147483647",
    call: (c) => c.listFights({ pageSize: 2_147_483_647 }),
    code: Status.INVALID_ARGUMENT,
    details: "page_size: must be 0 to 100 (0 means 20), got 2147483647",
  },
  {
    what: "a forged page_token with a negative id",
    call: (c) => c.listFights({ pageToken: token({ v: 1, k: -1, f: "" }) }),
    code: Status.INVALID_ARGUMENT,
    details: notIssued,
  },
  {
    what: "a page_token of 10 kB",
    call: (c) => c.listFights({ pageToken: "A".repeat(10_000) }),
    code: Status.INVALID_ARGUMENT,
    details: notIssued,
  },
  {
    what: "a fight id of -1",
    call: (c) => c.getFight({ id: -1n }),
    code: Status.INVALID_ARGUMENT,
    details: "id: must be a positive integer, got -1",
  },
  {
    what: "an unknown fight id",
    call: (c) => c.getFight({ id: 123_456n }),
    code: Status.NOT_FOUND,
    details: "no fight with id 123456",
  },
];

describe("fights process: bad input beyond the service's own table", { timeout: 60_000 }, () => {
  let database: ThrowawayDatabase;
  let fights: ServiceProcess;
  let client: ServiceClient<typeof FightService>;
  before(
    async () => {
      database = await createThrowawayDatabase({ prefix: "resilience" });
      // PerformFight, GetFight and ListFights never call the data services: none are running.
      fights = await launchService("fights", { env: { FIGHTS_DATABASE_URL: database.url } });
      client = createPromiseClient(FightService, `127.0.0.1:${fights.grpcPort}`);
    },
    { timeout: 45_000 },
  );
  after(async () => {
    client?.close();
    await fights?.kill();
    await database?.drop();
  });

  for (const c of refused) it(`refuses ${c.what}`, () => assertStatus(c.call(client.methods), c.code, c.details));

  it("refuses a fighter name with a NUL character", () =>
    assertStatus(
      client.methods.performFight(fightOf({ name: "Nul\u0000Man" })),
      Status.INVALID_ARGUMENT,
      "hero.name: must not contain the NUL character (U+0000)",
    ));

  it("stores fights between the largest int32 levels and hostile names verbatim", async (t) => {
    const max = 2_147_483_647;
    const { fight } = await client.methods.performFight(fightOf({ level: max }, { level: max }));
    assert.deepEqual([fight?.winner?.level, fight?.loser?.level], [max, max]);
    for (const name of verbatimNames) {
      const stored = (
        await client.methods.performFight(
          fightOf({ name, level: 1_000_000_000 }, { name: "Weak Villain", level: 1 }, name),
        )
      ).fight;
      assert.deepEqual([stored?.winner?.name, stored?.location?.name], [name, name]);
      assert.deepEqual((await client.methods.getFight({ id: stored?.id ?? 0n })).fight, stored);
    }
    const winners = (await client.methods.getFightStats({})).topWinners.map((w) => w.name);
    assert.deepEqual(
      verbatimNames.filter((name) => !winners.includes(name)),
      [],
    );
    t.diagnostic(
      recordOutcome({
        group: "bad input",
        what: `fights: ${refused.length} extra bad-input rows, int32-max levels, ${verbatimNames.length} hostile names`,
        outcome:
          "each refused with the documented code and message; extreme levels and hostile names stored verbatim and counted in the stats",
      }),
    );
  });
});
