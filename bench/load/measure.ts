import { type GeneratorName, type GhzSummary, summarize } from "./load-report.js";
import type { LoadSpec } from "./load-spec.js";
import { runGenerator } from "./generator.js";
import { createRawClient } from "./raw-client.js";
import { countDelta, countTotal, handledByCode, type MethodLabels, readExposition } from "../system/service-metrics.js";

/** Where the server under load counts its calls, to verify status codes. */
export interface ServerCounter {
  adminPort: number;
  labels: MethodLabels;
}

/**
 * Runs one load and returns its ghz-shaped summary with honest status codes. Alongside the load,
 * a grpc-js client makes real calls (paced at most 20/s, a tenth of a fixed rate) and records
 * their codes; the server's `grpc_server_handled_total` is read before and after. When the
 * generator cannot see gRPC status (h2load), `statusCodeDistribution` is the server's delta minus
 * the sample's calls, and every non-OK code appears in `errorDistribution`.
 */
export async function measureLoad(
  generator: GeneratorName,
  spec: LoadSpec,
  server: ServerCounter,
): Promise<GhzSummary> {
  const before = handledByCode(await readExposition(server.adminPort), server.labels);
  const sampler = startSampler(spec);
  const raw = await runGenerator(generator, spec);
  const sample = await sampler.stop();
  const serverHandled = countDelta(before, handledByCode(await readExposition(server.adminPort), server.labels));
  const fromServer = countDelta(sample.codes, serverHandled);
  // Calls still in flight when the generator stops are reset by it and counted CANCELLED by the
  // server: the generator's doing, not the service's, so they are set apart, not hidden.
  const cancelledAtEnd = Math.min(fromServer.CANCELLED ?? 0, Math.max(0, raw.started - raw.latenciesMs.length));
  if (cancelledAtEnd > 0) fromServer.CANCELLED = (fromServer.CANCELLED ?? 0) - cancelledAtEnd;
  if (fromServer.CANCELLED === 0) delete fromServer.CANCELLED;
  const codes = raw.codes ?? fromServer;
  const errors = { ...raw.errors };
  if (raw.codes === undefined) {
    for (const [code, count] of Object.entries(fromServer))
      if (code !== "OK") errors[`${code} (counted by the server)`] = count;
  }
  const latencies = [...sample.latencies];
  const p50Ms = latencies.sort((a, b) => a - b)[Math.floor(latencies.length / 2)] ?? Number.NaN;
  return {
    ...summarize(spec.name, raw, codes, errors),
    verification: {
      source: raw.codes === undefined ? "server grpc_server_handled_total delta" : "load generator",
      generatorStarted: raw.started,
      generatorCompleted: raw.latenciesMs.length,
      serverHandled,
      cancelledAtEnd,
      sample: { calls: countTotal(sample.codes), codes: sample.codes, p50Ms },
    },
  };
}

/** Paced real calls with codes and latencies, until stopped. */
function startSampler(spec: LoadSpec) {
  const client = createRawClient(`${spec.host}:${spec.port}`, spec.path);
  const request = Buffer.from(spec.request);
  const pauseMs = Math.max(50, spec.rps === undefined ? 0 : 10_000 / spec.rps);
  const codes: Record<string, number> = {};
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const result = await client.call(request, spec.timeoutMs);
      codes[result.code] = (codes[result.code] ?? 0) + 1;
      latencies.push(result.ms);
      if (running) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      client.close();
      return { codes, latencies };
    },
  };
}
