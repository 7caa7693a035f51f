import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { RawRun } from "./load-report.js";
import { ghzCallName, type LoadSpec } from "./load-spec.js";

const run = promisify(execFile);

/** One request as ghz reports it in `details` of `--format json`. */
interface GhzDetail {
  latency: number;
  status: string;
  error?: string;
}

/**
 * Runs ghz (when it is on PATH) with server reflection: no proto paths. ghz reports every call's
 * status code itself, so its codes need no server-side reconstruction. Durations in ghz JSON are
 * nanoseconds.
 */
export async function runGhz(spec: LoadSpec): Promise<RawRun> {
  const args = [
    "--insecure",
    "--call",
    ghzCallName(spec.path),
    "-d",
    JSON.stringify(spec.requestJson),
    "--format",
    "json",
  ];
  args.push(
    "-z",
    `${spec.durationMs}ms`,
    "-c",
    String(spec.concurrency),
    "--connections",
    String(spec.connections),
    "-t",
    `${spec.timeoutMs}ms`,
  );
  if (spec.rps !== undefined) args.push("--rps", String(Math.round(spec.rps)));
  args.push(`${spec.host}:${spec.port}`);
  const started = performance.now();
  const { stdout } = await run("ghz", args, { maxBuffer: 512 * 1024 * 1024, timeout: spec.durationMs + 60_000 });
  const elapsedMs = performance.now() - started;
  const report = JSON.parse(stdout) as { total: number; details?: GhzDetail[] };
  const details = report.details ?? [];
  const codes: Record<string, number> = {};
  const errors: Record<string, number> = {};
  for (const detail of details) {
    codes[detail.status] = (codes[detail.status] ?? 0) + 1;
    if (detail.error !== undefined && detail.error !== "") errors[detail.error] = (errors[detail.error] ?? 0) + 1;
  }
  return {
    generator: "ghz",
    elapsedMs: report.total > 0 ? report.total / 1e6 : elapsedMs,
    latenciesMs: details.map((detail) => detail.latency / 1e6),
    started: details.length,
    codes,
    errors,
  };
}
