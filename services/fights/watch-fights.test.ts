import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { status as Status } from "@grpc/grpc-js";
import { watchFights } from "../../testkit/grpc/fight-watcher.js";
import { waitFor } from "../../testkit/wait-for.js";
import { startFightsSystem, type FightsSystem } from "../../testkit/systems/fights-system.js";

describe("WatchFights", () => {
  let system: FightsSystem;
  before(async () => {
    system = await startFightsSystem({ fights: { FIGHTS_WATCH_MAX_QUEUED: "5" } });
  });
  after(() => system.stop());

  it("streams every fight stored after the watcher joined, in order, batches included", async () => {
    const watcher = watchFights(system.client);
    await new Promise((resolve) => setTimeout(resolve, 100)); // let the subscription reach the server
    const single = await system.client.methods.performRandomFight({});
    const batch = await system.client.methods.performRandomFights({ count: 20 });
    const expected = [single.fight!.id, ...batch.fights.map((fight) => fight.id)];
    await waitFor("21 fights on the stream", () => watcher.received.length >= 21);
    assert.deepEqual(
      watcher.received.map((message) => message.fight?.id),
      expected,
    );
    watcher.stream.cancel();
  });

  it("drops a watcher that stops reading, with RESOURCE_EXHAUSTED, and never slows fights down", async () => {
    const watcher = watchFights(system.client);
    await new Promise((resolve) => setTimeout(resolve, 100));
    watcher.stream.pause(); // stop reading: HTTP/2 flow control backs up to the server
    const started = performance.now();
    for (let i = 0; i < 10; i += 1) await system.client.methods.performRandomFights({ count: 200 });
    const elapsedMs = performance.now() - started;
    watcher.stream.resume();
    const ending = await watcher.ended;
    assert.deepEqual(ending, {
      code: Status.RESOURCE_EXHAUSTED,
      details: "watcher fell more than 5 fights behind and was dropped; reconnect to resume",
    });
    assert.ok(watcher.received.length < 2000, "the dropped watcher did not get every fight");
    assert.ok(elapsedMs < 30_000, `2000 fights took ${elapsedMs} ms with a stuck watcher`);
  });

  it("ends open streams with UNAVAILABLE when the service shuts down, without waiting for the grace period", async () => {
    const watcher = watchFights(system.client);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    await system.fights.stop();
    assert.ok(performance.now() - started < 5_000, "shutdown did not wait the 10 s grace period for the stream");
    assert.deepEqual(await watcher.ended, { code: Status.UNAVAILABLE, details: "server is shutting down; reconnect" });
  });
});
