import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import type { BenchContext } from "../bench-context.js";
import { launchAllData, launchFights } from "../system/launch.js";
import type { GhzSummary } from "../load/load-report.js";
import { measureCall, median, runColumns, runRow, type Scenario, usageOf } from "../scenario.js";

const single = FightService.method.performRandomFight;
const batch = FightService.method.performRandomFights;
const batchSize = 100;

/** `batch`: fights per second from PerformRandomFights(100) vs PerformRandomFight, one fights service. */
export const batchScenario: Scenario = {
  name: "batch",
  async run(context: BenchContext) {
    const data = await launchAllData(context);
    const fights = await launchFights(context, data);
    const durationMs = context.ms(4000, 1000);
    await measureCall(context, "warm-up single", fights, single, {}, { durationMs: context.ms(2000, 500) });
    await measureCall(
      context,
      "warm-up batch",
      fights,
      batch,
      { count: batchSize },
      { durationMs: context.ms(2000, 500), concurrency: 4 },
    );
    const singles: GhzSummary[] = [];
    const batches: GhzSummary[] = [];
    for (let round = 1; round <= (context.smoke ? 1 : 2); round++) {
      singles.push(
        await measureCall(context, `PerformRandomFight c=64 round ${round}`, fights, single, {}, { durationMs }),
      );
      batches.push(
        await measureCall(
          context,
          `PerformRandomFights(${batchSize}) c=4 round ${round}`,
          fights,
          batch,
          { count: batchSize },
          { durationMs, concurrency: 4 },
        ),
      );
    }
    const singleFights = median(singles.map((run) => run.rps));
    const batchFights = median(batches.map((run) => run.rps)) * batchSize;
    const runs = [...singles, ...batches];
    return {
      scenario: "batch",
      title: "Batch fights vs single fights",
      description: `PerformRandomFights(${batchSize}) makes one batch call per upstream and one multi-row insert per call; fights/s = calls/s × ${batchSize}. Compared with PerformRandomFight at 64 in flight, alternating rounds, same fights service.`,
      primary: batches[0]!,
      runs,
      ratios: {
        batchToSingleFightsPerSecond: batchFights / singleFights,
        singleFightsPerSecond: singleFights,
        batchFightsPerSecond: batchFights,
      },
      services: await usageOf([data.heroes, data.villains, data.locations, fights]),
      table: {
        columns: [...runColumns, "fights/s"],
        rows: runs.map((run) => [...runRow(run), Math.round(run.rps * (run.name.includes("Fights(") ? batchSize : 1))]),
      },
      notes: [`Latencies of the batch rows are per call of ${batchSize} fights.`],
      skipped: [],
    };
  },
};
