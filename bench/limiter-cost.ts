/**
 * `node --import tsx bench/limiter-cost.ts`: what the concurrency limiter costs an accepted unary
 * call (tryAcquire, responded, release with a latency sample), adaptive and fixed, in this
 * process's event loop with no I/O: the per-call overhead the server pays for load shedding. The
 * same loop with a do-nothing permit is measured too and subtracted. Alternating rounds; the figure
 * to read is ns per call beside a grpc-js call's tens of µs.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { compileWhenStale, distDir } from "../deploy/local/compiled-build.mjs";
import { median } from "./scenario.js";

// The compiled module, as the services run it: under tsx every closure the limiter creates per
// call is wrapped in esbuild's `__name` (a defineProperty each), which costs more than the
// limiter itself (seen in a CPU profile of this loop).
await compileWhenStale((line) => console.error(line));
const limiterModule = join(distDir, "services", "platform", "server", "concurrency-limiter.js");
const { createConcurrencyLimiter, isRefusal } = (await import(
  pathToFileURL(limiterModule).href
)) as typeof import("../services/platform/load-shedding/concurrency-limiter.js");

const callsPerRound = 1_000_000;
const rounds = 5;
/** Calls kept in flight, as a loaded server has (each acquire waits for the release 32 calls back). */
const inFlight = 32;
/**
 * The time each caller still waits: calls carry a deadline (fights' upstream calls all do, and so do
 * most callers'), so the deadline rule's check is in the figure.
 */
const callerWaitsMs = 1_000;

type Mode = "adaptive" | "fixed" | "none";
interface Held {
  responded(): void;
  release(sample: boolean): void;
}
const nothingHeld: Held = { responded: () => undefined, release: () => undefined };

function nsPerCall(mode: Mode): number {
  const limiter =
    mode === "none"
      ? undefined
      : createConcurrencyLimiter({ ceiling: 2000, settings: { mode, minLimit: 10, initialLimit: 100 } });
  const held: Held[] = new Array<Held>(inFlight).fill(nothingHeld);
  const started = process.hrtime.bigint();
  for (let call = 0; call < callsPerRound; call++) {
    // The call `inFlight` calls back ends as this one starts (a ring of calls in flight).
    const done = held[call % inFlight]!;
    done.responded();
    done.release(true);
    let permit: Held = nothingHeld;
    if (limiter !== undefined) {
      const acquired = limiter.tryAcquire("unary", callerWaitsMs);
      if (isRefusal(acquired)) throw new Error(`refused: ${acquired.message}`);
      permit = acquired;
    }
    held[call % inFlight] = permit;
  }
  return Number(process.hrtime.bigint() - started) / callsPerRound;
}

const results: Record<Mode, number[]> = { adaptive: [], fixed: [], none: [] };
for (let round = 0; round < rounds; round++) {
  for (const mode of ["adaptive", "fixed", "none"] as const) results[mode].push(nsPerCall(mode));
}
const loop = median(results.none);
for (const mode of ["adaptive", "fixed"] as const) {
  const perCall = median(results[mode]) - loop;
  console.log(
    `${mode}: ${perCall.toFixed(0)} ns per accepted call (median of ${rounds} rounds of ${callsPerRound}, loop ${loop.toFixed(0)} ns subtracted)`,
  );
}
