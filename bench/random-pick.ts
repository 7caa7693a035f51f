/**
 * GetRandomHero and GetRandomHeroes(100) latency and throughput at 1k and at 1M heroes on
 * PostgreSQL: the cost of a random pick must not grow with the table (issue 3).
 *
 *   npm run bench:random-pick [-- --seconds 2 --rounds 3 --callers 8 --large 1000000]
 *
 * Loads two throw-away databases with the generator (1k and `--large` heroes), starts one heroes
 * service on each in this process, and measures them in alternating rounds (small, large, small,
 * large, ...) so that load from other processes on the machine hits both alike; the figures are
 * medians over rounds. Prints one line per measurement, then the large/small ratios.
 */
import { parseArgs } from "node:util";
import { sql } from "kysely";
import { HeroService } from "../gen/superheroes/hero/v1/hero_service_pb.js";
import { startHeroes } from "../services/heroes/app.js";
import { heroSpec } from "../services/heroes/hero-spec.js";
import { generateItems } from "../services/platform/catalog/catalog-generator.js";
import { migrateCatalog } from "../services/platform/catalog/catalog-migrations.js";
import type { CatalogDatabase } from "../services/platform/catalog/catalog-rows.js";
import { readSeedFile } from "../services/platform/catalog/catalog-seed.js";
import { createEnvReader } from "../services/platform/config/env-reader.js";
import { openDatabase } from "../services/platform/database/database.js";
import { createPromiseClient } from "../services/platform/calls/grpc-client.js";
import { createLogger } from "../services/platform/observability/logger.js";
import { createThrowawayDatabase } from "../testkit/postgres.js";
import { type CallStats, measureCalls, medianStats } from "./load/measure-calls.js";
import { serviceList } from "../services/service-list.js";

const options = {
  seconds: { type: "string", default: "2" },
  rounds: { type: "string", default: "3" },
  callers: { type: "string", default: "8" },
  large: { type: "string", default: "1000000" },
} as const;
const { values } = parseArgs({ options });
const [durationMs, rounds, callers] = [Number(values.seconds) * 1000, Number(values.rounds), Number(values.callers)];
const sizes = [1_000, Number(values.large)] as const;
const out = (line: string) => process.stdout.write(`${line}\n`);
const templates = await readSeedFile(heroSpec, new URL("../services/heroes/seed-heroes.json", import.meta.url));

/** A heroes service on its own throw-away database of `size` generated heroes. */
async function startLoadedHeroes(size: number) {
  const throwaway = await createThrowawayDatabase({ prefix: "bench" });
  const database = await openDatabase<CatalogDatabase>({
    url: throwaway.url,
    poolSize: 1,
    logger: createLogger("bench", "warn"),
  });
  const started = performance.now();
  await migrateCatalog(database.db, heroSpec);
  await generateItems({ db: database.db, spec: heroSpec, templates, count: size });
  // Settle the table as a long-running one would be: hint bits set, visibility map, statistics.
  await sql`vacuum analyze heroes`.execute(database.db);
  await database.close();
  out(`loaded ${size} heroes in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const env = {
    HEROES_DATABASE_URL: throwaway.url,
    HEROES_SEED: "false",
    HEROES_GRPC_PORT: "0",
    HEROES_ADMIN_PORT: "0",
    HEROES_GRPC_HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
  };
  const service = await startHeroes(serviceList.heroes.readConfig(createEnvReader(env)));
  const client = createPromiseClient(HeroService, `127.0.0.1:${service.grpcPort}`);
  return {
    calls: {
      GetRandomHero: () => client.methods.getRandomHero({}),
      "GetRandomHeroes(100)": () => client.methods.getRandomHeroes({ count: 100 }),
    },
    async stop() {
      client.close();
      await service.stop();
      await throwaway.drop();
    },
  };
}

const services = [await startLoadedHeroes(sizes[0]), await startLoadedHeroes(sizes[1])];
const samples = new Map<string, CallStats[]>();
try {
  for (let round = 0; round < rounds; round++) {
    for (const name of ["GetRandomHero", "GetRandomHeroes(100)"] as const) {
      for (const [index, heroes] of services.entries()) {
        if (round === 0) await measureCalls(heroes.calls[name], { durationMs: 500, callers }); // warm-up
        const stats = await measureCalls(heroes.calls[name], { durationMs, callers });
        const key = `${name}@${sizes[index]}`;
        samples.set(key, [...(samples.get(key) ?? []), stats]);
        out(
          `round ${round + 1} ${name.padEnd(21)} rows=${String(sizes[index]).padStart(8)} p50=${stats.p50Ms.toFixed(2)} ms p99=${stats.p99Ms.toFixed(2)} ms ${Math.round(stats.callsPerSecond)} calls/s errors=${stats.errors}`,
        );
      }
    }
  }
  out(`medians over ${rounds} rounds, ${callers} concurrent callers, ${durationMs} ms each:`);
  for (const name of ["GetRandomHero", "GetRandomHeroes(100)"]) {
    const [small, large] = sizes.map((size) => medianStats(samples.get(`${name}@${size}`) ?? []));
    if (small === undefined || large === undefined) continue;
    for (const [size, stats] of [
      [sizes[0], small],
      [sizes[1], large],
    ] as const) {
      out(
        `  ${name.padEnd(21)} rows=${String(size).padStart(8)} p50=${stats.p50Ms.toFixed(2)} ms p99=${stats.p99Ms.toFixed(2)} ms ${Math.round(stats.callsPerSecond)} calls/s`,
      );
    }
    out(
      `  ${name} ${sizes[1]} vs ${sizes[0]}: p50 ×${(large.p50Ms / small.p50Ms).toFixed(2)}, p99 ×${(large.p99Ms / small.p99Ms).toFixed(2)}, calls/s ×${(large.callsPerSecond / small.callsPerSecond).toFixed(2)}`,
    );
  }
} finally {
  for (const heroes of services) await heroes.stop();
}
