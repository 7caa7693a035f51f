import { renderBanner, type StartedService } from "./banner.js";
import { describeExit } from "../../testkit/processes/node-process.js";
import { type ChildService, type ListeningPorts, spawnChildService } from "./child-service.js";
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
}

/** The running launcher: its children, for a forced kill on a second Ctrl-C. */
export interface Launch {
  children: ChildService[];
  /** Resolves with the exit code once everything has stopped. */
  done: Promise<number>;
}

const colors: Record<string, number> = { heroes: 36, villains: 35, locations: 33, fights: 32 };
/** Extra time a child gets to exit after its own shutdown grace period before SIGKILL, ms. */
const killMarginMs = 5_000;

/**
 * Starts the data services, waits until they are SERVING, starts fights pointed at them, waits
 * again, prints the URLs, then runs until `stopSignal` or until a child dies, and stops every
 * child (fights first). Exit code: 0 after a clean stop, 1 when a service failed.
 */
export function launch(options: LaunchOptions): Launch {
  const children: ChildService[] = [];
  const start = (plan: ServicePlan, extraEnv: Record<string, string>) =>
    startService(plan, extraEnv, options, children);
  const run = async (): Promise<number> => {
    const data = options.plans.filter((plan) => plan.name !== "fights");
    const fightsPlan = options.plans.find((plan) => plan.name === "fights");
    try {
      const started = await Promise.all(data.map((plan) => start(plan, {})));
      const targets: Record<string, string> = {};
      for (const service of started) {
        if (service.name === "fights") continue;
        const variable = upstreamTargetVariable(service.name);
        if (options.env[variable] === undefined || options.env[variable] === "")
          targets[variable] = `127.0.0.1:${service.ports.grpcPort}`;
      }
      if (fightsPlan !== undefined) started.push(await start(fightsPlan, targets));
      process.stdout.write(renderBanner(started, performance.now() - options.startedAt));
    } catch (error: unknown) {
      if (options.stopSignal.aborted) return stopAll(children, options, "stopping before every service was up", 0);
      return stopAll(children, options, `${error instanceof Error ? error.message : String(error)}`, 1);
    }
    const ended = await Promise.race([
      new Promise<undefined>((resolve) =>
        options.stopSignal.addEventListener("abort", () => resolve(undefined), { once: true }),
      ),
      ...children.map((child) => child.exited.then((exit) => ({ child, exit }))),
    ]);
    if (ended === undefined)
      return stopAll(children, options, `${String(options.stopSignal.reason)}: stopping every service`, 0);
    return stopAll(
      children,
      options,
      `${ended.child.name} stopped on its own (${describeExit(ended.exit)}): ${ended.child.failureReason()}`,
      1,
    );
  };
  return { children, done: run() };
}

async function startService(
  plan: ServicePlan,
  extraEnv: Record<string, string>,
  options: LaunchOptions,
  children: ChildService[],
): Promise<StartedService> {
  const child = spawnChildService({
    name: plan.name,
    entryPoint: plan.entryPoint,
    cwd: projectRoot,
    env: { ...options.env, ...extraEnv },
    format: options.format,
    prefixWidth: 9,
    color: options.colors ? colors[plan.name] : undefined,
    write: options.write,
  });
  children.push(child);
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

async function stopAll(
  children: readonly ChildService[],
  options: LaunchOptions,
  why: string,
  code: number,
): Promise<number> {
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
