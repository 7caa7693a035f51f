/**
 * `npm start`: the four services on this machine, from zero to fights in one command.
 * Run compiled (dist/deploy/local/start.js) by deploy/local/npm-start.mjs, which builds dist/ and
 * the page when they are stale. Reads the same environment variables as the services (README:
 * Configuration), checks them and the ports before anything starts, opens the shared PGlite
 * (deploy/local/shared-pglite/pglite-server.ts), starts the four at once (fights pointed at the others), restarts
 * any that stops on its own, and stops them all on Ctrl-C.
 *
 *   npm start                    # compact log lines, prefixed with the service name
 *   npm start -- --json          # the services' JSON log lines as they are
 *   npm start -- --only heroes,fights
 *   npm start -- --ready-timeout-ms 120000
 *   npm start -- --data-dir ./data          # the shared PGlite on disk instead of in memory
 *   npm start -- --pglite-per-service       # one embedded PGlite per service (the old way, for comparison)
 */
import { parseArgs } from "node:util";
import { ConfigError } from "../../services/platform/config/env-reader.js";
import { launch } from "./launch.js";
import { describeBusyPort, findBusyPorts } from "./port-check.js";
import { localEnvironment, planServices, type ServicePlan } from "./service-plan.js";
import { serviceNames } from "../../services/service-list.js";
import type { PgliteServer } from "./shared-pglite/pglite-server.js";
import { startSharedDatabase } from "./shared-pglite/shared-database.js";

// From the process's start: the banner's time includes compiling dist/ when npm-start.mjs did.
const startedAt = 0;
const { values } = parseArgs({
  options: {
    json: { type: "boolean", default: false },
    "ready-timeout-ms": { type: "string", default: "60000" },
    only: { type: "string", default: serviceNames.join(",") },
    "data-dir": { type: "string" },
    "pglite-per-service": { type: "boolean", default: false },
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
  plans = planServices(env).filter((plan) => only.includes(plan.name));
} catch (error: unknown) {
  if (!(error instanceof ConfigError)) throw error;
  fail(`configuration error: ${error.message}`, 2);
}
const busy = await findBusyPorts(plans.flatMap((plan) => plan.ports));
if (busy.length > 0) fail(busy.map(describeBusyPort).join("\nnpm start: "), 1);

say(`launcher pid ${process.pid}: starting ${plans.map((plan) => plan.name).join(", ")}`);
const shared = values["pglite-per-service"]
  ? { server: undefined, plans }
  : await startSharedDatabase(plans, env, values["data-dir"]);
plans = shared.plans;
const failure =
  shared.server === undefined ? undefined : (await sharedDatabaseReady(shared.server, values["data-dir"])).failed;
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
  failure,
  // The services' first start (migrations, seeding) leaves ~55 MB of garbage in this process that
  // V8 leaves alone while the process idles (measured: launcher ~291 → ~240 MiB after this collection).
  // `gc` is there because package.json runs the launcher with --expose-gc.
  onServing: () => (globalThis as { gc?: () => void }).gc?.(),
});
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (!stop.signal.aborted) return stop.abort(signal);
    say(`${signal} again: killing every service now`);
    running.killAll();
  });
}
/**
 * Waits until the shared PGlite is open and says where it is. The services start only then:
 * opening PGlite blocks this process's event loop for a second or more (WebAssembly compilation,
 * loading the cluster), long enough for a service's connection to time out (pg's 2 s) if it
 * connected meanwhile. Resolves with the promise of why it fails later, if it does.
 */
async function sharedDatabaseReady(
  server: PgliteServer,
  dataDir: string | undefined,
): Promise<{ failed: Promise<string> }> {
  const openMs = await server.ready.catch((error: unknown) =>
    fail(`the shared PGlite could not open: ${error instanceof Error ? error.message : String(error)}`, 1),
  );
  say(
    `shared PGlite ready on 127.0.0.1:${server.port}, ${dataDir ?? "in memory"} (opened in ${(openMs / 1000).toFixed(1)} s)`,
  );
  return { failed: server.failed.then((error) => `the shared PGlite failed (${error.message})`) };
}

// exit explicitly: the shared PGlite server would keep the event loop alive.
const code = await running.done;
say(`every service stopped, exit code ${code}`);
process.exit(code);
