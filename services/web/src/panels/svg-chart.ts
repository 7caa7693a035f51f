import { h, svg } from "../dom.js";

/** One line of a chart: a value per sample (undefined: a gap). */
export interface Series {
  name: string;
  /** CSS colour of the line and its legend swatch. */
  colour: string;
  values: readonly (number | undefined)[];
  dashed?: boolean;
}

/** A row of coloured cells under a chart, one per sample (e.g. a breaker's state). */
export interface BandRow {
  name: string;
  /** A state per sample; the CSS class `band-<state>` colours it. */
  states: readonly string[];
  /** What each state means, for the legend and the accessible summary. */
  describe: (state: string) => string;
}

/** What `renderLineChart` draws. */
export interface LineChartOptions {
  /** Names the chart (`data-chart`), for styles and tests. */
  id: string;
  title: string;
  /** Unit of the values, shown on the axis and in the legend: "ms", "fights/s", "%". */
  unit: string;
  /** Sample times, epoch ms, oldest first; every series has one value per time. */
  times: readonly number[];
  series: readonly Series[];
  /** Width of the time axis, ms (the last minutes). */
  windowMs: number;
  /** The y axis goes at least this high (so a quiet chart does not magnify noise). */
  minTop: number;
  /** Fixed top of the y axis (e.g. 100 for a share in %). */
  fixedTop?: number;
  bands?: readonly BandRow[];
}

const width = 520;
const plotHeight = 150;
const bandHeight = 12;
const left = 60;
const right = 8;
const top = 8;
const axisHeight = 18;

/**
 * A small time-series chart, drawn as SVG by our own code (no chart library: four charts of a few
 * hundred points each need lines, a grid and a legend, nothing more). Time runs left to right over
 * the last `windowMs`, ending at the newest sample. The figure carries an accessible summary of
 * the newest values; each line says its newest value in `data-last` and its highest in `data-peak`.
 */
export function renderLineChart(options: LineChartOptions): HTMLElement {
  const bands = options.bands ?? [];
  const height = top + plotHeight + axisHeight + bands.length * (bandHeight + 4);
  const newest = options.times.at(-1) ?? Date.now();
  const x = (time: number) => left + ((width - left - right) * (options.windowMs - (newest - time))) / options.windowMs;
  const peak = Math.max(0, ...options.series.flatMap((series) => series.values.filter(isNumber)));
  const yTop = options.fixedTop ?? niceCeiling(Math.max(options.minTop, peak));
  const y = (value: number) => top + plotHeight - (plotHeight * Math.min(value, yTop)) / yTop;
  const chart = svg(
    "svg",
    {
      viewBox: `0 0 ${width} ${height}`,
      class: "chart-svg",
      role: "img",
      "aria-label": summary(options),
      "data-chart": options.id,
      preserveAspectRatio: "xMidYMid meet",
    },
    ...gridLines(yTop, y, options.unit),
    ...timeLabels(options.windowMs, x, newest, top + plotHeight + 14),
    ...options.series.map((series) => line(series, options.times, x, y)),
    ...bands.flatMap((band, index) =>
      bandRow(band, options.times, x, top + plotHeight + axisHeight + index * (bandHeight + 4), options.windowMs),
    ),
  );
  return h(
    "figure",
    { class: "chart", "data-chart": options.id },
    h("figcaption", { class: "chart-title" }, options.title),
    chart,
    legend(options),
  );
}

function line(
  series: Series,
  times: readonly number[],
  x: (time: number) => number,
  y: (value: number) => number,
): SVGElement {
  const points = times
    .map((time, index) => [time, series.values[index]] as const)
    .filter((point): point is readonly [number, number] => isNumber(point[1]))
    .map(([time, value]) => `${x(time).toFixed(1)},${y(value).toFixed(1)}`);
  return svg("polyline", {
    points: points.join(" "),
    fill: "none",
    stroke: series.colour,
    "stroke-width": 2,
    "stroke-linejoin": "round",
    "stroke-dasharray": series.dashed === true ? "5 4" : undefined,
    "data-series": series.name,
    "data-last": lastValue(series) ?? "",
    "data-peak": Math.max(0, ...series.values.filter(isNumber)),
  });
}

