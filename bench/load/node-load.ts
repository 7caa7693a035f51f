import type { RawRun } from "./load-report.js";
import type { LoadSpec } from "./load-spec.js";
import { createRawClient } from "./raw-client.js";

/**
 * The pure Node load generator, the last fallback when neither ghz nor h2load is installed:
 * grpc-js raw-bytes calls over `connections` channels, either `concurrency` closed loops or a
 * fixed rate (open loop, at most `concurrency` in flight; calls over that cap are counted as
 * RESOURCE_EXHAUSTED by the generator itself, under errorDistribution). It shares the machine
 * and the event loop with the runner, so it saturates well below h2load.
 */
export async function runNodeLoad(spec: LoadSpec): Promise<RawRun> {
  const clients = Array.from({ length: spec.connections }, () =>
    createRawClient(`${spec.host}:${spec.port}`, spec.path),
  );
  const request = Buffer.from(spec.request);
  const latenciesMs: number[] = [];
  const codes: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let started = 0;
  let inFlight = 0;
  const call = async () => {
    const client = clients[started++ % clients.length]!;
    inFlight++;
    const result = await client.call(request, spec.timeoutMs);
    inFlight--;
    latenciesMs.push(result.ms);
    codes[result.code] = (codes[result.code] ?? 0) + 1;
  };
  const begin = performance.now();
  const end = begin + spec.durationMs;
  const pending: Promise<void>[] = [];
  if (spec.rps === undefined) {
    const loop = async () => {
      while (performance.now() < end) await call();
    };
    pending.push(...Array.from({ length: spec.concurrency }, loop));
  } else {
    const intervalMs = 1000 / spec.rps;
    for (let due = begin; due < end; due += intervalMs) {
      const wait = due - performance.now();
      if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
      if (inFlight >= spec.concurrency)
        errors["generator: over the in-flight cap, not sent"] =
          (errors["generator: over the in-flight cap, not sent"] ?? 0) + 1;
      else pending.push(call());
    }
  }
  await Promise.all(pending);
  const elapsedMs = performance.now() - begin;
  for (const client of clients) client.close();
  return { generator: "node", elapsedMs, latenciesMs, started, codes, errors };
}
