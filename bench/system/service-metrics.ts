import { adminRequest } from "../../testkit/processes/admin-client.js";

/** Resource use of one service process as its own `/metrics` reports it. */
export interface ProcessUsage {
  rssBytes: number;
  cpuSeconds: number;
}

/** One method's identity in `grpc_server_handled_total` labels. */
export interface MethodLabels {
  service: string;
  method: string;
}

/** Reads a service's Prometheus text exposition from its admin port. */
export async function readExposition(adminPort: number): Promise<string> {
  const { status, body } = await adminRequest(adminPort, "/metrics");
  if (status !== 200 || typeof body !== "string")
    throw new Error(`admin port ${adminPort}: /metrics answered ${status}`);
  return body;
}

/** `grpc_server_handled_total` by `grpc_code` for one method, or summed over every method when `labels` is omitted. */
export function handledByCode(exposition: string, labels?: MethodLabels): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of exposition.split("\n")) {
    const match = /^grpc_server_handled_total\{(.*)\} (\S+)$/.exec(line);
    if (match === null) continue;
    const present = Object.fromEntries(
      [...(match[1] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key, value]),
    );
    if (labels !== undefined && (present.grpc_service !== labels.service || present.grpc_method !== labels.method))
      continue;
    if (present.grpc_service?.startsWith("grpc.")) continue; // health and reflection are not load
    const code = present.grpc_code ?? "UNKNOWN";
    counts[code] = (counts[code] ?? 0) + Number(match[2]);
  }
  return counts;
}

/** RSS and CPU seconds (`process_resident_memory_bytes`, `process_cpu_seconds_total`). */
export function processUsage(exposition: string): ProcessUsage {
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(exposition)?.[1] ?? Number.NaN);
  return { rssBytes: value("process_resident_memory_bytes"), cpuSeconds: value("process_cpu_seconds_total") };
}

/** `after − before` per key (keys of either). */
export function countDelta(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const value = (after[key] ?? 0) - (before[key] ?? 0);
    if (value !== 0) delta[key] = value;
  }
  return delta;
}

/** Sum of a count record. */
export function countTotal(counts: Record<string, number>): number {
  return Object.values(counts).reduce((total, value) => total + value, 0);
}

/** Sum and count of one histogram series. */
export interface HistogramTotals {
  sum: number;
  count: number;
}

/**
 * `<metric>_sum` and `<metric>_count` per value of label `by`, over the series whose labels
 * include every pair of `where`.
 */
export function histogramTotals(
  exposition: string,
  metric: string,
  by: string,
  where: Record<string, string> = {},
): Record<string, HistogramTotals> {
  const totals: Record<string, HistogramTotals> = {};
  const pattern = new RegExp(`^${metric}_(sum|count)\\{(.*)\\} (\\S+)$`);
  for (const line of exposition.split("\n")) {
    const match = pattern.exec(line);
    if (match === null) continue;
    const labels = Object.fromEntries(
      [...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key, value]),
    );
    if (Object.entries(where).some(([key, value]) => labels[key] !== value)) continue;
    const entry = (totals[labels[by] ?? ""] ??= { sum: 0, count: 0 });
    entry[match[1] === "sum" ? "sum" : "count"] += Number(match[3]);
  }
  return totals;
}

/** Mean per key of `after − before`, in milliseconds (NaN where nothing was observed). */
export function meanMsDelta(
  before: Record<string, HistogramTotals>,
  after: Record<string, HistogramTotals>,
): Record<string, number> {
  const means: Record<string, number> = {};
  for (const [key, { sum, count }] of Object.entries(after)) {
    const earlier = before[key] ?? { sum: 0, count: 0 };
    means[key] = ((sum - earlier.sum) / (count - earlier.count)) * 1000;
  }
  return means;
}

/**
 * The `p`-th percentile, in ms, of what histogram `metric` (seconds) observed between two
 * expositions, over the series whose labels include every pair of `where`: the upper bound of the
 * bucket it falls in (Infinity past the last bound, NaN when nothing was observed).
 */
export function histogramPercentileMs(
  before: string,
  after: string,
  metric: string,
  where: Record<string, string>,
  p: number,
): number {
  const earlier = bucketCounts(before, metric, where);
  const buckets = [...bucketCounts(after, metric, where)]
    .map(([bound, count]) => [bound, count - (earlier.get(bound) ?? 0)] as const)
    .sort(([a], [b]) => a - b);
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return Number.NaN;
  const bucket = buckets.find(([, cumulative]) => cumulative >= (p / 100) * total);
  return bucket === undefined ? Number.POSITIVE_INFINITY : bucket[0] * 1000;
}

/** Cumulative `<metric>_bucket` counts by upper bound (`le`, seconds), summed over matching series. */
function bucketCounts(exposition: string, metric: string, where: Record<string, string>): Map<number, number> {
  const counts = new Map<number, number>();
  const pattern = new RegExp(`^${metric}_bucket\\{(.*)\\} (\\S+)$`);
  for (const line of exposition.split("\n")) {
    const match = pattern.exec(line);
    if (match === null) continue;
    const labels = Object.fromEntries(
      [...(match[1] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key, value]),
    );
    if (Object.entries(where).some(([key, value]) => labels[key] !== value)) continue;
    const bound = labels.le === "+Inf" ? Number.POSITIVE_INFINITY : Number(labels.le);
    counts.set(bound, (counts.get(bound) ?? 0) + Number(match[2]));
  }
  return counts;
}
