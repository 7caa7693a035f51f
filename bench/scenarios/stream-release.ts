import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import { dataServiceNames, serviceList } from "../../services/service-list.js";
import type { BenchContext } from "../bench-context.js";
import { type BenchProcess, launchAllData, launchFights } from "../system/launch.js";
import { type GhzSummary, percentileMs } from "../load/load-report.js";
import { measureCall, median, runColumns, runRow, type Scenario, usageOf } from "../scenario.js";
import { histogramTotals, type HistogramTotals, readExposition } from "../system/service-metrics.js";

const fight = FightService.method.performRandomFight;
const settings = ["released", "kept"] as const;
type Setting = (typeof settings)[number];

/** One whole system: three data services and a fights service calling them. */
interface System {
  fights: BenchProcess;
  processes: BenchProcess[];
}

/**
 * `stream-release`: two whole systems (three data services and fights each), one as shipped and
 * one with `<SERVICE>_RELEASE_CLOSED_STREAMS=false` in every process, in alternating rounds:
 * fights at 50 req/s (the tail the young-generation GC decides) and closed loop, with the
 * young-generation GC pauses of the four processes over each run (`nodejs_gc_duration_seconds`).
 */
export const streamReleaseScenario: Scenario = {
  name: "stream-release",
  async run(context: BenchContext) {
    const systems = {} as Record<Setting, System>;
    for (const setting of settings) {
      const env = (prefix: string) => (setting === "kept" ? { [`${prefix}_RELEASE_CLOSED_STREAMS`]: "false" } : {});
      const data = await launchAllData(
        context,
        Object.fromEntries(dataServiceNames.map((kind) => [kind, env(serviceList[kind].envPrefix)])),
        setting,
      );
      const fights = await launchFights(context, data, env("FIGHTS"), `fights-${setting}`);
      systems[setting] = { fights, processes: [data.heroes, data.villains, data.locations, fights] };
    }
    const warmShape = { durationMs: context.ms(3000, 300), connections: 4, concurrency: 16 };
    for (const setting of settings)
      await measureCall(context, `warm-up ${setting}`, systems[setting].fights, fight, {}, warmShape);

    const atRate = { durationMs: context.ms(10_000, 1500), rps: 50, connections: 1, concurrency: 400 };
    const closedLoop = { durationMs: context.ms(4000, 500), connections: 4, concurrency: 16 };
    const runs: GhzSummary[] = [];
    const minorGcMsPerFight: Record<string, number[]> = {};
    const minorGcMeanMs: Record<string, number[]> = {};
    for (let round = 1; round <= (context.smoke ? 1 : 3); round++) {
      const order = round % 2 === 1 ? settings : [...settings].reverse();
      for (const setting of order) {
        const system = systems[setting];
        const before = await minorGcTotals(system.processes);
        const run = await measureCall(
          context,
          `${setting}, 50 req/s, round ${round}`,
          system.fights,
          fight,
          {},
          atRate,
        );
        const gc = minus(await minorGcTotals(system.processes), before);
        (minorGcMsPerFight[setting] ??= []).push((gc.sum * 1000) / Math.max(1, run.count));
        (minorGcMeanMs[setting] ??= []).push(gc.count === 0 ? 0 : (gc.sum * 1000) / gc.count);
        runs.push(run);
        runs.push(
          await measureCall(context, `${setting}, closed loop, round ${round}`, system.fights, fight, {}, closedLoop),
        );
      }
    }
    const runsOf = (setting: Setting, kind: string) => runs.filter((run) => run.name.startsWith(`${setting}, ${kind}`));
    const p99At50 = (setting: Setting) => median(runsOf(setting, "50 req/s").map((run) => percentileMs(run, 99)));
    const rps = (setting: Setting) => median(runsOf(setting, "closed loop").map((run) => run.rps));
    const p99List = (setting: Setting) =>
      runsOf(setting, "50 req/s")
        .map((run) => percentileMs(run, 99).toFixed(1))
        .join(" / ");
    const gcPerFight = (setting: Setting) => median(minorGcMsPerFight[setting] ?? []);
    const gcMean = (setting: Setting) => median(minorGcMeanMs[setting] ?? []);
    return {
      scenario: "stream-release",
      title: "Closed HTTP/2 streams released or kept",
      description:
        "Two whole systems (heroes, villains, locations, fights), one as shipped and one with <SERVICE>_RELEASE_CLOSED_STREAMS=false in every process (a closed stream keeps its listeners, so each finished call's objects survive young-generation GCs until a full one), in alternating rounds: PerformRandomFight at 50 req/s (10 s) and closed loop (4 connections × 16 in flight, 4 s).",
      primary: runsOf("released", "50 req/s")[0]!,
      runs,
      ratios: {
        keptToReleasedP99At50: p99At50("kept") / p99At50("released"),
        releasedP99MsAt50: p99At50("released"),
        keptP99MsAt50: p99At50("kept"),
        releasedToKeptRps: rps("released") / rps("kept"),
        releasedRps: rps("released"),
        keptRps: rps("kept"),
        keptToReleasedMinorGcMsPerFight: gcPerFight("kept") / gcPerFight("released"),
        releasedMinorGcMsPerFight: gcPerFight("released"),
        keptMinorGcMsPerFight: gcPerFight("kept"),
        releasedMinorGcMeanMs: gcMean("released"),
        keptMinorGcMeanMs: gcMean("kept"),
      },
      services: await usageOf(settings.flatMap((setting) => systems[setting].processes)),
      table: { columns: runColumns, rows: runs.map(runRow) },
      notes: [
        'Minor GC figures are the young-generation pauses (nodejs_gc_duration_seconds{kind="minor"}) of all four processes of a system over each 50 req/s run: their sum per fight, and the mean pause; medians over rounds.',
        "Each system is warmed up closed loop (4 × 16, 3 s) first; the rounds alternate which system goes first.",
      ],
      skipped: [],
    };
  },
};

/** Young-generation GC pauses of `processes`, summed. */
async function minorGcTotals(processes: readonly BenchProcess[]): Promise<HistogramTotals> {
  const totals = await Promise.all(
    processes.map(
      async (process) =>
        histogramTotals(await readExposition(process.adminPort), "nodejs_gc_duration_seconds", "kind").minor ?? {
          sum: 0,
          count: 0,
        },
    ),
  );
  return totals.reduce((all, one) => ({ sum: all.sum + one.sum, count: all.count + one.count }), { sum: 0, count: 0 });
}

function minus(after: HistogramTotals, before: HistogramTotals): HistogramTotals {
  return { sum: after.sum - before.sum, count: after.count - before.count };
}
