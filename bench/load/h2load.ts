import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { RawRun } from "./load-report.js";
import { grpcFrame, type LoadSpec } from "./load-spec.js";

const run = promisify(execFile);

/**
 * Runs h2load (nghttp2-client) as a gRPC unary load generator: POSTs one fixed request body (a
 * gRPC frame of the serialized request) with `content-type: application/grpc` and `te: trailers`.
 * One worker thread, so the services keep the other core. h2load sees only HTTP status: a gRPC
 * error is a 200 with `grpc-status` in the trailers, so the caller must establish codes itself
 * (measure.ts). Latencies come from `--log-file` (one line per completed request).
 */
export async function runH2load(spec: LoadSpec): Promise<RawRun> {
  const dir = await mkdtemp(join(tmpdir(), "bench-h2load-"));
  try {
    const body = join(dir, "request.bin");
    const log = join(dir, "requests.log");
    await writeFile(body, grpcFrame(spec.request));
    const streams = Math.max(1, Math.ceil(spec.concurrency / spec.connections));
    const args = ["-t", "1", "-c", String(spec.connections), "-m", String(streams), "-D", `${spec.durationMs}ms`];
    args.push("-d", body, "-H", "content-type: application/grpc", "-H", "te: trailers", "--log-file", log);
    if (spec.rps !== undefined) args.push("--rps", (spec.rps / spec.connections).toFixed(3));
    args.push(`http://${spec.host}:${spec.port}${spec.path}`);
    const { stdout } = await run("h2load", args, { maxBuffer: 16 * 1024 * 1024, timeout: spec.durationMs + 60_000 });
    const latenciesMs = (await readFile(log, "utf8"))
      .split("\n")
      .filter((line) => line.length > 0)
      .map((line) => Number(line.split("\t")[2]) / 1000);
    return { generator: "h2load", latenciesMs, ...parseSummary(stdout, spec.durationMs) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The figures of h2load's text summary that the log file does not give. */
function parseSummary(stdout: string, durationMs: number): Pick<RawRun, "elapsedMs" | "started" | "errors"> {
  const number = (pattern: RegExp) => Number(pattern.exec(stdout)?.[1] ?? Number.NaN);
  const finished = /finished in ([\d.]+)(ms|s)/.exec(stdout);
  const elapsedMs = finished === null ? durationMs : Number(finished[1]) * (finished[2] === "s" ? 1000 : 1);
  const errors: Record<string, number> = {};
  const add = (label: string, value: number) => {
    if (value > 0) errors[label] = value;
  };
  add("h2load: HTTP 4xx", number(/(\d+) 4xx/));
  add("h2load: HTTP 5xx", number(/(\d+) 5xx/));
  add("h2load: errored (stream or connection error)", number(/(\d+) errored/));
  add("h2load: timeout", number(/(\d+) timeout/));
  return { elapsedMs, started: number(/(\d+) started/), errors };
}
