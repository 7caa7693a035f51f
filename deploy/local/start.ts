/**
 * `npm start`: the four services on this machine, from zero to fights in one command.
 * Reads the same environment variables as the services (README: Configuration), checks them
 * and the ports before anything starts, compiles the services into dist/ and builds the page
 * when they are stale, starts the four at once (fights pointed at the others), restarts any
 * that stops on its own, and stops them all on Ctrl-C.
 *
 *   npm start                    # compact log lines, prefixed with the service name
 *   npm start -- --json          # the services' JSON log lines as they are
 *   npm start -- --only heroes,fights
 *   npm start -- --ready-timeout-ms 120000
 */
import { parseArgs } from "node:util";
import { ConfigError } from "../../services/platform/config/env-reader.js";
import { launch } from "./launch.js";
import { buildPageIfNeeded } from "./page.js";
import { describeBusyPort, findBusyPorts } from "./port-check.js";
import { buildServices, compiledEntryPoint, findStaleSource } from "./compiled-services.js";
import { localEnvironment, planServices, type ServicePlan } from "./service-plan.js";
import { serviceNames } from "../../services/service-list.js";

const startedAt = performance.now();
const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    "ready-timeout-ms": { type: "string", default: "60000" },
    only: { type: "string", default: serviceNames.join(",") },
  },
});
const readyTimeoutMs = Number(values["ready-timeout-ms"]);
const say = (text: string) => process.stdout.write(`${"start".padEnd(9)} | ${text}\n`);
const fail = (text: string, code: number): never => {
  process.stderr.write(`npm start: ${text}\n`);
  process.exit(code);
};
if (!Number.isInteger(readyTimeoutMs) || readyTimeoutMs <= 0)
  fail(`--ready-timeout-ms: "${values["ready-timeout-ms"]}" is not a positive integer`, 2);

const only = values.only.split(",").map((name) => name.trim());
const unknown = only.filter((name) => !(serviceNames as readonly string[]).includes(name));
if (unknown.length > 0 || only.length === 0)
  fail(`--only: "${values.only}" is not a comma-separated list of ${serviceNames.join(", ")}`, 2);

const env = localEnvironment(process.env);
let plans: ServicePlan[] = [];
try {
  plans = planServices(env)
    .filter((plan) => only.includes(plan.name))
    .map((plan) => ({ ...plan, entryPoint: compiledEntryPoint(plan.name) }));
} catch (error: unknown) {
  if (!(error instanceof ConfigError)) throw error;
  fail(`configuration error: ${error.message}`, 2);
}
const busy = await findBusyPorts(plans.flatMap((plan) => plan.ports));
if (busy.length > 0) fail(busy.map(describeBusyPort).join("\nnpm start: "), 1);

const stale = await findStaleSource();
if (stale !== undefined) {
  say(`compiling the services into dist/ (${stale}); later starts skip this`);
  const builtInMs = await buildServices((elapsedMs) =>
    say(`  still compiling (${(elapsedMs / 1000).toFixed(0)} s)`),
  ).catch((error: unknown) => fail(error instanceof Error ? error.message : String(error), 1));
  say(`compiled in ${(builtInMs / 1000).toFixed(1)} s`);
}
if (process.env.FIGHTS_WEB_STATIC_DIR === undefined && only.includes("fights")) {
  const builtInMs = await buildPageIfNeeded();
  if (builtInMs !== undefined) say(`built the page in ${builtInMs.toFixed(0)} ms`);
}

say(`launcher pid ${process.pid}: starting ${plans.map((plan) => plan.name).join(", ")}`);
const stop = new AbortController();
const running = launch({
  plans,
  env,
  format: values.json ? "json" : "compact",
  colors: process.stdout.isTTY && process.env.NO_COLOR === undefined,
  readyTimeoutMs,
  stopSignal: stop.signal,
  say,
  write: (text) => process.stdout.write(text),
  startedAt,
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (!stop.signal.aborted) return stop.abort(signal);
    say(`${signal} again: killing every service now`);
    running.killAll();
  });
}
// exit explicitly: the esbuild service child of buildPage() would keep the event loop alive.
const code = await running.done;
say(`every service stopped, exit code ${code}`);
process.exit(code);
