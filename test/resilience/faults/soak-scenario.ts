import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { readMetric } from "../../../testkit/processes/admin-client.js";
import { outcomesOf, percentile, startLoad } from "../../../testkit/load/load.js";
import { recordOutcome } from "../../../testkit/load/outcomes.js";
import type { ProcessSystem, ServiceProcess } from "../../../testkit/processes/service-processes.js";

/** Soak length: `SOAK_SECONDS` (a longer run by hand), 60 s by default as in CI. */
export const soakSeconds = Number(process.env.SOAK_SECONDS ?? 60);
const fightsPerSecond = 50;
/** Callers in flight at once; each may hold a socket or timer at a sampling instant. */
const concurrency = 5;

interface ResourceSample {
  rss: number;
  handles: number;
}

/**
 * Steady paced load for `soakSeconds`; after a warm-up (half the run: V8 grows its heap lazily
 * and collects in a sawtooth), the peak RSS of the second half of the measured time is less than
 * 10% above the peak of the first half, and the active handle count does not grow.
 */
export async function soakScenario(system: ProcessSystem): Promise<string> {
  const warmUpMs = (soakSeconds * 1000) / 2;
  const load = startLoad({
    concurrency,
    ratePerSecond: fightsPerSecond,
    call: () => system.client.methods.performRandomFight({}, { deadline: Date.now() + 5000 }),
  });
  const samples: ResourceSample[] = [];
  try {
    await sleep(warmUpMs);
    const measureMs = soakSeconds * 1000 - warmUpMs;
    const end = performance.now() + measureMs;
    while (performance.now() < end) {
      samples.push(await resources(system.fights));
      await sleep(Math.min(2000, measureMs / 12));
    }
  } finally {
    await load.stop();
  }
  const calls = load.samples();
  assert.deepEqual(outcomesOf(calls), { "0:": calls.length }, "every fight succeeded");
  assert.ok(samples.length >= 6, `enough resource samples (${samples.length})`);
  const half = Math.floor(samples.length / 2);
  const [first, second] = [samples.slice(0, half), samples.slice(half)];
  const rssStart = Math.max(...first.map((s) => s.rss));
  const rssEnd = Math.max(...second.map((s) => s.rss));
  const handlesStart = Math.max(...first.map((s) => s.handles));
  const handlesEnd = Math.max(...second.map((s) => s.handles));
  const growth = (rssEnd - rssStart) / rssStart;
  assert.ok(growth < 0.1, `RSS grew ${(growth * 100).toFixed(1)}% (${rssStart} → ${rssEnd} bytes)`);
  // Samples catch calls in flight, so peaks differ by up to one handle per caller (CI saw 10 → 13);
  // a leak would grow with the ~1,500 calls of the second half, far past this bound.
  assert.ok(handlesEnd <= handlesStart + concurrency, `active handles did not grow (${handlesStart} → ${handlesEnd})`);
  const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  return recordOutcome({
    group: "fault",
    what: `soak: ${fightsPerSecond} fights/s for ${soakSeconds} s (SOAK_SECONDS)`,
    outcome:
      `${calls.length} fights, 0 failed, p99 ${percentile(
        calls.map((c) => c.durationMs),
        99,
      ).toFixed(1)} ms; after ${warmUpMs / 1000} s warm-up, fights peak RSS ` +
      `${mib(rssStart)} → ${mib(rssEnd)} MiB (${(growth * 100).toFixed(1)}%), active handles ${handlesStart} → ${handlesEnd}`,
  });
}

async function resources(service: ServiceProcess): Promise<ResourceSample> {
  const [rss, handles] = await Promise.all([
    readMetric(service.adminPort, "process_resident_memory_bytes"),
    readMetric(service.adminPort, "nodejs_active_handles_total"),
  ]);
  assert.ok(rss !== undefined && handles !== undefined, "RSS and handle metrics exposed on /metrics");
  return { rss, handles };
}
