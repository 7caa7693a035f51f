import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import { HeroService } from "../../gen/superheroes/hero/v1/hero_service_pb.js";
import type { BenchContext } from "../bench-context.js";
import { echoService } from "../echo-service.js";
import { launchAllData, launchEcho, launchFights } from "../launch.js";
import { type GhzSummary, percentileMs } from "../load-report.js";
import { measureCall, runColumns, runRow, type Scenario, usageOf } from "../scenario.js";
import { histogramTotals, meanMsDelta, readExposition } from "../service-metrics.js";

/** One caller, one call in flight: the latency of a lone call, nothing queued behind another. */
const lone = { connections: 1, concurrency: 1 };
/**
 * The same calls at one rate, open loop: a lone call answered back to back keeps every process it
 * touches awake (the echo answers thousands a second), while at this rate each call finds them
 * asleep, as a fight at c1 (~100–300 a second) does. Same rate, same wake-ups: the fair yardstick.
 */
const sameRate = { connections: 1, concurrency: 8, rps: 100 };

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
    const fightStages = async () => {
      const exposition = await readExposition(fights.adminPort);
      return {
        stages: histogramTotals(exposition, "fights_stage_seconds", "stage"),
        edge: histogramTotals(exposition, "grpc_server_handling_seconds", "grpc_method", {
          grpc_method: "PerformRandomFight",
        }),
      };
    };
    const stagesBefore = await fightStages();
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
    const stagesAfter = await fightStages();
    const atRate: Record<string, number> = {};
    for (const call of calls) {
      const run = await measureCall(
        context,
        `${call.name} at ${sameRate.rps} req/s`,
        call.process,
        call.method,
        call.request,
        { durationMs, ...sameRate },
      );
      runs.push(run);
      atRate[call.name] = percentileMs(run, 50);
    }
    // Mean time per stage of the lone fights above, from fights' own histograms.
    const stageMs = meanMsDelta(stagesBefore.stages, stagesAfter.stages);
    const edgeMs = meanMsDelta(stagesBefore.edge, stagesAfter.edge).PerformRandomFight ?? Number.NaN;
    const picksMs = Math.max(stageMs.pick_heroes ?? 0, stageMs.pick_villains ?? 0, stageMs.pick_locations ?? 0);
    const breakdown: [string, number][] = [
      ["edge (whole call, server side)", edgeMs],
      ["pick heroes", stageMs.pick_heroes ?? Number.NaN],
      ["pick villains", stageMs.pick_villains ?? Number.NaN],
      ["pick locations", stageMs.pick_locations ?? Number.NaN],
      ["rules", stageMs.rules ?? Number.NaN],
      ["commit (BEGIN sent with the prepared insert, COMMIT)", stageMs.commit ?? Number.NaN],
      ["rest (edge − slowest pick − rules − commit)", edgeMs - picksMs - (stageMs.rules ?? 0) - (stageMs.commit ?? 0)],
    ];
    const echoP50 = best["echo (bare grpc-js)"]!;
    const echoAtRate = atRate["echo (bare grpc-js)"]!;
    const ratios = {
      echoP50Ms: echoP50,
      randomHeroP50Ms: best.GetRandomHero!,
      fightP50Ms: best.PerformRandomFight!,
      randomHeroToEchoP50: best.GetRandomHero! / echoP50,
      fightToEchoP50: best.PerformRandomFight! / echoP50,
      [`echoP50MsAt${sameRate.rps}`]: echoAtRate,
      [`randomHeroToEchoP50At${sameRate.rps}`]: atRate.GetRandomHero! / echoAtRate,
      [`fightToEchoP50At${sameRate.rps}`]: atRate.PerformRandomFight! / echoAtRate,
      ...Object.fromEntries(breakdown.map(([stage, ms]) => [`stageMs ${stage}`, ms])),
    };
    return {
      scenario: "latency",
      title: "Unloaded latency: one caller, one call in flight",
      description:
        "p50 of a lone call (1 connection, 1 in flight) for the bare grpc-js echo, GetRandomHero and PerformRandomFight (persisted), alternating in two rounds; the better round counts. Goals: GetRandomHero ≤ 2.5× echo, a fight ≤ 8× echo (≤ 2 ms). Then the same three at 100 req/s open loop, where each call finds the processes asleep (as a lone fight does) instead of the echo's thousands a second keeping them awake.",
      primary: runs.find((run) => run.name.startsWith("PerformRandomFight"))!,
      runs,
      ratios,
      services: await usageOf([echo, data.heroes, data.villains, data.locations, fights]),
      table: { columns: runColumns, rows: runs.map(runRow) },
      notes: [
        `Stages of a lone fight (means from fights' own histograms): ${breakdown
          .map(([stage, ms]) => `${stage} ${ms.toFixed(3)} ms`)
          .join("; ")}.`,
        `At ${sameRate.rps} req/s, p50: echo ${echoAtRate.toFixed(3)} ms, GetRandomHero ${atRate.GetRandomHero!.toFixed(3)} ms, PerformRandomFight ${atRate.PerformRandomFight!.toFixed(3)} ms: what waking the processes costs on this machine.`,
        `Best p50: echo ${echoP50.toFixed(3)} ms, GetRandomHero ${best.GetRandomHero!.toFixed(3)} ms (${ratios.randomHeroToEchoP50.toFixed(1)}× echo), PerformRandomFight ${best.PerformRandomFight!.toFixed(3)} ms (${ratios.fightToEchoP50.toFixed(1)}× echo).`,
      ],
      skipped: [],
    };
  },
};
