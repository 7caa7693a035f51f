import { setTimeout as sleep } from "node:timers/promises";
import { isServiceError } from "../../services/platform/calls/grpc-client.js";

/** One finished call of a load run. */
export interface LoadSample<T> {
  startedAt: number;
  durationMs: number;
  /** grpc status code; 0 for OK, -1 for an error that was not a gRPC status. */
  code: number;
  details: string;
  value: T | undefined;
}

/** Options of `startLoad`. */
export interface LoadOptions<T> {
  /** Calls kept in flight at once. */
  concurrency: number;
  /** When set, calls start at most this many per second in total (a paced, open-ended load). */
  ratePerSecond?: number;
  call(): Promise<T>;
}

/** A running load: stop it to get every sample. */
export interface RunningLoad<T> {
  /** Samples so far (the load keeps running). */
  samples(): readonly LoadSample<T>[];
  stop(): Promise<LoadSample<T>[]>;
}

/** Starts `concurrency` loops that call `call()` until stopped; never throws for a failed call. */
export function startLoad<T>(options: LoadOptions<T>): RunningLoad<T> {
  const samples: LoadSample<T>[] = [];
  let stopped = false;
  const intervalMs = options.ratePerSecond === undefined ? 0 : (1000 * options.concurrency) / options.ratePerSecond;
  const loop = async (index: number) => {
    if (intervalMs > 0) await sleep((intervalMs * index) / options.concurrency);
    while (!stopped) {
      const startedAt = performance.now();
      samples.push(await sample(options.call, startedAt));
      const wait = intervalMs - (performance.now() - startedAt);
      if (wait > 0 && !stopped) await sleep(wait);
    }
  };
  const loops = Array.from({ length: options.concurrency }, (_, index) => loop(index));
  return {
    samples: () => samples,
    async stop() {
      stopped = true;
      await Promise.all(loops);
      return samples;
    },
  };
}

async function sample<T>(call: () => Promise<T>, startedAt: number): Promise<LoadSample<T>> {
  try {
    const value = await call();
    return { startedAt, durationMs: performance.now() - startedAt, code: 0, details: "", value };
  } catch (error: unknown) {
    const [code, details] = isServiceError(error) ? [error.code, error.details] : [-1, String(error)];
    return { startedAt, durationMs: performance.now() - startedAt, code, details, value: undefined };
  }
}

/** The `p`-th percentile (0..100) of `values`, nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Counts of samples per `code:details`, e.g. `{ "0:": 120, "8:server busy...": 30 }`. */
export function outcomesOf(samples: readonly LoadSample<unknown>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { code, details } of samples) counts[`${code}:${details}`] = (counts[`${code}:${details}`] ?? 0) + 1;
  return counts;
}
