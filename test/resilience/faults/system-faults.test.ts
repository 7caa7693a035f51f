import { after, before, describe, it } from "node:test";
import { liveHeapNodeOptions } from "../../../testkit/processes/live-heap.js";
import { launchSystem, type ProcessSystem } from "../../../testkit/processes/service-processes.js";
import { heroesKillScenario } from "./heroes-kill-scenario.js";
import { overloadScenario } from "./overload-scenario.js";
import { soakScenario, soakSeconds } from "./soak-scenario.js";

// One system of four real processes (each on a throw-away PostgreSQL database) for the faults
// that leave it as they found it: starting processes is the slow part on a 2-core machine.
describe("the system as four processes under load", { timeout: 120_000 + soakSeconds * 1000 }, () => {
  let system: ProcessSystem;
  // fights runs with the live-heap probe (gc exposed, testkit/processes/gc-probe.mjs) for the soak.
  before(async () => (system = await launchSystem({ fights: { NODE_OPTIONS: liveHeapNodeOptions } })), {
    timeout: 90_000,
  });
  after(() => system?.stop());

  it("fails no fight when heroes is SIGKILLed: fallbacks, breaker opens, closes after the restart with real heroes back", async (t) => {
    t.diagnostic(await heroesKillScenario(system));
  });

  it("refuses the excess of an overload fast with RESOURCE_EXHAUSTED, bounded memory, baseline latency after, no restart", async (t) => {
    t.diagnostic(await overloadScenario(system));
  });

  it("keeps the live heap (after full collections) within 10% and the handle count flat under steady load", async (t) => {
    t.diagnostic(await soakScenario(system));
  });
});
