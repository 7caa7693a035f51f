import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import type { BenchContext } from "../bench-context.js";
import { launchAllData, launchFights } from "../launch.js";
import { type GhzSummary, percentileMs } from "../load-report.js";
import { measureCall, runColumns, runRow, type Scenario, usageOf } from "../scenario.js";
import { countTotal } from "../service-metrics.js";

const fight = FightService.method.performRandomFight;
const maxInFlight = 16;
const normalRps = 100;

/**
 * `overload`: normal load, a burst far past capacity with a low FIGHTS_MAX_IN_FLIGHT, then normal
 * load again in short windows until p99 is back near the baseline.
 */
export const overloadScenario: Scenario = {
  name: "overload",
  async run(context: BenchContext) {
    const data = await launchAllData(context);
    const fights = await launchFights(context, data, { FIGHTS_MAX_IN_FLIGHT: String(maxInFlight) });
    const normal = { rps: normalRps, connections: 2, concurrency: maxInFlight };
    await measureCall(context, "warm-up", fights, fight, {}, { ...normal, durationMs: context.ms(2000, 1000) });
    const baseline = await measureCall(
      context,
      `baseline ${normalRps} req/s`,
      fights,
      fight,
      {},
      { ...normal, durationMs: context.ms(3000, 1000) },
    );
    const rssBefore = (await fights.usage()).rssBytes;
    const burst = await measureCall(
      context,
      "burst c=800",
      fights,
      fight,
      {},
      { durationMs: context.ms(3000, 1500), connections: 8, concurrency: 800 },
    );
    const burstEnd = performance.now();
    const rssAfterBurst = (await fights.usage()).rssBytes;
    const limit = Math.max(1.5 * percentileMs(baseline, 99), percentileMs(baseline, 99) + 5);
    const windows: GhzSummary[] = [];
    let recoveredMs = Number.NaN;
    for (let window = 1; window <= 10; window++) {
      const run = await measureCall(
        context,
        `after burst, window ${window}`,
        fights,
        fight,
        {},
        { ...normal, durationMs: context.ms(1000, 500) },
      );
      windows.push(run);
      if (run.count > 0 && percentileMs(run, 99) <= limit) {
        recoveredMs = performance.now() - burstEnd;
        break;
      }
    }
    const rssAfter = (await fights.usage()).rssBytes;
    const shed = burst.statusCodeDistribution.RESOURCE_EXHAUSTED ?? 0;
    const runs = [baseline, burst, ...windows];
    const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
    return {
      scenario: "overload",
      title: "Load shedding and recovery",
      description: `FIGHTS_MAX_IN_FLIGHT=${maxInFlight}. Baseline at ${normalRps} req/s, then a closed-loop burst with 800 calls in flight over 8 connections (far past capacity: calls beyond ${maxInFlight} in flight are refused with RESOURCE_EXHAUSTED), then ${normalRps} req/s again in short windows until p99 is within max(1.5 × baseline, baseline + 5 ms).`,
      primary: burst,
      runs,
      ratios: {
        shedCalls: shed,
        shedShareOfBurst: shed / Math.max(1, countTotal(burst.statusCodeDistribution)),
        recoveryMs: recoveredMs,
        rssAfterToBefore: rssAfter / rssBefore,
        recoveredP99ToBaselineP99: percentileMs(windows.at(-1)!, 99) / percentileMs(baseline, 99),
      },
      services: await usageOf([data.heroes, data.villains, data.locations, fights]),
      table: { columns: runColumns, rows: runs.map(runRow) },
      notes: [
        `Shed during the burst: ${shed} calls (RESOURCE_EXHAUSTED, counted by the fights service); ${Number.isNaN(recoveredMs) ? "p99 did not return to the baseline within 10 windows" : `back to baseline p99 ${(recoveredMs / 1000).toFixed(1)} s after the burst ended`}.`,
        `fights RSS: ${mb(rssBefore)} before the burst, ${mb(rssAfterBurst)} right after it, ${mb(rssAfter)} after recovery.`,
      ],
      skipped: [],
    };
  },
};
