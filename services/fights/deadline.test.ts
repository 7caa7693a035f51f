import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { status as Status } from "@grpc/grpc-js";
import { isServiceError } from "../platform/calls/grpc-client.js";
import { readMetric } from "../../testkit/processes/admin-client.js";
import { waitFor } from "../../testkit/wait-for.js";
import { startFightsSystem, type FightsSystem } from "../../testkit/systems/fights-system.js";

/** Heroes calls that ended because their deadline passed, as the heroes server counted them. */
const heroesDeadlineExceeded = (system: FightsSystem) =>
  readMetric(system.data.heroes.adminPort, "grpc_server_handled_total", {
    grpc_method: "GetRandomHero",
    grpc_code: "DEADLINE_EXCEEDED",
  }).then((value) => value ?? 0);

describe("deadlines of upstream calls", () => {
  let system: FightsSystem;
  before(async () => {
    // Heroes sleeps 3 s per call; fights caps heroes calls at 200 ms.
    system = await startFightsSystem({
      heroes: { HEROES_FAULT_LATENCY_MS: "3000" },
      fights: { FIGHTS_FIGHTER_SOURCE: "direct", FIGHTS_HEROES_TIMEOUT_MS: "200", FIGHTS_BREAKER_ENABLED: "false" },
    });
  });
  after(() => system.stop());

  it("caps each upstream call at the upstream timeout and falls back, cancelling the sleeping upstream call", async () => {
    const started = performance.now();
    const { fighters } = await system.client.methods.getRandomFighters({}, { deadline: Date.now() + 5000 });
    const elapsedMs = performance.now() - started;
    assert.equal(fighters?.heroFallback, true);
    assert.equal(fighters?.hero?.name, "Fallback hero");
    assert.equal(fighters?.villainFallback, false);
    assert.ok(
      elapsedMs >= 200 && elapsedMs < 1000,
      `the heroes call should end at its 200 ms cap, took ${elapsedMs} ms`,
    );
    await waitFor(
      "heroes to see its call's deadline pass",
      async () => (await heroesDeadlineExceeded(system)) >= 1,
      1000,
    );
  });

  it("passes the caller's shorter deadline to the upstream", async () => {
    const before = await heroesDeadlineExceeded(system);
    const started = performance.now();
    // 100 ms is shorter than the 200 ms cap: the caller's own deadline reaches heroes.
    const outcome = await system.client.methods.getRandomFighters({}, { deadline: Date.now() + 100 }).then(
      () => Status.OK,
      (error: unknown) => (isServiceError(error) ? error.code : Status.UNKNOWN),
    );
    assert.equal(outcome, Status.DEADLINE_EXCEEDED);
    await waitFor(
      "heroes to see the caller's deadline pass",
      async () => (await heroesDeadlineExceeded(system)) > before,
      1000,
    );
    assert.ok(performance.now() - started < 1000, "heroes gave up long before its 3 s sleep ended");
  });
});
