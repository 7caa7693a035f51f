import { HeroService } from "../../gen/superheroes/hero/v1/hero_service_pb.js";
import type { BenchContext } from "../bench-context.js";
import { type BenchProcess, launchData } from "../system/launch.js";
import type { GhzSummary } from "../load/load-report.js";
import { loadHeroesDatabase } from "../system/loaded-heroes.js";
import { measureCall, median, runColumns, runRow, type Scenario, usageOf } from "../scenario.js";
import { percentileMs } from "../load/load-report.js";

const one = HeroService.method.getRandomHero;
const many = HeroService.method.getRandomHeroes;
const largeRows = 1_000_000;

/** `random-hero`: GetRandomHero and GetRandomHeroes(100) at 1k and 1M rows (1M on PostgreSQL only). */
export const randomHeroScenario: Scenario = {
  name: "random-hero",
  async run(context: BenchContext) {
    const skipped: string[] = [];
    const sizes: { rows: number; service: BenchProcess }[] = [];
    if (context.databaseUrl === undefined) {
      sizes.push({ rows: 110, service: await launchData(context, "heroes") });
      skipped.push(
        `${largeRows} rows: BENCH_DATABASE_URL is not set, and loading 1M rows into an in-memory PGlite is not a fair comparison; measured the 110 seed heroes on PGlite only.`,
      );
    } else {
      for (const rows of context.smoke ? [1_000] : [1_000, largeRows]) {
        const url = await loadHeroesDatabase(context, context.databaseUrl, rows);
        sizes.push({
          rows,
          service: await launchData(context, "heroes", { HEROES_DATABASE_URL: url, HEROES_SEED: "false" }),
        });
      }
      if (context.smoke) skipped.push(`${largeRows} rows: smoke run (the 1M-row load alone takes ~20 s).`);
    }
    const durationMs = context.ms(3000, 1000);
    const calls = [
      {
        label: "GetRandomHero",
        run: (service: BenchProcess, name: string) =>
          measureCall(context, name, service, one, {}, { durationMs, concurrency: 16 }),
      },
      {
        label: "GetRandomHeroes(100)",
        run: (service: BenchProcess, name: string) =>
          measureCall(context, name, service, many, { count: 100 }, { durationMs, concurrency: 16 }),
      },
    ];
    for (const { service } of sizes) for (const call of calls) await call.run(service, `warm-up ${call.label}`);
    const runs: GhzSummary[] = [];
    for (let round = 1; round <= (context.smoke ? 1 : 2); round++) {
      for (const call of calls)
        for (const { rows, service } of sizes)
          runs.push(await call.run(service, `${call.label} ${rows} rows round ${round}`));
    }
    const ratios: Record<string, number> = {};
    const [small, large] = sizes;
    if (small !== undefined && large !== undefined) {
      for (const call of calls) {
        const of = (rows: number) => runs.filter((run) => run.name.startsWith(`${call.label} ${rows} rows`));
        ratios[`${call.label} 1M/1k rps`] =
          median(of(large.rows).map((run) => run.rps)) / median(of(small.rows).map((run) => run.rps));
        ratios[`${call.label} 1M/1k p99`] =
          median(of(large.rows).map((run) => percentileMs(run, 99))) /
          median(of(small.rows).map((run) => percentileMs(run, 99)));
      }
    }
    return {
      scenario: "random-hero",
      title: "Random picks at 1k and 1M rows",
      description:
        "GetRandomHero and GetRandomHeroes(100), 16 calls in flight, on a heroes service per table size, alternating sizes each round: the cost of a random pick must not grow with the table (ratios near 1).",
      primary: runs[0]!,
      runs,
      ratios,
      services: await usageOf(sizes.map(({ service }) => service)),
      table: { columns: runColumns, rows: runs.map(runRow) },
      notes: [],
      skipped,
    };
  },
};
