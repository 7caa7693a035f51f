import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { status as Status } from "@grpc/grpc-js";
import { HeroService } from "../../../gen/superheroes/hero/v1/hero_service_pb.js";
import { createPromiseClient } from "../calls/grpc-client.js";
import { adminRequest, readMetric } from "../../../testkit/processes/admin-client.js";
import { startFlood } from "../../../testkit/load/flood.js";
import { type LoadSample, percentile, startLoad } from "../../../testkit/load/load.js";
import { spawnFixture } from "../../../testkit/processes/spawn-fixture.js";

const floodCallers = 3000;
const floodSeconds = 6;
// The probe has a 1 s deadline and the bench measures that; on a shared 2-core machine
// the event loop of a flooded process stalls for seconds (admitted probe p99 2.9–4.8 s measured
// here), so 15 s keeps this test about behaviour (served or refused, nothing queued), not speed.
const probeDeadlineMs = 15_000;

interface LimitStats {
  limit: number;
  unaryInFlight: number;
  shed: { adaptive: number; ceiling: number };
}

describe("the adaptive concurrency limit of a real service process under a flood", { timeout: 120_000 }, () => {
  it("serves or refuses 3,000 concurrent callers at once, admits calls near the baseline, and is back to baseline after with no restart", async (t) => {
    // Every call takes 20 ms (injected), so calls pile up when more arrive than the limit lets in.
    const fixture = spawnFixture({
      FIXTURE_GRPC_HOST: "127.0.0.1",
      FIXTURE_GRPC_PORT: "0",
      FIXTURE_ADMIN_PORT: "0",
      ACCESS_LOG: "off",
      FIXTURE_FAULTS_ENABLED: "true",
      FIXTURE_FAULT_LATENCY_MS: "20",
    });
    t.after(() => fixture.kill());
    const listening = await fixture.waitForLine((line) => line.msg === "fixture listening");
    const [grpcPort, adminPort] = [Number(listening.grpcPort), Number(listening.adminPort)];
    const client = createPromiseClient(HeroService, `127.0.0.1:${grpcPort}`);
    t.after(() => client.close());
    const probe = () => client.methods.getRandomHero({}, { deadline: Date.now() + probeDeadlineMs });
    const probeFor = async (ms: number) => {
      const load = startLoad({ concurrency: 2, call: probe });
      await sleep(ms);
      return load.stop();
    };
    const limitStats = async () =>
      ((await adminRequest(adminPort, "/stats")).body as { concurrencyLimit: LimitStats }).concurrencyLimit;
    await probeFor(1000);
    const unloaded = await probeFor(2000);
    assert.deepEqual(codesOf(unloaded), { OK: unloaded.length }, "the unloaded baseline is all OK");
    const baselineP50 = p50(unloaded);

    const flood = await startFlood({
      port: grpcPort,
      path: `/${HeroService.typeName}/GetRandomHero`,
      callers: floodCallers,
      connections: 40,
      seconds: floodSeconds,
      deadlineMs: 60_000,
    });
    t.after(() => flood.process.kill());
    const probing = startLoad({ concurrency: 2, call: probe });
    const seen: LimitStats[] = [];
    while (flood.process.isRunning()) {
      seen.push(await limitStats());
      await sleep(250);
    }
    const during = await probing.stop();
    const floodCodes = await flood.finished();
    const floodEnded = performance.now();

    // REFUSED_STREAM: reset unread, because the connection had opened it past its stream
    // allowance before reading the lower setting (grpc-js clients retry those transparently).
    assert.deepEqual(
      Object.keys(floodCodes).filter((code) => !["OK", "RESOURCE_EXHAUSTED", "REFUSED_STREAM"].includes(code)),
      [],
      `every call of the flood was served or refused: ${JSON.stringify(floodCodes)}`,
    );
    const probeCodes = codesOf(during);
    assert.deepEqual(
      Object.keys(probeCodes).filter((code) => code !== "OK" && code !== "RESOURCE_EXHAUSTED"),
      [],
      `the probe got only OK or RESOURCE_EXHAUSTED: ${JSON.stringify(probeCodes)}`,
    );
    const stats = await limitStats();
    assert.ok(stats.shed.adaptive > 0, "the adaptive limit refused calls");
    // The limit bounds admission: when it shrinks, calls already in flight finish first.
    const highestLimit = Math.max(...seen.map((sample) => sample.limit));
    assert.ok(
      seen.every((sample) => sample.unaryInFlight <= highestLimit),
      `never more calls in flight than the limit let in: ${JSON.stringify(seen.map((sample) => [sample.unaryInFlight, sample.limit]))}`,
    );
    const admitted = during.filter((sample) => sample.code === Status.OK);
    assert.ok(admitted.length > 0, "probe calls were admitted during the flood");
    // Generous: the flood and the server share 2 busy cores, and every call, admitted or refused,
    // waits in the event loop behind the refusals ahead of it; a queue of 3,000 would be seconds.
    const admittedP50 = p50(admitted);
    assert.ok(
      admittedP50 <= Math.max(20 * baselineP50, baselineP50 + 500),
      `admitted calls near the baseline: p50 ${admittedP50.toFixed(1)} ms, unloaded ${baselineP50.toFixed(1)} ms`,
    );

    let recoveredMs = Number.POSITIVE_INFINITY;
    let afterP50 = Number.NaN;
    let afterCodes: Record<string, number> = {};
    while (performance.now() - floodEnded < 10_000) {
      const samples = await probeFor(300);
      [afterP50, afterCodes] = [p50(samples), codesOf(samples)];
      if (afterCodes.OK === samples.length && afterP50 <= 2 * baselineP50 + 2) {
        recoveredMs = performance.now() - floodEnded;
        break;
      }
    }
    assert.ok(
      recoveredMs < 10_000,
      `all OK at the baseline after the flood; last p50 ${afterP50.toFixed(1)} ms, codes ${JSON.stringify(afterCodes)}`,
    );
    assert.equal(fixture.isRunning(), true, "the same process");
    const { body } = await adminRequest(adminPort, "/metrics");
    assert.match(String(body), /^# TYPE grpc_server_shed_total counter$/m);
    const shed = await readMetric(adminPort, "grpc_server_shed_total", { limit: "adaptive" });
    assert.ok(shed !== undefined && shed >= stats.shed.adaptive, "the refusals are in /metrics");
    const limits = seen.map((sample) => sample.limit);
    t.diagnostic(
      `flood ${JSON.stringify(floodCodes)}; limit ${Math.min(...limits)}–${Math.max(...limits)} during it; ` +
        `probe ${JSON.stringify(probeCodes)}, admitted p50 ${admittedP50.toFixed(1)} ms / p99 ${percentile(durations(admitted), 99).toFixed(1)} ms ` +
        `vs unloaded p50 ${baselineP50.toFixed(1)} ms; baseline again ${(recoveredMs / 1000).toFixed(2)} s after the flood`,
    );
  });
});

function codesOf(samples: readonly LoadSample<unknown>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { code } of samples) {
    const name = Status[code] ?? String(code);
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

function durations(samples: readonly LoadSample<unknown>[]): number[] {
  return samples.map((sample) => sample.durationMs);
}

function p50(samples: readonly LoadSample<unknown>[]): number {
  return percentile(durations(samples), 50);
}
