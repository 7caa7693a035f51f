import { noPretenuring } from "../../services/container/node-flags.js";
import { renderBanner, type StartedService } from "./banner.js";
import { describeExit } from "../../testkit/processes/node-process.js";
import { type ChildService, type ListeningPorts, spawnChildService } from "./child-service.js";
import { type SupervisedService, superviseService } from "./supervisor.js";
import type { LogFormat } from "./log-lines.js";
import { type PortSetting, projectRoot, type ServicePlan, upstreamTargetVariable } from "./service-plan.js";
import { localTarget, waitServing } from "../../testkit/processes/readiness.js";

/** Options of `launch`. */
export interface LaunchOptions {
  plans: readonly ServicePlan[];
  env: NodeJS.ProcessEnv;
  format: LogFormat;
  colors: boolean;
  /** Longest wait for one service to be SERVING, ms. */
  readyTimeoutMs: number;
  /** Aborted on the first SIGINT/SIGTERM: stop everything. */
  stopSignal: AbortSignal;
  /** Launcher messages (the children's lines are written with `write` too). */
  say: (text: string) => void;
  write: (text: string) => void;
  startedAt: number;
  /** Resolves with why, when something the services need fails (the shared PGlite): stop everything. */
  failure?: Promise<string>;
  /** Called once every service is SERVING for the first time, just before the banner. */
  onServing?: () => void;
}

/** The running launcher: what a second Ctrl-C kills at once. */
export interface Launch {
  /** SIGKILLs every service process running now. */
  killAll(): void;
  /** Resolves with the exit code once everything has stopped. */
  done: Promise<number>;
}

const colors: Record<string, number> = { heroes: 36, villains: 35, locations: 33, fights: 32 };
/**
 * A 1 MB young generation instead of V8's default 16 MB: the services of a laptop demo do not need
 * the throughput, and it is ~10 MB of RSS per service (heroes on PostgreSQL, measured: 92 → 78–82 MB).
 * No allocation-site pretenuring, as in the container (why, measured: services/container/node-flags.ts).
 */
const serviceNodeFlags = ["--max-semi-space-size=1", noPretenuring];
/** Extra time a child gets to exit after its own shutdown grace period before SIGKILL, ms. */
const killMarginMs = 5_000;

/**
 * Starts every planned service at once (fights needs no upstream to start: its channels connect
 * lazily and its breakers and fallbacks cover the first calls), waits until all are SERVING,
 * prints the URLs, then keeps them running: a service that stops on its own is restarted with
 * backoff while the others go on. Ends on `stopSignal`, when a first start fails, or when a
 * restart hits a configuration error, and stops every child (fights first).
 * Exit code: 0 after a clean stop, 1 when a service failed.
 */
export function launch(launchOptions: LaunchOptions): Launch {
  const supervised: SupervisedService[] = [];
  // Aborted by stopAll too: a service that becomes SERVING while the others are being stopped must not be restarted.
  const halt = new AbortController();
  const options = { ...launchOptions, stopSignal: AbortSignal.any([launchOptions.stopSignal, halt.signal]) };
  const stopAll = (why: string, code: number) => {
    halt.abort(why);
    return stopEvery(supervised, options, why, code);
  };
  const run = async (): Promise<number> => {
    const data = options.plans.filter((plan) => plan.name !== "fights");
    const fightsPlan = options.plans.find((plan) => plan.name === "fights");
    try {
      const dataStarts = data.map((plan) => supervise(plan, {}, options, supervised));
      // With port 0 a data service's port is known only once it listens; fights waits for it then.
      const targets = await fightsTargets(data, dataStarts, options.env);
      const fightsStart = fightsPlan === undefined ? [] : [supervise(fightsPlan, targets, options, supervised)];
      const started = await Promise.all([...dataStarts, ...fightsStart].map((service) => service.firstReady));
      const startedInMs = performance.now() - options.startedAt;
      options.onServing?.();
      process.stdout.write(renderBanner(started, startedInMs));
    } catch (error: unknown) {
      if (launchOptions.stopSignal.aborted) return stopAll("stopping before every service was up", 0);
      return stopAll(`${error instanceof Error ? error.message : String(error)}`, 1);
    }
    const gaveUp = await Promise.race([
      new Promise<undefined>((resolve) =>
        options.stopSignal.addEventListener("abort", () => resolve(undefined), { once: true }),
      ),
      ...supervised.map((service) => service.gaveUp),
      ...(options.failure === undefined ? [] : [options.failure]),
    ]);
    if (gaveUp === undefined) return stopAll(`${String(launchOptions.stopSignal.reason)}: stopping every service`, 0);
    return stopAll(`${gaveUp}: stopping every service`, 1);
  };
  return {
    killAll: () => supervised.forEach((service) => service.current()?.kill()),
    done: run(),
  };
}

