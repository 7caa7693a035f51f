import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import type { BenchContext } from "../bench-context.js";
import { echoService } from "../system/echo-service.js";
import { launchAllData, launchEcho, launchFights } from "../system/launch.js";
import { type GhzSummary, percentileMs } from "../load/load-report.js";
import { measureCall, median, runColumns, runRow, type Scenario, usageOf } from "../scenario.js";

const echo = echoService.methods[0]!;
const fight = FightService.method.performRandomFight;

/**
 * `fight-max`: PerformRandomFight (persisted) as fast as it goes, against the echo ceiling in
 * alternating rounds with the same load shape, then at fixed rates for latency percentiles.
 */
export const fightMaxScenario: Scenario = {
  name: "fight-max",
  async run(context: BenchContext) {
    const [server, data] = await Promise.all([launchEcho(context), launchAllData(context)]);
    const fights = await launchFights(context, data);
    const durationMs = context.ms(4000, 1000);
    await measureCall(
      context,
      "warm-up echo",
      server,
      echo,
      { message: "hello" },
      { durationMs: context.ms(1500, 500) },
    );
    await measureCall(context, "warm-up fights", fights, fight, {}, { durationMs: context.ms(3000, 1000) });
    const echoRuns: GhzSummary[] = [];
    const fightRuns: GhzSummary[] = [];
    for (let round = 1; round <= (context.smoke ? 1 : 2); round++) {
      echoRuns.push(
        await measureCall(
          context,
          `echo closed-loop c=64 round ${round}`,
          server,
          echo,
          { message: "hello" },
          { durationMs },
        ),
      );
      fightRuns.push(
        await measureCall(
          context,
          `PerformRandomFight closed-loop c=64 round ${round}`,
          fights,
          fight,
          {},
          { durationMs },
        ),
      );
    }
    const fixed: GhzSummary[] = [];
    const rates = context.smoke ? [200] : [500, 2000];
    for (const rps of rates) {
      fixed.push(
        await measureCall(
          context,
          `PerformRandomFight at ${rps} req/s`,
          fights,
          fight,
          {},
          { durationMs, rps, concurrency: 512 },
        ),
      );
    }
    // The yardstick at the top rate: the fight's p99 there is read against echo's p99 at that rate.
    const topRate = rates.at(-1)!;
    const echoAtTop = await measureCall(
      context,
      `echo at ${topRate} req/s`,
      server,
      echo,
      { message: "hello" },
      { durationMs, rps: topRate, concurrency: 512 },
    );
    const echoRps = median(echoRuns.map((run) => run.rps));
    const fightRps = median(fightRuns.map((run) => run.rps));
    const runs = [...echoRuns, ...fightRuns, ...fixed, echoAtTop];
    const ratios: Record<string, number> = { fightToEchoRps: fightRps / echoRps, echoRps, fightRps };
    for (const run of fixed) {
      const rate = /at (\d+)/.exec(run.name)?.[1] ?? "?";
      // Achieved: fights answered OK per second (a refused call is not a fight).
      ratios[`achievedAt${rate}`] = (run.statusCodeDistribution.OK ?? 0) / (run.total / 1e9) / Number(rate);
      ratios[`p99MsAt${rate}`] = percentileMs(run, 99);
    }
    ratios[`echoP99MsAt${topRate}`] = percentileMs(echoAtTop, 99);
    ratios[`p99At${topRate}ToEchoP99`] = percentileMs(fixed.at(-1)!, 99) / percentileMs(echoAtTop, 99);
    return {
      scenario: "fight-max",
      title: "PerformRandomFight at full speed and at fixed rates",
      description:
        "PerformRandomFight end to end (three upstream picks, rules, one insert) against the echo server in alternating rounds with the same load (4 connections, 64 calls in flight); the target is at least half of echo's req/s. Then fixed rates (open loop) for p50/p95/p99 below and near saturation (achieved = fights answered OK per second ÷ the rate), and echo at the top rate, whose p99 is the yardstick for the fight's there.",
      primary: fightRuns[0]!,
      runs,
      ratios,
      services: await usageOf([server, data.heroes, data.villains, data.locations, fights]),
      table: { columns: runColumns, rows: runs.map(runRow) },
      notes: [`Medians over rounds: fights ${Math.round(fightRps)} req/s vs echo ${Math.round(echoRps)} req/s.`],
      skipped: [],
    };
  },
};
