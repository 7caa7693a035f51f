import { createThrowawayDatabase } from "../testkit/postgres.js";
import type { GeneratorName } from "./load/load-report.js";

/** Options of a bench run. */
export interface BenchOptions {
  /** Shrink durations and counts to a few seconds per scenario, and skip the 1M-row seed. */
  smoke: boolean;
  generator: GeneratorName;
  /** PostgreSQL to make throw-away databases from (BENCH_DATABASE_URL); undefined → PGlite. */
  databaseUrl: string | undefined;
  /** Where `<scenario>.json` and the SVG charts go. */
  outDir: string;
}

/** What every scenario gets: options, timing, progress output and teardown. */
export interface BenchContext extends BenchOptions {
  /** The scenario's name. */
  label: string;
  /** `fullMs` normally, `smokeMs` in a smoke run. */
  ms(fullMs: number, smokeMs: number): number;
  /** One progress line on stderr, prefixed with the elapsed time. */
  progress(line: string): void;
  /** Environment giving service `prefix` its own throw-away PostgreSQL database, or {} for PGlite. */
  databaseEnv(prefix: string): Promise<Record<string, string>>;
  /** Registers teardown, run last-in first-out by `close()`. */
  defer(teardown: () => Promise<void>): void;
  /** Runs every registered teardown (errors are reported, not thrown). */
  close(): Promise<void>;
}

/** A context for one scenario. */
export function createBenchContext(options: BenchOptions, label: string): BenchContext {
  const started = performance.now();
  const teardowns: (() => Promise<void>)[] = [];
  const context: BenchContext = {
    ...options,
    label,
    ms: (fullMs, smokeMs) => (options.smoke ? smokeMs : fullMs),
    progress(line) {
      process.stderr.write(
        `[bench ${label} ${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}\n`,
      );
    },
    async databaseEnv(prefix) {
      if (options.databaseUrl === undefined) return {};
      const database = await createThrowawayDatabase({ adminUrl: options.databaseUrl, prefix: "bench" });
      context.defer(() => database.drop());
      return { [`${prefix}_DATABASE_URL`]: database.url };
    },
    defer(teardown) {
      teardowns.push(teardown);
    },
    async close() {
      for (const teardown of teardowns.splice(0).reverse()) {
        await teardown().catch((error: unknown) => context.progress(`teardown failed: ${String(error)}`));
      }
    },
  };
  return context;
}
