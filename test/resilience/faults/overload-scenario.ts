import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { status as Status } from "@grpc/grpc-js";
import { FightService } from "../../../gen/superheroes/fight/v1/fight_service_pb.js";
import { createPromiseClient } from "../../../services/platform/calls/grpc-client.js";
import { readMetric } from "../../../testkit/processes/admin-client.js";
import { createThrowawayDatabase } from "../../../testkit/postgres.js";
import { outcomesOf, percentile, startLoad } from "../../../testkit/load/load.js";
import { recordOutcome } from "../../../testkit/load/outcomes.js";
import { fightsTargets, launchService, type ProcessSystem } from "../../../testkit/processes/service-processes.js";

const maxInFlight = 8;
const overloadConcurrency = 100;

/**
 * A second fights process with FIGHTS_MAX_IN_FLIGHT=8 against the system's data services, hit
 * by 100 concurrent callers for 4 s: the excess is refused at once with RESOURCE_EXHAUSTED,
 * RSS stays bounded, and when the load stops latency is back to baseline with no restart.
 */
export async function overloadScenario(system: ProcessSystem): Promise<string> {
  const database = await createThrowawayDatabase({ prefix: "resilience" });
  const fights = await launchService("fights", {
    env: {
      FIGHTS_DATABASE_URL: database.url,
      FIGHTS_MAX_IN_FLIGHT: String(maxInFlight),
      LOG_LEVEL: "info",
      ...fightsTargets(system),
    },
  });
  const client = createPromiseClient(FightService, `127.0.0.1:${fights.grpcPort}`);
  const fight = () => client.methods.performRandomFight({}, { deadline: Date.now() + 5000 });
  const p50Of = async (ms: number) => {
    const load = startLoad({ concurrency: 2, call: fight });
    await sleep(ms);
    const samples = await load.stop();
    assert.deepEqual(outcomesOf(samples), { "0:": samples.length });
    return percentile(
      samples.map((s) => s.durationMs),
      50,
    );
  };
  try {
    const startTime = await readMetric(fights.adminPort, "process_start_time_seconds");
    await p50Of(1000);
    const baseline = await p50Of(2000);
    const idleRss = (await readMetric(fights.adminPort, "process_resident_memory_bytes")) ?? 0;
    let peakRss = 0;
    const load = startLoad({ concurrency: overloadConcurrency, call: fight });
    const overloadEnd = performance.now() + 4000;
    while (performance.now() < overloadEnd) {
      peakRss = Math.max(peakRss, (await readMetric(fights.adminPort, "process_resident_memory_bytes")) ?? 0);
      await sleep(250);
    }
    const samples = await load.stop();
    const stoppedAt = performance.now();
    const refused = samples.filter((s) => s.code === Status.RESOURCE_EXHAUSTED);
    const served = samples.filter((s) => s.code === Status.OK);
    assert.deepEqual(
      outcomesOf(samples),
      {
        "0:": served.length,
        [`8:server busy: more than ${maxInFlight} calls in flight; retry with backoff`]: refused.length,
      },
      "every call either served or refused with RESOURCE_EXHAUSTED",
    );
    assert.ok(
      refused.length > served.length,
      `most calls refused (${refused.length} refused, ${served.length} served)`,
    );
    const refusedP50 = percentile(
      refused.map((s) => s.durationMs),
      50,
    );
    const servedP50 = percentile(
      served.map((s) => s.durationMs),
      50,
    );
    assert.ok(refusedP50 < servedP50, `refusals (p50 ${refusedP50} ms) faster than served calls (p50 ${servedP50} ms)`);
    assert.ok(peakRss - idleRss < 128 * 1024 * 1024, `RSS ${idleRss} → ${peakRss} bytes grows less than 128 MiB`);
    // Refusals skip the access log (a flood would write a line per refusal); the shed counter has
    // each of them, and the handled counter too, so the codes still add up.
    assert.equal(await readMetric(fights.adminPort, "grpc_server_shed_total", { limit: "ceiling" }), refused.length);
    const handled = { grpc_method: "PerformRandomFight", grpc_code: "RESOURCE_EXHAUSTED" };
    assert.equal(await readMetric(fights.adminPort, "grpc_server_handled_total", handled), refused.length);

    let recovered = Number.POSITIVE_INFINITY;
    let afterP50 = Number.NaN;
    while (performance.now() - stoppedAt < 10_000) {
      afterP50 = await p50Of(500);
      if (afterP50 <= baseline * 2 + 2) {
        recovered = performance.now() - stoppedAt;
        break;
      }
    }
    assert.ok(
      recovered < 5000,
      `latency back to baseline (${baseline.toFixed(1)} ms) within 5 s of the load stopping; last p50 ${afterP50.toFixed(1)} ms`,
    );
    assert.equal(fights.current().child.exitCode, null, "still the same process");
    assert.equal(await readMetric(fights.adminPort, "process_start_time_seconds"), startTime, "not restarted");
    return recordOutcome({
      group: "fault",
      what: `overload: ${overloadConcurrency} concurrent callers, fights FIGHTS_MAX_IN_FLIGHT=${maxInFlight}, 4 s`,
      outcome:
        `${refused.length} refused with RESOURCE_EXHAUSTED (client-side p50 ${refusedP50.toFixed(0)} ms, the 2-core load generator queues; each in grpc_server_shed_total), ` +
        `${served.length} served (client p50 ${servedP50.toFixed(0)} ms); ` +
        `RSS ${(idleRss / 1024 / 1024).toFixed(0)} MiB idle → ${(peakRss / 1024 / 1024).toFixed(0)} MiB peak; ` +
        `p50 back to baseline (${baseline.toFixed(1)} ms → ${afterP50.toFixed(1)} ms) ${(recovered / 1000).toFixed(1)} s after the load stopped, same process`,
    });
  } finally {
    client.close();
    await fights.kill();
    await database.drop();
  }
}
