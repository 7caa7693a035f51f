import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { readMetric } from "../../../testkit/processes/admin-client.js";
import { outcomesOf, percentile, startLoad } from "../../../testkit/load/load.js";
import { recordOutcome } from "../../../testkit/load/outcomes.js";
import { liveHeapBytes } from "../../../testkit/processes/live-heap.js";
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
 * Steady paced load for `soakSeconds`; after a warm-up (half the run), neither the live heap nor
 * the active handle count grows. The live heap is what fights holds after two full collections
 * (the system's fights runs with `liveHeapNodeOptions`), measured at the start and at the end of
 * the measured half: a leak keeps objects alive, so it grows that figure with every call. RSS
 * and the heap in use between collections are reported, not judged: they follow when V8 collects
 * and when the allocator gives pages back (CI once saw RSS +12.6% in 30 s, and the heap in use
 * swings by half between minor and major collections).
 */
export async function soakScenario(system: ProcessSystem): Promise<string> {
  const warmUpMs = (soakSeconds * 1000) / 2;
  const load = startLoad({
    concurrency,
    ratePerSecond: fightsPerSecond,
    call: () => system.client.methods.performRandomFight({}, { deadline: Date.now() + 5000 }),
  });
  const samples: ResourceSample[] = [];
  let liveStart = 0;
  let liveEnd = 0;
  try {
    await sleep(warmUpMs);
    liveStart = await liveHeapBytes(system.fights.current());
    const measureMs = soakSeconds * 1000 - warmUpMs;
    const end = performance.now() + measureMs;
    while (performance.now() < end) {
      samples.push(await resources(system.fights));
      await sleep(Math.min(1000, measureMs / 20));
    }
    liveEnd = await liveHeapBytes(system.fights.current());
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
  const heapGrowth = (liveEnd - liveStart) / liveStart;
  assert.ok(
    heapGrowth < 0.1,
    `live heap grew ${(heapGrowth * 100).toFixed(1)}% (${liveStart} → ${liveEnd} bytes after full collections)`,
  );
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
      `${mib(rssStart)} → ${mib(rssEnd)} MiB (${(growth * 100).toFixed(1)}%), live heap ${mib(liveStart)} → ${mib(liveEnd)} MiB ` +
      `(${(heapGrowth * 100).toFixed(1)}%), active handles ${handlesStart} → ${handlesEnd}`,
  });
}

async function resources(service: ServiceProcess): Promise<ResourceSample> {
  const [rss, handles] = await Promise.all([
    readMetric(service.adminPort, "process_resident_memory_bytes"),
    readMetric(service.adminPort, "nodejs_active_handles_total"),
  ]);
  assert.ok(rss !== undefined && handles !== undefined, "RSS, heap and handle metrics exposed on /metrics");
  return { rss, handles };
}
