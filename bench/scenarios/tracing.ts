import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import type { BenchContext } from "../bench-context.js";
import { launchAllData, launchFights } from "../system/launch.js";
import type { GhzSummary } from "../load/load-report.js";
import { startOtlpSink } from "../system/otlp-sink.js";
import { measureCall, median, runColumns, runRow, type Scenario, usageOf } from "../scenario.js";

const fight = FightService.method.performRandomFight;
const configurations = ["off", "on"] as const;

/**
 * `tracing`: fight-max's closed loop against two fights services sharing the data services, one
 * without an OTLP endpoint (tracing off: no SDK loaded) and one exporting every span to a local
 * OTLP/HTTP sink, in alternating rounds.
 */
export const tracingScenario: Scenario = {
  name: "tracing",
  async run(context: BenchContext) {
    const sink = await startOtlpSink();
    context.defer(() => sink.close());
    const data = await launchAllData(context);
    const fights = [
      await launchFights(context, data, {}, "fights-tracing-off"),
      await launchFights(context, data, { OTEL_EXPORTER_OTLP_ENDPOINT: sink.url }, "fights-tracing-on"),
    ];
    const durationMs = context.ms(4000, 1000);
    for (const [index, name] of configurations.entries())
      await measureCall(context, `warm-up ${name}`, fights[index]!, fight, {}, { durationMs: context.ms(3000, 500) });
    const runs: GhzSummary[] = [];
    // CPU per fight of the fights process (its own process_cpu_seconds_total over the run): what
    // tracing costs, and much steadier than req/s when other work shares the machine.
    const cpuMsPerFight: Record<string, number[]> = {};
    for (let round = 1; round <= (context.smoke ? 1 : 3); round++) {
      // Alternate which goes first, so neither always follows the other's export backlog.
      const order = round % 2 === 1 ? [0, 1] : [1, 0];
      for (const index of order) {
        const before = (await fights[index]!.usage()).cpuSeconds;
        const run = await measureCall(
          context,
          `tracing ${configurations[index]} closed-loop c=64 round ${round}`,
          fights[index]!,
          fight,
          {},
          { durationMs },
        );
        const cpuMs = ((await fights[index]!.usage()).cpuSeconds - before) * 1000;
        (cpuMsPerFight[configurations[index]!] ??= []).push(cpuMs / Math.max(1, run.count));
        runs.push(run);
      }
    }
    const rps = (name: string) =>
      median(runs.filter((run) => run.name.startsWith(`tracing ${name}`)).map((run) => run.rps));
    const cpu = (name: string) => median(cpuMsPerFight[name] ?? []);
    const exported = sink.received();
    return {
      scenario: "tracing",
      title: "PerformRandomFight with tracing off and on",
      description:
        "PerformRandomFight closed loop (4 connections, 64 in flight) against two fights services that differ only in OTEL_EXPORTER_OTLP_ENDPOINT (unset: no OpenTelemetry SDK loaded; set: every call's server, client and stage spans exported to a local OTLP/HTTP sink that discards them), sharing the data services (tracing off), in alternating rounds.",
      primary: runs[0]!,
      runs,
      ratios: {
        onToOffRps: rps("on") / rps("off"),
        offRps: rps("off"),
        onRps: rps("on"),
        onToOffCpuPerFight: cpu("on") / cpu("off"),
        offCpuMsPerFight: cpu("off"),
        onCpuMsPerFight: cpu("on"),
      },
      services: await usageOf([data.heroes, data.villains, data.locations, ...fights]),
      table: { columns: runColumns, rows: runs.map(runRow) },
      notes: [
        `Medians over rounds: off ${Math.round(rps("off"))} req/s and ${cpu("off").toFixed(3)} ms of fights CPU per fight, on ${Math.round(rps("on"))} req/s and ${cpu("on").toFixed(3)} ms; the sink received ${exported.requests} exports (${Math.round(exported.bytes / 1024)} KiB).`,
      ],
      skipped: [],
    };
  },
};
