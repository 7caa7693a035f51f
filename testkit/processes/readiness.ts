import { setTimeout as sleep } from "node:timers/promises";
import { checkHealth, type ServingStatus } from "../../services/platform/calls/health-check.js";

/** Options of `waitServing`. */
export interface WaitServingOptions {
  /** Plaintext gRPC target of the service, e.g. 127.0.0.1:50051 (grpc.health.v1 Check). */
  target?: string;
  /** Admin base URL, e.g. http://127.0.0.1:9401: polled at /readyz when there is no plaintext target (gRPC over TLS). */
  adminUrl: string;
  /** Give up after this long, ms. */
  timeoutMs: number;
  /** Stops waiting (e.g. the child exited, or Ctrl-C). */
  signal: AbortSignal;
  /** Between checks, ms; default 100. */
  intervalMs?: number;
  /** `serving` (default): wait for SERVING; `answering`: for any answer of /readyz (200 or 503). */
  until?: "serving" | "answering";
}

/**
 * The one readiness wait of the project (tests, bench, `npm start`). Polls grpc.health.v1 Check of the whole server (or /readyz, which follows the same readiness,
 * when gRPC is on TLS) until it answers SERVING. Rejects with the
 * last status or error after `timeoutMs`, or with the abort reason.
 */
export async function waitServing(options: WaitServingOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let last: ServingStatus | string = "no answer yet";
  while (Date.now() < deadline) {
    options.signal.throwIfAborted();
    const timeoutMs = Math.min(1000, Math.max(1, deadline - Date.now()));
    try {
      if (options.until === "answering") {
        last = await readyz(options.adminUrl, timeoutMs);
        return;
      }
      last =
        options.target === undefined
          ? await readyz(options.adminUrl, timeoutMs)
          : await checkHealth(options.target, { timeoutMs });
      if (last === "SERVING") return;
    } catch (error: unknown) {
      last = error instanceof Error ? error.message : String(error);
    }
    await sleep(options.intervalMs ?? 100, undefined, { signal: options.signal }).catch(() => undefined);
  }
  options.signal.throwIfAborted();
  const asked =
    options.target === undefined ? `${options.adminUrl}/readyz` : `grpc.health.v1 Check of ${options.target}`;
  throw new Error(`not SERVING after ${options.timeoutMs} ms (${asked}: ${last})`);
}

async function readyz(adminUrl: string, timeoutMs: number): Promise<ServingStatus> {
  const response = await fetch(`${adminUrl}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
  await response.body?.cancel();
  return response.ok ? "SERVING" : "NOT_SERVING";
}

/** A target the launcher can dial for a service bound to `host` (wildcards become loopback). */
export function localTarget(host: string, port: number): string {
  if (host === "0.0.0.0" || host === "::" || host === "localhost") return `127.0.0.1:${port}`;
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
