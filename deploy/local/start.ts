/**
 * `npm start`: the four services on this machine, from zero to fights in one command.
 * Reads the same environment variables as the services (README: Configuration), checks them
 * and the ports before anything starts, builds the page if needed, starts heroes, villains and
 * locations, then fights pointed at them, and stops them all on Ctrl-C.
 *
 *   npm start                    # compact log lines, prefixed with the service name
 *   npm start -- --json          # the services' JSON log lines as they are
 *   npm start -- --ready-timeout-ms 120000
 */
import { parseArgs } from "node:util";
import { ConfigError } from "../../services/platform/config/env-reader.js";
import { launch } from "./launch.js";
import { buildPageIfNeeded } from "./page.js";
import { describeBusyPort, findBusyPorts } from "./port-check.js";
import { planServices, type ServicePlan } from "./service-plan.js";

const startedAt = performance.now();
const { values } = parseArgs({
  options: { json: { type: "boolean", default: false }, "ready-timeout-ms": { type: "string", default: "60000" } },
});
const readyTimeoutMs = Number(values["ready-timeout-ms"]);
const say = (text: string) => process.stdout.write(`${"start".padEnd(9)} | ${text}\n`);
const fail = (text: string, code: number): never => {
  process.stderr.write(`npm start: ${text}\n`);
  process.exit(code);
};
if (!Number.isInteger(readyTimeoutMs) || readyTimeoutMs <= 0)
  fail(`--ready-timeout-ms: "${values["ready-timeout-ms"]}" is not a positive integer`, 2);

let plans: ServicePlan[] = [];
try {
  plans = planServices(process.env);
} catch (error: unknown) {
  if (!(error instanceof ConfigError)) throw error;
  fail(`configuration error: ${error.message}`, 2);
}
const busy = await findBusyPorts(plans.flatMap((plan) => plan.ports));
if (busy.length > 0) fail(busy.map(describeBusyPort).join("\nnpm start: "), 1);

if (process.env.FIGHTS_WEB_STATIC_DIR === undefined) {
  const builtInMs = await buildPageIfNeeded();
  if (builtInMs !== undefined) say(`built the page in ${builtInMs.toFixed(0)} ms`);
}

say(`launcher pid ${process.pid}: starting heroes, villains and locations, then fights`);
const stop = new AbortController();
const running = launch({
  plans,
  env: process.env,
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
    for (const child of running.children) child.kill();
  });
}
// exit explicitly: the esbuild service child of buildPage() would keep the event loop alive.
const code = await running.done;
say(`every service stopped, exit code ${code}`);
process.exit(code);
