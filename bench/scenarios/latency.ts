import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import { HeroService } from "../../gen/superheroes/hero/v1/hero_service_pb.js";
import type { BenchContext } from "../bench-context.js";
import { echoService } from "../echo-service.js";
import { launchAllData, launchEcho, launchFights } from "../launch.js";
import { type GhzSummary, percentileMs } from "../load-report.js";
import { measureCall, runColumns, runRow, type Scenario, usageOf } from "../scenario.js";

/** One caller, one call in flight: the latency of a lone call, nothing queued behind another. */
const lone = { connections: 1, concurrency: 1 };

/**
 * `latency`: unloaded p50 of the bare echo (the yardstick), heroes' GetRandomHero and fights'
 * PerformRandomFight, measured one after another in the same run, each in two rounds (the
 * better round counts: the least disturbed by whatever else the machine runs).
 */
export const latencyScenario: Scenario = {
  name: "latency",
  async run(context: BenchContext) {
    const [echo, data] = await Promise.all([launchEcho(context), launchAllData(context)]);
    const fights = await launchFights(context, data);
    const durationMs = context.ms(5000, 1000);
    const calls = [
      { name: "echo (bare grpc-js)", process: echo, method: echoService.methods[0]!, request: { message: "hello" } },
      { name: "GetRandomHero", process: data.heroes, method: HeroService.method.getRandomHero, request: {} },
      { name: "PerformRandomFight", process: fights, method: FightService.method.performRandomFight, request: {} },
    ] as const;
    for (const call of calls) {
      await measureCall(context, `warm-up ${call.name}`, call.process, call.method, call.request, {
        durationMs: context.ms(2000, 500),
      });
    }
    const runs: GhzSummary[] = [];
    const best: Record<string, number> = {};
    for (let round = 1; round <= (context.smoke ? 1 : 2); round++) {
      for (const call of calls) {
        const run = await measureCall(
          context,
          `${call.name} c1 m1 round ${round}`,
          call.process,
          call.method,
          call.request,
          { durationMs, ...lone },
        );
        runs.push(run);
        best[call.name] = Math.min(best[call.name] ?? Infinity, percentileMs(run, 50));
      }
    }
    const echoP50 = best["echo (bare grpc-js)"]!;
    const ratios = {
      echoP50Ms: echoP50,
      randomHeroP50Ms: best.GetRandomHero!,
      fightP50Ms: best.PerformRandomFight!,
      randomHeroToEchoP50: best.GetRandomHero! / echoP50,
      fightToEchoP50: best.PerformRandomFight! / echoP50,
    };
    return {
      scenario: "latency",
      title: "Unloaded latency: one caller, one call in flight",
      description:
        "p50 of a lone call (1 connection, 1 in flight) for the bare grpc-js echo, GetRandomHero and PerformRandomFight (persisted), alternating in two rounds; the better round counts. Goals: GetRandomHero ≤ 2.5× echo, a fight ≤ 8× echo (≤ 2 ms).",
      primary: runs.find((run) => run.name.startsWith("PerformRandomFight"))!,
      runs,
      ratios,
      services: await usageOf([echo, data.heroes, data.villains, data.locations, fights]),
      table: { columns: runColumns, rows: runs.map(runRow) },
      notes: [
        `Best p50: echo ${echoP50.toFixed(3)} ms, GetRandomHero ${best.GetRandomHero!.toFixed(3)} ms (${ratios.randomHeroToEchoP50.toFixed(1)}× echo), PerformRandomFight ${best.PerformRandomFight!.toFixed(3)} ms (${ratios.fightToEchoP50.toFixed(1)}× echo).`,
      ],
      skipped: [],
    };
  },
};