function gridLines(yTop: number, y: (value: number) => number, unit: string): SVGElement[] {
  return [0, yTop / 2, yTop].flatMap((value) => [
    svg("line", { x1: left, x2: width - right, y1: y(value), y2: y(value), class: "chart-grid" }),
    svg(
      "text",
      { x: left - 6, y: y(value) + 4, class: "chart-axis", "text-anchor": "end" },
      `${formatValue(value)}${unit === "%" ? "%" : ""}`,
    ),
  ]);
}

function timeLabels(windowMs: number, x: (time: number) => number, newest: number, baseline: number): SVGElement[] {
  const stepMs = windowMs <= 90_000 ? 15_000 : 60_000;
  const steps = Math.floor(windowMs / stepMs);
  return Array.from({ length: steps + 1 }, (_, index) => {
    const ago = (steps - index) * stepMs;
    const label = ago === 0 ? "now" : stepMs < 60_000 ? `−${ago / 1000} s` : `−${ago / 60_000} min`;
    return svg(
      "text",
      {
        x: x(newest - ago),
        y: baseline,
        class: "chart-axis",
        "text-anchor": x(newest - ago) < left + 12 ? "start" : "middle",
      },
      label,
    );
  });
}

function bandRow(
  band: BandRow,
  times: readonly number[],
  x: (time: number) => number,
  rowTop: number,
  windowMs: number,
): SVGElement[] {
  const cellWidth = Math.max(1, (width - left - right) / (windowMs / 1000));
  return [
    svg("text", { x: left - 6, y: rowTop + bandHeight - 2, class: "chart-axis", "text-anchor": "end" }, band.name),
    ...times.map((time, index) =>
      svg("rect", {
        x: (x(time) - cellWidth).toFixed(1),
        y: rowTop,
        width: cellWidth.toFixed(1),
        height: bandHeight,
        class: `band band-${band.states[index] ?? "none"}`,
        "data-band": band.name,
        "data-state": band.states[index] ?? "none",
      }),
    ),
  ];
}

function legend(options: LineChartOptions): HTMLElement {
  return h(
    "ul",
    { class: "chart-legend" },
    ...options.series.map((series) => {
      const last = series.values.at(-1);
      return h(
        "li",
        { "data-series": series.name },
        h("span", { class: "swatch", style: `background:${series.colour}`, "aria-hidden": "true" }),
        `${series.name} `,
        h("strong", {}, last === undefined ? "–" : `${formatValue(last)} ${options.unit}`),
      );
    }),
  );
}

function summary(options: LineChartOptions): string {
  const values = options.series.map((series) => {
    const last = series.values.at(-1);
    return `${series.name} ${last === undefined ? "no data" : `${formatValue(last)} ${options.unit}`}`;
  });
  const bands = (options.bands ?? []).map((band) => `${band.name} ${band.describe(band.states.at(-1) ?? "none")}`);
  return `${options.title}, now: ${[...values, ...bands].join(", ")}`;
}

function lastValue(series: Series): number | undefined {
  for (let index = series.values.length - 1; index >= 0; index -= 1) {
    const value = series.values[index];
    if (isNumber(value)) return value;
  }
  return undefined;
}

/** 1, 2, 5 × a power of ten at or above `value`. */
export function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return ([1, 2, 5, 10].map((step) => step * power).find((candidate) => candidate >= value) ?? 10 * power) as number;
}

function formatValue(value: number): string {
  if (value >= 100) return value.toFixed(0);
  if (value >= 10) return value.toFixed(1).replace(/\.0$/, "");
  return value.toFixed(2).replace(/\.?0+$/, "");
}

function isNumber(value: number | undefined): value is number {
  return typeof value === "number" && Number.isFinite(value);
}
