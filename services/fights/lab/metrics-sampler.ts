import type { BreakerState } from "../../platform/calls/circuit-breaker.js";
import type { UpstreamStats } from "../../platform/calls/upstream-client.js";
import { ResourceExhaustedError } from "../../platform/core/errors.js";
import type { UpstreamCallRecord } from "../../platform/observability/client-metrics.js";
import { createIntervalLatency, type IntervalLatency } from "../../platform/observability/interval-latency.js";
import type { Fight } from "../fight.js";

/** One upstream over one interval. */
export interface UpstreamSample {
  name: string;
  /** At the end of the interval. */
  breakerState: BreakerState;
  /** Open at some time in the interval (it tripped, or was open at its end). */
  breakerOpened: boolean;
  latencyP50Ms: number;
  latencyP99Ms: number;
  calls: number;
  failures: number;
  rejections: number;
}

/** The fights service over one interval (one second by default). */
export interface MetricsSample {
  /** End of the interval. */
  time: Date;
  fightsPerSecond: number;
  fightLatencyP50Ms: number;
  fightLatencyP99Ms: number;
  /** Fights with any fallback / fights, 0 without fights. */
  fallbackShare: number;
  upstreams: UpstreamSample[];
}

/** Options of `createMetricsSampler`. */
export interface MetricsSamplerOptions {
  /** Cumulative numbers of each upstream (calls, failures, rejections, breaker trips). */
  upstreams: () => UpstreamStats[];
  /** Length of one sample, ms. Default 1000. */
  intervalMs?: number;
  /** Samples kept and sent first to a new watcher: the charts' last minutes. Default 300 (5 min). */
  historySize?: number;
  /** Samples a watcher may fall behind before it is dropped with RESOURCE_EXHAUSTED. Default 60. */
  maxQueued?: number;
}

/** Live numbers for the page's charts: fed by the fights service and the upstream clients. */
export interface MetricsSampler {
  /** Fights just stored and how long their call took, from request to stored, ms. */
  recordFights(fights: readonly Fight[], durationMs: number): void;
  /** One finished upstream call (UpstreamInstruments.onCall). */
  recordUpstreamCall(record: UpstreamCallRecord): void;
  /** The kept history, then every new sample until `signal` aborts. */
  watch(signal: AbortSignal): AsyncIterable<MetricsSample>;
  /** The kept samples, oldest first. */
  history(): MetricsSample[];
  close(): void;
}

/**
 * Takes a sample every `intervalMs`: fights per second, their latency percentiles and fallback
 * share, and per upstream its latency, calls and breaker over the interval (counters are
 * differences of the upstreams' cumulative numbers, so nothing is counted twice).
 */
export function createMetricsSampler(options: MetricsSamplerOptions): MetricsSampler {
  const intervalMs = options.intervalMs ?? 1000;
  const historySize = options.historySize ?? 300;
  const maxQueued = options.maxQueued ?? 60;
  const fightLatency = createIntervalLatency();
  const upstreamLatency = new Map<string, IntervalLatency>();
  const history: MetricsSample[] = [];
  const watchers = new Set<(sample: MetricsSample) => void>();
  let fights = 0;
  let withFallback = 0;
  // Read lazily: the upstreams are created after the sampler (they report their calls to it).
  let previous = new Map<string, UpstreamCounts>();
  let sampledAt = Date.now();

  const takeSample = () => {
    const now = Date.now();
    const seconds = Math.max(0.001, (now - sampledAt) / 1000);
    sampledAt = now;
    const stats = options.upstreams();
    const counts = countsByUpstream(stats);
    const fightTimes = fightLatency.take();
    const sample: MetricsSample = {
      time: new Date(now),
      fightsPerSecond: round(fights / seconds),
      fightLatencyP50Ms: fightTimes.p50,
      fightLatencyP99Ms: fightTimes.p99,
      fallbackShare: fights === 0 ? 0 : round(withFallback / fights),
      upstreams: stats.map((upstream) => {
        const before = previous.get(upstream.name) ?? zeroCounts;
        const after = counts.get(upstream.name) ?? zeroCounts;
        const latency = upstreamLatency.get(upstream.name)?.take() ?? { p50: 0, p99: 0 };
        return {
          name: upstream.name,
          breakerState: upstream.breakerState,
          breakerOpened: upstream.breakerState === "OPEN" || after.trips > before.trips,
          latencyP50Ms: latency.p50,
          latencyP99Ms: latency.p99,
          calls: after.calls - before.calls,
          failures: after.failures - before.failures,
          rejections: after.rejections - before.rejections,
        };
      }),
    };
    previous = counts;
    fights = 0;
    withFallback = 0;
    history.push(sample);
    if (history.length > historySize) history.shift();
    for (const watcher of watchers) watcher(sample);
  };
  const timer = setInterval(takeSample, intervalMs);
  timer.unref();

  return {
    recordFights(stored, durationMs) {
      for (const fight of stored) {
        fights += 1;
        if (fight.winner.fallback || fight.loser.fallback || fight.location.fallback) withFallback += 1;
        fightLatency.record(durationMs);
      }
    },
    recordUpstreamCall(record) {
      let latency = upstreamLatency.get(record.upstream);
      if (latency === undefined) upstreamLatency.set(record.upstream, (latency = createIntervalLatency()));
      latency.record(record.durationMs);
    },
    async *watch(signal) {
      const queue: MetricsSample[] = [...history];
      let wake: (() => void) | undefined;
      let overflow = false;
      const watcher = (sample: MetricsSample) => {
        if (queue.length >= historySize + maxQueued) overflow = true;
        else queue.push(sample);
        wake?.();
      };
      const onAbort = () => wake?.();
      watchers.add(watcher);
      signal.addEventListener("abort", onAbort, { once: true });
      try {
        while (!signal.aborted) {
          if (overflow) throw new ResourceExhaustedError("the metrics reader fell too far behind; watch again");
          const next = queue.shift();
          if (next !== undefined) yield next;
          else await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        watchers.delete(watcher);
        signal.removeEventListener("abort", onAbort);
      }
    },
    history: () => [...history],
    close: () => clearInterval(timer),
  };
}

interface UpstreamCounts {
  calls: number;
  failures: number;
  rejections: number;
  trips: number;
}

const zeroCounts: UpstreamCounts = { calls: 0, failures: 0, rejections: 0, trips: 0 };

function countsByUpstream(stats: readonly UpstreamStats[]): Map<string, UpstreamCounts> {
  return new Map(
    stats.map((upstream) => [
      upstream.name,
      {
        calls: upstream.calls,
        failures: upstream.failures,
        rejections: upstream.rejections,
        trips: upstream.breaker?.trips ?? 0,
      },
    ]),
  );
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
