/**
 * The configuration table of the README, generated from the services' config functions.
 *
 *   npm run config-table              # rewrite the table between the README markers
 *   node --import tsx deploy/config/config-table.ts   # print it
 */
import { readFile, writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { projectRoot } from "../../services/platform/config/project-root.js";
import { serviceVariables } from "./service-variables.js";
import type { ServiceName } from "../../services/service-list.js";
import { variableDocs } from "./variable-docs.js";

/** Markers around the generated table in README.md. */
export const tableMarkers = {
  start: "<!-- config-table:start (npm run config-table) -->",
  end: "<!-- config-table:end -->",
} as const;

/** A variable name without its service prefix: HEROES_GRPC_PORT → GRPC_PORT; LOG_LEVEL stays. */
export function settingKey(service: ServiceName, name: string): string {
  const prefix = `${service.toUpperCase()}_`;
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/** The markdown table: one row per setting, the services that read it, defaults, accepted values and meaning. */
export function renderConfigTable(): string {
  const rows = new Map<string, { service: ServiceName; name: string; fallback: string; accepts: string }[]>();
  for (const [service, reads] of Object.entries(serviceVariables()) as [
    ServiceName,
    ReturnType<typeof serviceVariables>[ServiceName],
  ][]) {
    for (const read of reads) {
      const key = settingKey(service, read.name);
      const fallback =
        read.fallback === undefined ? "unset" : read.fallback === "" ? "empty" : read.fallback.replace(projectRoot, "");
      rows.set(key, [...(rows.get(key) ?? []), { service, name: read.name, fallback, accepts: read.accepts }]);
    }
  }
  const lines = ["| Variable | Services | Default | Accepts | Meaning |", "|---|---|---|---|---|"];
  // Shared names (LOG_LEVEL) first, then settings of every service, of the data services, of fights alone.
  const shared = ([key, reads]: [string, { name: string }[]]) => Number(reads.every((read) => read.name === key));
  const ordered = [...rows].sort((a, b) => shared(b) - shared(a) || b[1].length - a[1].length);
  for (const [key, reads] of ordered) {
    const variable =
      reads.length === 1 || !reads.every((read) => read.name !== key) ? reads[0]!.name : `<SERVICE>_${key}`;
    lines.push(
      `| \`${variable}\` | ${reads.map((read) => read.service).join(", ")} | ${perService(reads, "fallback")} | ${perService(reads, "accepts")} | ${variableDocs[key] ?? "(undocumented)"} |`,
    );
  }
  return lines.join("\n");
}

/** Replaces the table between the markers of `readme`; throws when the markers are missing. */
export function withConfigTable(readme: string, table: string): string {
  const start = readme.indexOf(tableMarkers.start);
  const end = readme.indexOf(tableMarkers.end);
  if (start < 0 || end < start)
    throw new Error(`README.md has no ${tableMarkers.start} ... ${tableMarkers.end} markers`);
  return `${readme.slice(0, start + tableMarkers.start.length)}\n${table}\n${readme.slice(end)}`;
}

/** `a` when every service has the same value, else `fights a; heroes, villains b`. */
function perService(
  reads: { service: ServiceName; fallback: string; accepts: string }[],
  field: "fallback" | "accepts",
): string {
  const values = [...new Set(reads.map((read) => read[field]))];
  const cell = (value: string) =>
    field === "fallback" && value !== "unset" && value !== "empty" ? `\`${value}\`` : value;
  if (values.length === 1) return cell(values[0]!);
  return values
    .map(
      (value) =>
        `${reads
          .filter((read) => read[field] === value)
          .map((read) => read.service)
          .join(", ")}: ${cell(value)}`,
    )
    .join("; ");
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const table = renderConfigTable();
  if (process.argv.includes("--write")) {
    const path = `${projectRoot}README.md`;
    await writeFile(path, withConfigTable(await readFile(path, "utf8"), table));
    process.stdout.write(`wrote the configuration table (${table.split("\n").length - 2} settings) into README.md\n`);
  } else {
    process.stdout.write(`${table}\n`);
  }
}
