import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import type { BenchContext } from "../bench-context.js";
import { launchAllData, launchFights } from "../system/launch.js";
import type { GhzSummary } from "../load/load-report.js";
import { measureCall, median, runColumns, runRow, type Scenario, usageOf } from "../scenario.js";
import { countTotal } from "../system/service-metrics.js";
import { upstreamCallCount } from "../system/upstream-calls.js";

const fight = FightService.method.performRandomFight;
const sources = ["direct", "coalesce", "pool"] as const;

/** `coalesce`: fighters fetched per pick vs coalesced per event-loop turn vs from a pool. */
export const coalesceScenario: Scenario = {
  name: "coalesce",
  async run(context: BenchContext) {
    const data = await launchAllData(context);
    const dataList = [data.heroes, data.villains, data.locations];
    const fights = await Promise.all(
      sources.map((source) => launchFights(context, data, { FIGHTS_FIGHTER_SOURCE: source }, `fights-${source}`)),
    );
    const shape = { durationMs: context.ms(4000, 1000) };
    for (const [index, source] of sources.entries())
      await measureCall(context, `warm-up ${source}`, fights[index]!, fight, {}, { durationMs: context.ms(2000, 500) });
    const runs: GhzSummary[] = [];
    const calls: Record<string, { upstream: number; fights: number }[]> = {};
    for (let round = 1; round <= (context.smoke ? 1 : 2); round++) {
      for (const [index, source] of sources.entries()) {
        const before = await upstreamCallCount(dataList);
        const run = await measureCall(
          context,
          `${source} closed-loop c=64 round ${round}`,
          fights[index]!,
          fight,
          {},
          shape,
        );
        const upstream = (await upstreamCallCount(dataList)) - before;
        runs.push(run);
        (calls[source] ??= []).push({
          upstream,
          fights: countTotal(run.verification?.serverHandled ?? run.statusCodeDistribution),
        });
      }
    }
    const rps = (source: string) => median(runs.filter((run) => run.name.startsWith(source)).map((run) => run.rps));
    const upstreamCalls = Object.fromEntries(
      sources.map((source) => {
        const list = calls[source] ?? [];
        const upstream = list.reduce((total, item) => total + item.upstream, 0);
        const fought = list.reduce((total, item) => total + item.fights, 0);
        return [source, { calls: upstream, perFight: fought === 0 ? Number.NaN : upstream / fought }];
      }),
    );
    return {
      scenario: "coalesce",
      title: "Fighter sources: direct, coalesced, pooled",
      description:
        "PerformRandomFight closed loop (64 in flight) against three fights services that differ only in FIGHTS_FIGHTER_SOURCE, sharing the data services, in alternating rounds. Upstream calls per fight come from the data services' own grpc_server_handled_total over each run, divided by the fights the fights service handled.",
      primary: runs[1] ?? runs[0]!,
      runs,
      ratios: {
        coalesceToDirectRps: rps("coalesce") / rps("direct"),
        poolToDirectRps: rps("pool") / rps("direct"),
        directUpstreamPerFight: upstreamCalls.direct?.perFight ?? Number.NaN,
        coalesceUpstreamPerFight: upstreamCalls.coalesce?.perFight ?? Number.NaN,
        poolUpstreamPerFight: upstreamCalls.pool?.perFight ?? Number.NaN,
      },
      services: await usageOf([...dataList, ...fights]),
      upstreamCalls,
      table: {
        columns: [...runColumns, "upstream calls/fight"],
        rows: runs.map((run) => [
          ...runRow(run),
          (upstreamCalls[run.name.split(" ")[0] ?? ""]?.perFight ?? Number.NaN).toFixed(3),
        ]),
      },
      notes: [
        "Upstream calls per fight are over all rounds of a configuration, so the per-row figure repeats the configuration's total.",
      ],
      skipped: [],
    };
  },
};
