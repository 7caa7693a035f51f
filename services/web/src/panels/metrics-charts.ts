import { timestampMs } from "@bufbuild/protobuf/wkt";
import { BreakerState, type MetricsSample } from "../../../../gen/superheroes/fight/v1/fight_service_pb.js";
import type { BackendStatus } from "../backend-status.js";
import { h, replace } from "../dom.js";
import { describeError, isCanceled } from "../errors.js";
import type { FightClient } from "../fight-client.js";
import { renderLineChart, type BandRow } from "./svg-chart.js";
import { createBackoff, sleep } from "../timing.js";

/** Options of `startMetricsCharts`. */
export interface MetricsChartsOptions {
  client: FightClient;
  status: BackendStatus;
  signal: AbortSignal;
}

/** The charts show the last three minutes (the stream sends up to five on connect), at least one. */
const maxWindowMs = 3 * 60_000;
const minWindowMs = 60_000;
const upstreamNames = ["heroes", "villains", "locations"] as const;
const colours = { heroes: "#60a5fa", villains: "#f87171", locations: "#2dd4bf", p50: "#a5b4fc", p99: "#facc15" };

/**
 * Live charts of the fights service (WatchMetrics: one sample per second, the last minutes first):
 * fights per second, fight latency p50/p99, each data service's p99 latency with its breaker's
 * state underneath, and the share of fights with a fallback. Reconnects with backoff; a
 * reconnect starts from the history the stream resends.
 */
export function startMetricsCharts(root: HTMLElement, options: MetricsChartsOptions): void {
  const state = h("p", { class: "chart-state", role: "status", "data-state": "connecting" }, "Connecting…");
  const grid = h("div", { class: "charts" });
  root.append(state, grid);
  let samples: MetricsSample[] = [];
  const add = (sample: MetricsSample) => {
    samples.push(sample);
    const newest = sample.time === undefined ? Date.now() : timestampMs(sample.time);
    samples = samples.filter((each) => each.time !== undefined && newest - timestampMs(each.time) <= maxWindowMs);
  };
  const setState = (name: "live" | "connecting" | "down", text: string) => {
    state.dataset["state"] = name;
    state.textContent = text;
  };
  // The history arrives in one burst: draw once per burst, then once per new second.
  let drawPending = false;
  const scheduleDraw = () => {
    if (drawPending) return;
    drawPending = true;
    setTimeout(() => {
      drawPending = false;
      draw(grid, samples);
    }, 0);
  };
  void (async () => {
    const backoff = createBackoff();
    while (!options.signal.aborted) {
      let reason = "the stream ended";
      try {
        setState("connecting", "Connecting…");
        samples = [];
        for await (const { sample } of options.client.watchMetrics({}, { signal: options.signal })) {
          if (sample === undefined) continue;
          backoff.reset();
          options.status.reached();
          add(sample);
          scheduleDraw();
          setState("live", "Live: one sample per second, up to the last 3 minutes");
        }
      } catch (error) {
        if (options.signal.aborted || isCanceled(error)) return;
        options.status.failed(error);
        reason = describeError(error);
      }
      const delayMs = backoff.next();
      setState("down", `Charts interrupted: ${reason}. Reconnecting in ${Math.ceil(delayMs / 1000)} s…`);
      await sleep(delayMs, options.signal);
    }
  })();
}

function draw(grid: HTMLElement, samples: readonly MetricsSample[]): void {
  const times = samples.map((sample) => (sample.time === undefined ? 0 : timestampMs(sample.time)));
  const upstream = (name: string) => samples.map((sample) => sample.upstreams.find((each) => each.name === name));
  // A young page's few samples fill a shorter window instead of a sliver of three minutes.
  const span = times.length < 2 ? 0 : times.at(-1)! - times[0]!;
  const common = { times, windowMs: Math.min(maxWindowMs, Math.max(minWindowMs, span + 1000)) };
  replace(
    grid,
    renderLineChart({
      ...common,
      id: "fights-per-second",
      title: "Fights per second",
      unit: "fights/s",
      minTop: 5,
      series: [{ name: "fights", colour: colours.p50, values: samples.map((sample) => sample.fightsPerSecond) }],
    }),
    renderLineChart({
      ...common,
      id: "fight-latency",
      title: "Fight latency",
      unit: "ms",
      minTop: 20,
      series: [
        { name: "p50", colour: colours.p50, values: samples.map(whenFights((sample) => sample.fightLatencyP50Ms)) },
        { name: "p99", colour: colours.p99, values: samples.map(whenFights((sample) => sample.fightLatencyP99Ms)) },
      ],
    }),
    renderLineChart({
      ...common,
      id: "upstream-latency",
      title: "Data services: p99 latency and breakers",
      unit: "ms",
      minTop: 20,
      series: upstreamNames.map((name) => ({
        name,
        colour: colours[name],
        // A second in which every call was refused by the open breaker has no upstream latency: a gap.
        values: upstream(name).map((each) =>
          each === undefined || each.calls === each.rejections ? undefined : each.latencyP99Ms,
        ),
      })),
      bands: upstreamNames.map((name): BandRow => ({
        name,
        states: upstream(name).map(breakerBand),
        describe: describeBand,
      })),
    }),
    renderLineChart({
      ...common,
      id: "fallback-share",
      title: "Fights with a fallback",
      unit: "%",
      minTop: 100,
      fixedTop: 100,
      series: [
        {
          name: "fallback share",
          colour: colours.villains,
          values: samples.map(whenFights((sample) => sample.fallbackShare * 100)),
        },
      ],
    }),
    h(
      "p",
      { class: "chart-key" },
      h("span", { class: "key band-closed" }, "closed"),
      h("span", { class: "key band-opened" }, "tripped this second"),
      h("span", { class: "key band-open" }, "open"),
      h("span", { class: "key band-half-open" }, "half-open"),
    ),
  );
}

/** A fight number, or a gap for a second without fights (0 ms would read as "fast"). */
function whenFights(value: (sample: MetricsSample) => number): (sample: MetricsSample) => number | undefined {
  return (sample) => (sample.fightsPerSecond > 0 ? value(sample) : undefined);
}

function breakerBand(sample: MetricsSample["upstreams"][number] | undefined): string {
  if (sample === undefined) return "none";
  switch (sample.breakerState) {
    case BreakerState.OPEN:
      return "open";
    case BreakerState.HALF_OPEN:
      return sample.breakerOpened ? "opened" : "half-open";
    case BreakerState.CLOSED:
      return sample.breakerOpened ? "opened" : "closed";
    default:
      return "none";
  }
}

function describeBand(state: string): string {
  switch (state) {
    case "open":
      return "breaker open";
    case "opened":
      return "breaker tripped in the last second";
    case "half-open":
      return "breaker half-open";
    case "closed":
      return "breaker closed";
    default:
      return "no breaker";
  }
}
