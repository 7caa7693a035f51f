/** One labelled group of bars (e.g. one run with its p50, p95 and p99). */
export interface BarGroup {
  label: string;
  values: number[];
}

/** Options of `barChartSvg`. */
export interface BarChartOptions {
  title: string;
  /** Unit shown after each value, e.g. "ms" or "req/s". */
  unit: string;
  /** One name per bar of a group, shown in the legend (e.g. ["p50", "p95", "p99"]). */
  series: string[];
  groups: BarGroup[];
}

const colors = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f"];
const labelWidth = 280;
const plotWidth = 420;
const barHeight = 14;

/**
 * A horizontal grouped bar chart as a standalone SVG document (no fonts, scripts or external
 * references, so GitHub renders it from the repository). Bars share one linear scale from 0.
 */
export function barChartSvg(options: BarChartOptions): string {
  const finite = options.groups.flatMap((group) => group.values).filter((value) => Number.isFinite(value));
  const max = Math.max(...finite, 1e-9);
  const groupHeight = options.series.length * barHeight + 12;
  const top = 48;
  const height = top + options.groups.length * groupHeight + 10;
  const width = labelWidth + plotWidth + 110;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escape(options.title)}</text>`,
  ];
  options.series.forEach((name, index) => {
    const x = 10 + index * 90;
    parts.push(
      `<rect x="${x}" y="30" width="10" height="10" fill="${colors[index % colors.length]}"/>`,
      `<text x="${x + 14}" y="39">${escape(name)}</text>`,
    );
  });
  options.groups.forEach((group, groupIndex) => {
    const y = top + groupIndex * groupHeight;
    parts.push(
      `<text x="${labelWidth - 8}" y="${y + (options.series.length * barHeight) / 2 + 4}" text-anchor="end">${escape(group.label)}</text>`,
    );
    group.values.forEach((value, index) => {
      const barY = y + index * barHeight;
      const barWidth = Number.isFinite(value) ? Math.max(1, (value / max) * plotWidth) : 0;
      parts.push(
        `<rect x="${labelWidth}" y="${barY}" width="${barWidth.toFixed(1)}" height="${barHeight - 2}" fill="${colors[index % colors.length]}"/>`,
      );
      parts.push(
        `<text x="${(labelWidth + barWidth + 4).toFixed(1)}" y="${barY + barHeight - 4}">${escape(formatValue(value))} ${escape(options.unit)}</text>`,
      );
    });
  });
  parts.push(
    `<line x1="${labelWidth}" y1="${top - 4}" x2="${labelWidth}" y2="${height - 6}" stroke="#333333"/>`,
    "</svg>",
  );
  return `${parts.join("\n")}\n`;
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  if (value >= 100) return String(Math.round(value));
  return value.toFixed(value >= 10 ? 1 : 2);
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
