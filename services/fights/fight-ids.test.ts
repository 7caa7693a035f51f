import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { status as Status } from "@grpc/grpc-js";
import { assertStatus } from "../../testkit/catalog/catalog-kit.js";
import { watchFights } from "../../testkit/grpc/fight-watcher.js";
import { createThrowawayDatabase, runAdmin, type ThrowawayDatabase } from "../../testkit/postgres.js";
import { startFightsSystem, type FightsSystem } from "../../testkit/systems/fights-system.js";
import { waitFor } from "../../testkit/wait-for.js";

/** Past 2^53 (9007199254740992), with room for 800 fights below int64's largest value. */
const firstId = 9_223_372_036_854_775_000n;
const largestInt64 = 2n ** 63n - 1n;

/** One Connect (JSON) call to the web edge: HTTP status and the parsed body. */
async function connectCall(
  system: FightsSystem,
  method: string,
  body: string,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(
    `http://127.0.0.1:${system.fights.webPort}/superheroes.fight.v1.FightService/${method}`,
    {
      method: "POST",
      headers: { "content-type": "application/json", "connect-protocol-version": "1" },
      body,
    },
  );
  return { status: response.status, body: await response.json() };
}

describe("fight ids are int64 end to end", () => {
  let database: ThrowawayDatabase;
  let system: FightsSystem;
  before(async () => {
    database = await createThrowawayDatabase();
    system = await startFightsSystem({ fights: { FIGHTS_DATABASE_URL: database.url } });
    await runAdmin(database.url, `alter table fights alter column id restart with ${firstId}`);
  });
  after(async () => {
    await system?.stop();
    await database?.drop();
  });

  it("keeps ids past 2^53 exact over gRPC, in pages, on the live feed and as JSON strings on the Connect edge", async () => {
    const watcher = watchFights(system.client);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { fight: first } = await system.client.methods.performRandomFight({});
    const { fight: second } = await system.client.methods.performRandomFight({});
    assert.deepEqual([first?.id, second?.id], [firstId, firstId + 1n]);

    assert.equal((await system.client.methods.getFight({ id: firstId })).fight?.id, firstId);
    const page = await system.client.methods.listFights({ pageSize: 1 });
    const next = await system.client.methods.listFights({ pageSize: 1, pageToken: page.nextPageToken });
    assert.deepEqual([page.fights[0]?.id, next.fights[0]?.id], [firstId + 1n, firstId]);

    await waitFor("both fights on the live feed", () => watcher.received.length >= 2);
    assert.deepEqual(watcher.ids(), [firstId, firstId + 1n]);
    watcher.stream.cancel();

    const json = await connectCall(system, "GetFight", JSON.stringify({ id: String(firstId) }));
    assert.equal(json.status, 200);
    assert.equal((json.body as { fight: { id: unknown } }).fight.id, "9223372036854775000");
  });

  it("names the exact id when int64's largest is not found", () =>
    assertStatus(
      system.client.methods.getFight({ id: largestInt64 }),
      Status.NOT_FOUND,
      "no fight with id 9223372036854775807",
    ));

  const notIds: { what: string; body: string; message: string }[] = [
    {
      what: "a word",
      body: '{"id": "xyz"}',
      message: `id: "xyz" is not an int64: send a whole number from -9223372036854775808 to 9223372036854775807, as a JSON string ("42") or number`,
    },
    {
      what: "a fraction",
      body: '{"id": 1.5}',
      message: `id: "1.5" is not an int64: send a whole number from -9223372036854775808 to 9223372036854775807, as a JSON string ("42") or number`,
    },
    {
      what: "one past int64",
      body: '{"id": "9223372036854775808"}',
      message: `id: "9223372036854775808" is not an int64: send a whole number from -9223372036854775808 to 9223372036854775807, as a JSON string ("42") or number`,
    },
    {
      what: "a boolean",
      body: '{"id": true}',
      message: `id: true is not an int64: send a whole number from -9223372036854775808 to 9223372036854775807, as a JSON string ("42") or number`,
    },
  ];
  for (const notId of notIds) {
    it(`answers a GetFight id that is ${notId.what} on the Connect edge with INVALID_ARGUMENT naming the field and the format`, async () => {
      assert.deepEqual(await connectCall(system, "GetFight", notId.body), {
        status: 400,
        body: { code: "invalid_argument", message: notId.message },
      });
    });
  }

  it("answers a PerformRandomFights count that is no int32 with the same clear wording", async () => {
    assert.deepEqual(await connectCall(system, "PerformRandomFights", '{"count": "many"}'), {
      status: 400,
      body: {
        code: "invalid_argument",
        message: 'count: "many" is not an int32: send a whole number from -2147483648 to 2147483647',
      },
    });
  });
});
