import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { Team } from "../../../gen/superheroes/fight/v1/fight_service_pb.js";
import { waitFor } from "../../../testkit/wait-for.js";
import { watchBreaker } from "../../../testkit/load/breaker-watch.js";
import { outcomesOf, startLoad } from "../../../testkit/load/load.js";
import { recordOutcome } from "../../../testkit/load/outcomes.js";
import type { ProcessSystem } from "../../../testkit/processes/service-processes.js";

const fightsPerSecond = 50;

/**
 * Heroes SIGKILLed under a paced PerformRandomFight load, restarted on the same port: no fight
 * fails, the fallback hero fills in, the breaker opens, then closes with real heroes back.
 * Returns the outcome sentence.
 */
export async function heroesKillScenario(system: ProcessSystem): Promise<string> {
  const breaker = watchBreaker(system.client.methods, "heroes");
  const load = startLoad({
    concurrency: 10,
    ratePerSecond: fightsPerSecond,
    call: () => system.client.methods.performRandomFight({}, { deadline: Date.now() + 5000 }),
  });
  try {
    await sleep(1000);
    const killedAt = performance.now();
    await system.heroes.kill("SIGKILL");
    await waitFor("heroes breaker OPEN", () => breaker.firstSeen("OPEN", killedAt) !== undefined, 15_000);
    const openedAt = breaker.firstSeen("OPEN", killedAt)!;
    await sleep(500);
    await system.heroes.restart();
    const restartedAt = performance.now();
    await waitFor("heroes breaker CLOSED", () => breaker.firstSeen("CLOSED", restartedAt) !== undefined, 40_000);
    const closedAt = breaker.firstSeen("CLOSED", restartedAt)!;
    await sleep(1000);
    const samples = await load.stop();
    const heroOf = (sample: (typeof samples)[number]) =>
      [sample.value?.fight?.winner, sample.value?.fight?.loser].find((c) => c?.team === Team.HEROES);
    const duringOutage = samples.filter((s) => s.startedAt > openedAt && s.startedAt < restartedAt);
    const afterClose = samples.filter((s) => s.startedAt > closedAt + 100);

    assert.deepEqual(outcomesOf(samples), { "0:": samples.length }, "every fight succeeded");
    assert.ok(
      duringOutage.length > 0 && duringOutage.every((s) => heroOf(s)?.fallback === true),
      "fallback heroes while heroes was down",
    );
    assert.ok(
      afterClose.length > 0 && afterClose.every((s) => heroOf(s)?.fallback === false),
      "real heroes after the breaker closed",
    );
    const seconds = (samples.at(-1)!.startedAt - samples[0]!.startedAt) / 1000;
    return recordOutcome({
      group: "fault",
      what: `heroes SIGKILL under ${fightsPerSecond} fights/s, restarted on the same port`,
      outcome:
        `${samples.length} fights (${(samples.length / seconds).toFixed(0)}/s), 0 failed, ${duringOutage.length} with the fallback hero; ` +
        `breaker OPEN ${((openedAt - killedAt) / 1000).toFixed(2)} s after the kill, CLOSED ${((closedAt - restartedAt) / 1000).toFixed(1)} s after heroes was ready again ` +
        `(open time backs off while it stays down), real heroes in every fight after that`,
    });
  } finally {
    breaker.stop();
    await load.stop();
  }
}
