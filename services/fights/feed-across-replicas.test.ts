import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import { createPromiseClient, type ServiceClient } from "../platform/calls/grpc-client.js";
import { listenerApplicationName } from "../platform/database/database-listener.js";
import { fightStoredChannel } from "./storage/fights-table.js";
import { watchFights, type FightWatcher } from "../../testkit/grpc/fight-watcher.js";
import { defaultAdminUrl, runAdmin } from "../../testkit/postgres.js";
import {
  fightsTargets,
  launchService,
  launchSystem,
  type ProcessSystem,
  type ServiceProcess,
} from "../../testkit/processes/service-processes.js";
import { waitFor } from "../../testkit/wait-for.js";

/** Waits until both watchers have `count` fights, then checks they got exactly `expected`. */
async function assertDelivered(watchers: FightWatcher[], expected: bigint[]): Promise<void> {
  await waitFor(`${expected.length} fights on every watcher`, () =>
    watchers.every((watcher) => watcher.received.length >= expected.length),
  );
  for (const watcher of watchers) assert.deepEqual(watcher.ids(), expected);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 200)); // let the subscriptions reach the servers

describe("the live feed across two fights replicas on one PostgreSQL database", { timeout: 180_000 }, () => {
  let system: ProcessSystem;
  let replicaB: ServiceProcess;
  let clientA: ServiceClient<typeof FightService>;
  let clientB: ServiceClient<typeof FightService>;
  before(async () => {
    system = await launchSystem();
    replicaB = await launchService("fights", {
      env: { ...fightsTargets(system), FIGHTS_DATABASE_URL: system.databases.fights.url },
    });
    clientA = system.client;
    clientB = createPromiseClient(FightService, `127.0.0.1:${replicaB.grpcPort}`);
  });
  after(async () => {
    clientB?.close();
    await replicaB?.kill();
    await system?.stop();
  });

  it("shows a watcher on either replica every fight committed on both, in commit order", async (t) => {
    const onA = watchFights(clientA);
    const onB = watchFights(clientB);
    await settle();
    const expected: bigint[] = [];
    const committedAt = new Map<bigint, number>();
    for (let round = 0; round < 10; round += 1) {
      // One call at a time: each returns after its commit, so call order is commit order.
      const client = round % 2 === 0 ? clientA : clientB;
      const { fight } = await client.methods.performRandomFight({});
      committedAt.set(fight!.id, performance.now());
      expected.push(fight!.id);
    }
    const batch = await clientA.methods.performRandomFights({ count: 50 });
    expected.push(...batch.fights.map((fight) => fight.id));
    await assertDelivered([onA, onB], expected);

    // Fights committed concurrently on both replicas: whatever their commit order, both watchers see the same one.
    const concurrent = await Promise.all(
      Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? clientA : clientB).methods.performRandomFight({})),
    );
    await waitFor("the concurrent fights on both watchers", () =>
      [onA, onB].every((watcher) => watcher.received.length >= expected.length + concurrent.length),
    );
    assert.deepEqual(onB.ids(), onA.ids());
    assert.deepEqual(new Set(onB.ids().slice(expected.length)), new Set(concurrent.map(({ fight }) => fight!.id)));

    // Reported, not asserted (the machine is shared): from the caller having its answer to the other replica's watcher.
    const lagsMs = [...committedAt]
      .map(([id, at]) => onB.receivedAt[onB.ids().indexOf(id)]! - at)
      .sort((a, b) => a - b);
    t.diagnostic(
      `lag from a fight's answer to the watcher on B: median ${lagsMs[5]!.toFixed(1)} ms, max ${lagsMs.at(-1)!.toFixed(1)} ms`,
    );
    onA.stream.cancel();
    onB.stream.cancel();
  });

  it("reconnects a replica whose listening connection is killed, says so, and catches up on the fights it missed", async () => {
    const onB = watchFights(clientB);
    await settle();
    const before = await clientA.methods.performRandomFight({});
    await assertDelivered([onB], [before.fight!.id]);

    const { name } = system.databases.fights;
    const process = replicaB.current();
    // No new connection to the fights database until allowed again: the listeners cannot come
    // back, while replica A's pooled connection still stores fights. Those are missed for sure.
    await runAdmin(defaultAdminUrl, `alter database ${name} allow_connections false`);
    let missed: bigint[];
    try {
      const { rowCount } = await runAdmin(
        defaultAdminUrl,
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and application_name = $2",
        [name, listenerApplicationName(fightStoredChannel)],
      );
      assert.equal(rowCount, 2, "one listening connection per replica");
      await process.waitForLine((line) => String(line.msg).startsWith("lost the database connection listening on"));
      await process.waitForLine((line) =>
        String(line.msg).startsWith(`reconnecting to listen on ${fightStoredChannel} failed`),
      );
      missed = (await clientA.methods.performRandomFights({ count: 5 })).fights.map((fight) => fight.id);
    } finally {
      await runAdmin(defaultAdminUrl, `alter database ${name} allow_connections true`);
    }
    await process.waitForLine(
      (line) => line.msg === `reconnected to the database and listening on ${fightStoredChannel} again`,
    );
    const afterwards = await clientA.methods.performRandomFight({});

    await assertDelivered([onB], [before.fight!.id, ...missed, afterwards.fight!.id]);
    onB.stream.cancel();
  });
});
