import { Counter, type Registry } from "prom-client";

/** Options of `createMirroredCounter`. */
export interface MirroredCounterOptions<L extends string> {
  name: string;
  help: string;
  labelNames?: readonly L[];
  registry: Registry;
  /** The running totals, read at each scrape: never decreasing, per label set. */
  read(): Iterable<[labels: Partial<Record<L, string>>, total: number]>;
}

/**
 * A Prometheus counter (TYPE counter, so `rate()` and `increase()` are right) whose value is a
 * running total kept elsewhere (the load shedder's refusals, a breaker's rejections): each scrape
 * adds what the total grew by since the last one.
 */
export function createMirroredCounter<L extends string>(options: MirroredCounterOptions<L>): Counter<L> {
  const seen = new Map<string, number>();
  return new Counter<L>({
    name: options.name,
    help: options.help,
    labelNames: options.labelNames ?? [],
    registers: [options.registry],
    collect() {
      for (const [labels, total] of options.read()) {
        const key = JSON.stringify(labels);
        const grown = total - (seen.get(key) ?? 0);
        seen.set(key, total);
        // Zero still creates the series, so a counter is exported from the start.
        if (grown >= 0) this.inc(labels, grown);
      }
    },
  });
}
