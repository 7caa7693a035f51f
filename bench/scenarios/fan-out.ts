import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import type { BenchContext } from "../bench-context.js";
import { launchAllData, launchFights } from "../system/launch.js";
import { type GhzSummary, percentileMs } from "../load/load-report.js";
import { measureCall, median, runColumns, runRow, type Scenario, usageOf } from "../scenario.js";

const fight = FightService.method.performRandomFight;
const slow = { HEROES_FAULT_LATENCY_MS: "50", VILLAINS_FAULT_LATENCY_MS: "50", LOCATIONS_FAULT_LATENCY_MS: "50" };

/** `fan-out`: 50 ms in each data service; three concurrent upstream calls vs one after another. */
export const fanOutScenario: Scenario = {
  name: "fan-out",
  async run(context: BenchContext) {
    const data = await launchAllData(context, {
      heroes: { HEROES_FAULT_LATENCY_MS: slow.HEROES_FAULT_LATENCY_MS },
      villains: { VILLAINS_FAULT_LATENCY_MS: slow.VILLAINS_FAULT_LATENCY_MS },
      locations: { LOCATIONS_FAULT_LATENCY_MS: slow.LOCATIONS_FAULT_LATENCY_MS },
    });
    // One fighter call per pick (direct), so the figure is the fan-out alone, not batching.
    const modes = ["concurrent", "sequential"] as const;
    const fights = await Promise.all(
      modes.map((mode) =>
        launchFights(context, data, { FIGHTS_UPSTREAM_MODE: mode, FIGHTS_FIGHTER_SOURCE: "direct" }, `fights-${mode}`),
      ),
    );
    const shape = { durationMs: context.ms(4000, 1500), rps: 50, connections: 1, concurrency: 200 };
    for (const [index, mode] of modes.entries())
      await measureCall(
        context,
        `warm-up ${mode}`,
        fights[index]!,
        fight,
        {},
        { ...shape, durationMs: context.ms(1500, 500) },
      );
    const runs: Record<(typeof modes)[number], GhzSummary[]> = { concurrent: [], sequential: [] };
    for (let round = 1; round <= (context.smoke ? 1 : 2); round++) {
      for (const [index, mode] of modes.entries())
        runs[mode].push(
          await measureCall(context, `${mode} at 50 req/s round ${round}`, fights[index]!, fight, {}, shape),
        );
    }
    const p = (mode: (typeof modes)[number], percentage: number) =>
      median(runs[mode].map((run) => percentileMs(run, percentage)));
    const all = [...runs.concurrent, ...runs.sequential];
    return {
      scenario: "fan-out",
      title: "Concurrent vs sequential upstream calls",
      description:
        "Each data service delays every call by 50 ms (fault injection); fights at a fixed 50 req/s with one upstream call per fighter (FIGHTS_FIGHTER_SOURCE=direct). Concurrent calls should take ≈ the slowest of the three (≈50 ms), sequential ones the sum (≈150 ms): a ratio near 3.",
      primary: runs.concurrent[0]!,
      runs: all,
      ratios: {
        sequentialToConcurrentP50: p("sequential", 50) / p("concurrent", 50),
        sequentialToConcurrentP99: p("sequential", 99) / p("concurrent", 99),
        concurrentP50Ms: p("concurrent", 50),
        sequentialP50Ms: p("sequential", 50),
      },
      services: await usageOf([data.heroes, data.villains, data.locations, ...fights]),
      table: { columns: runColumns, rows: all.map(runRow) },
      notes: ["Rounds alternate between the two fights services, which share the three slowed data services."],
      skipped: [],
    };
  },
};