/** FIGHTS_<UPSTREAM>_TARGET for each data service started here, unless the environment sets it. */
async function fightsTargets(
  data: readonly ServicePlan[],
  starts: readonly SupervisedService[],
  env: NodeJS.ProcessEnv,
): Promise<Record<string, string>> {
  const targets: Record<string, string> = {};
  await Promise.all(
    data.map(async (plan, index) => {
      if (plan.name === "fights") return;
      const variable = upstreamTargetVariable(plan.name);
      if (env[variable] !== undefined && env[variable] !== "") return;
      const grpcPort = knownPorts(plan)?.grpcPort ?? (await starts[index]!.firstReady).ports.grpcPort;
      targets[variable] = `127.0.0.1:${grpcPort}`;
    }),
  );
  return targets;
}

function supervise(
  plan: ServicePlan,
  extraEnv: Record<string, string>,
  options: LaunchOptions,
  supervised: SupervisedService[],
): SupervisedService {
  const service = superviseService({
    name: plan.name,
    spawn: () => spawnService(plan, extraEnv, options),
    waitReady: (child) => waitReady(plan, child, options),
    stopSignal: options.stopSignal,
    say: options.say,
  });
  supervised.push(service);
  return service;
}

function spawnService(plan: ServicePlan, extraEnv: Record<string, string>, options: LaunchOptions): ChildService {
  return spawnChildService({
    name: plan.name,
    entryPoint: plan.entryPoint,
    cwd: projectRoot,
    env: { ...options.env, ...plan.env, ...extraEnv },
    format: options.format,
    prefixWidth: 9,
    color: options.colors ? colors[plan.name] : undefined,
    write: options.write,
    nodeFlags: serviceNodeFlags,
  });
}

async function waitReady(plan: ServicePlan, child: ChildService, options: LaunchOptions): Promise<StartedService> {
  options.say(`started ${plan.name} (pid ${child.pid}, ${plan.database})`);
  const exitedSignal = new AbortController();
  void child.exited.then((exit) => exitedSignal.abort(new Error(`exited (${describeExit(exit)})`)));
  const signal = AbortSignal.any([options.stopSignal, exitedSignal.signal]);
  try {
    // Fixed ports are known; only port 0 needs the service's `listening` log line (level info).
    const known = knownPorts(plan);
    const ports =
      known ??
      (await Promise.race([
        child.listening,
        new Promise<never>((_, reject) =>
          signal.addEventListener("abort", () => reject(signal.reason), { once: true }),
        ),
      ]));
    const target = plan.config.tls === undefined ? localTarget(plan.config.grpcHost, ports.grpcPort) : undefined;
    const adminUrl = `http://${localTarget(plan.config.adminHost, ports.adminPort)}`;
    await waitServing({ target, adminUrl, timeoutMs: options.readyTimeoutMs, signal });
    return {
      name: plan.name,
      pid: child.pid,
      ports,
      database: plan.database,
      adminToken: plan.config.adminToken !== undefined,
    };
  } catch (error: unknown) {
    if (exitedSignal.signal.aborted) await child.exited;
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`${plan.name} could not start: ${why}: ${child.failureReason()}`, { cause: error });
  }
}

function knownPorts(plan: ServicePlan): ListeningPorts | undefined {
  if (plan.ports.some((setting) => setting.port === 0)) return undefined;
  const port = (role: PortSetting["role"]) => plan.ports.find((setting) => setting.role === role)?.port;
  const grpcPort = port("gRPC");
  const adminPort = port("admin");
  return grpcPort === undefined || adminPort === undefined ? undefined : { grpcPort, adminPort, webPort: port("web") };
}

async function stopEvery(
  supervised: readonly SupervisedService[],
  options: LaunchOptions,
  why: string,
  code: number,
): Promise<number> {
  const children = supervised.flatMap((service) => service.current() ?? []);
  (code === 0 ? options.say : (text: string) => process.stderr.write(`npm start: ${text}\n`))(why);
  const graceOf = (name: string) =>
    (options.plans.find((plan) => plan.name === name)?.config.shutdownGraceMs ?? 10_000) + killMarginMs;
  const fights = children.filter((child) => child.name === "fights");
  const data = children.filter((child) => child.name !== "fights");
  await Promise.all(fights.map((child) => child.stop(graceOf(child.name))));
  const exits = await Promise.all(
    [...fights, ...data].map(async (child) => ({ child, exit: await child.stop(graceOf(child.name)) })),
  );
  const unclean = exits.filter(({ exit }) => exit.code !== 0 && exit.signal !== "SIGTERM" && exit.signal !== "SIGINT");
  for (const { child, exit } of exits) options.say(`${child.name} (pid ${child.pid}) stopped: ${describeExit(exit)}`);
  return code !== 0 || unclean.length === 0 ? code : 1;
}
