import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import { HeroService } from "../../gen/superheroes/hero/v1/hero_service_pb.js";
import type { BenchContext } from "../bench-context.js";
import { echoService } from "../system/echo-service.js";
import { type BenchProcess, launchAllData, launchEcho, launchFights } from "../system/launch.js";
import { type GhzSummary, percentileMs } from "../load/load-report.js";
import { type LoadShape, measureCall, runColumns, runRow, type Scenario, usageOf } from "../scenario.js";
import {
  countDelta,
  countTotal,
  handledByCode,
  histogramTotals,
  meanMsDelta,
  type MethodLabels,
  readExposition,
} from "../system/service-metrics.js";

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
    // `crosses`: the processes a call runs in, whose CPU it is charged (PostgreSQL's is not counted).
    const calls = [
      {
        name: "echo (bare grpc-js)",
        process: echo,
        method: echoService.methods[0]!,
        request: { message: "hello" },
        crosses: [echo],
      },
      {
        name: "GetRandomHero",
        process: data.heroes,
        method: HeroService.method.getRandomHero,
        request: {},
        crosses: [data.heroes],
      },
      {
        name: "PerformRandomFight",
        process: fights,
        method: FightService.method.performRandomFight,
        request: {},
        crosses: [fights, data.heroes, data.villains, data.locations],
      },
    ] as const;
    /** A measured run and the CPU it cost each process it crossed, ms per call the target answered. */
    const measureWithCpu = async (call: (typeof calls)[number], name: string, shape: LoadShape) => {
      const labels: MethodLabels = { service: call.method.parent.typeName, method: call.method.name };
      const cpuBefore = await cpuSecondsOf(call.crosses);
      const handledBefore = handledByCode(await readExposition(call.process.adminPort), labels);
      const run = await measureCall(context, name, call.process, call.method, call.request, shape);
      const cpuAfter = await cpuSecondsOf(call.crosses);
      const handled = countTotal(
        countDelta(handledBefore, handledByCode(await readExposition(call.process.adminPort), labels)),
      );
      const cpuMsPerCall = call.crosses.map((process, index) => ({
        process: process.name,
        ms: ((cpuAfter[index]! - cpuBefore[index]!) * 1000) / handled,
      }));
      return { run, cpuMsPerCall };
    };
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
    // What the processes spend with no calls at all (timers, health, metrics), ms per second: it is
    // in every per-call figure below, a share that grows as the rate falls.
    const idleMs = context.ms(2000, 500);
    const everyProcess = [echo, fights, data.heroes, data.villains, data.locations];
    const idleBefore = await cpuSecondsOf(everyProcess);
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    const idleAfter = await cpuSecondsOf(everyProcess);
    const idleCpuMsPerSecond = everyProcess.map((process, index) => ({
      process: process.name,
      ms: ((idleAfter[index]! - idleBefore[index]!) * 1000 * 1000) / idleMs,
    }));
    const stagesBefore = await fightStages();
    const runs: GhzSummary[] = [];
    const best: Record<string, number> = {};
    // CPU per call, ms, summed over the processes a call crosses: the lowest of the rounds at c1.
    const cpuLone: Record<string, number> = {};
    const cpuLoneByProcess: Record<string, string> = {};
    for (let round = 1; round <= (context.smoke ? 1 : 2); round++) {
      for (const call of calls) {
        const { run, cpuMsPerCall } = await measureWithCpu(call, `${call.name} c1 m1 round ${round}`, {
          durationMs,
          ...lone,
        });
        runs.push(run);
        best[call.name] = Math.min(best[call.name] ?? Infinity, percentileMs(run, 50));
        const cpuMs = totalMs(cpuMsPerCall);
        if (cpuMs < (cpuLone[call.name] ?? Infinity)) {
          cpuLone[call.name] = cpuMs;
          cpuLoneByProcess[call.name] = describeCpu(cpuMsPerCall);
        }
      }
    }
    const stagesAfter = await fightStages();
    const atRate: Record<string, number> = {};
    const cpuAtRate: Record<string, number> = {};
    const cpuAtRateByProcess: Record<string, string> = {};
    for (const call of calls) {
      const { run, cpuMsPerCall } = await measureWithCpu(call, `${call.name} at ${sameRate.rps} req/s`, {
        durationMs,
        ...sameRate,
      });
      runs.push(run);
      atRate[call.name] = percentileMs(run, 50);
      cpuAtRate[call.name] = totalMs(cpuMsPerCall);
      cpuAtRateByProcess[call.name] = describeCpu(cpuMsPerCall);
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
      // What a call costs the machine: CPU ms per call in the processes it crosses.
      echoCpuMsPerCallC1: cpuLone["echo (bare grpc-js)"]!,
      randomHeroCpuMsPerCallC1: cpuLone.GetRandomHero!,
      fightCpuMsPerCallC1: cpuLone.PerformRandomFight!,
      [`echoCpuMsPerCallAt${sameRate.rps}`]: cpuAtRate["echo (bare grpc-js)"]!,
      [`randomHeroCpuMsPerCallAt${sameRate.rps}`]: cpuAtRate.GetRandomHero!,
      [`fightCpuMsPerCallAt${sameRate.rps}`]: cpuAtRate.PerformRandomFight!,
      // The same call's CPU at 100 req/s ÷ back to back: what finding the processes asleep costs.
      [`echoCpuAt${sameRate.rps}ToC1`]: cpuAtRate["echo (bare grpc-js)"]! / cpuLone["echo (bare grpc-js)"]!,
      [`fightCpuAt${sameRate.rps}ToC1`]: cpuAtRate.PerformRandomFight! / cpuLone.PerformRandomFight!,
    };
    return {
      scenario: "latency",
      title: "Unloaded latency: one caller, one call in flight",
      description:
        "p50 of a lone call (1 connection, 1 in flight) for the bare grpc-js echo, GetRandomHero and PerformRandomFight (persisted), alternating in two rounds; the better round counts. Goals: GetRandomHero ≤ 2.5× echo, a fight ≤ 8× echo (≤ 2 ms). Then the same three at 100 req/s open loop, where each call finds the processes asleep (as a lone fight does) instead of the echo's thousands a second keeping them awake. Each run also charges its calls the CPU of the processes they cross (process_cpu_seconds_total ÷ calls answered; PostgreSQL not counted), beside each process's idle CPU.",
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
        `CPU per call, ms, in the processes each crosses (PostgreSQL not counted), best c1 round: ${calls
          .map((call) => `${call.name} ${cpuLone[call.name]!.toFixed(3)} (${cpuLoneByProcess[call.name]})`)
          .join("; ")}. At ${sameRate.rps} req/s: ${calls
          .map((call) => `${call.name} ${cpuAtRate[call.name]!.toFixed(3)} (${cpuAtRateByProcess[call.name]})`)
          .join(
            "; ",
          )}. Idle, with no calls, CPU ms per second: ${describeCpu(idleCpuMsPerSecond)} (in the figures above: ÷ ${sameRate.rps} per call at ${sameRate.rps} req/s).`,
        `Best p50: echo ${echoP50.toFixed(3)} ms, GetRandomHero ${best.GetRandomHero!.toFixed(3)} ms (${ratios.randomHeroToEchoP50.toFixed(1)}× echo), PerformRandomFight ${best.PerformRandomFight!.toFixed(3)} ms (${ratios.fightToEchoP50.toFixed(1)}× echo).`,
      ],
      skipped: [],
    };
  },
};

async function cpuSecondsOf(processes: readonly BenchProcess[]): Promise<number[]> {
  return Promise.all(processes.map(async (process) => (await process.usage()).cpuSeconds));
}

function totalMs(perProcess: readonly { ms: number }[]): number {
  return perProcess.reduce((total, { ms }) => total + ms, 0);
}

function describeCpu(perProcess: readonly { process: string; ms: number }[]): string {
  return perProcess.map(({ process, ms }) => `${process} ${ms.toFixed(3)}`).join(", ");
}
