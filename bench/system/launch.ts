import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { compileWhenStale, distDir } from "../../deploy/local/compiled-build.mjs";
import { containerNodeFlags } from "../../services/container/node-flags.js";
import { type DataServiceName, dataServiceNames, type ServiceName, serviceList } from "../../services/service-list.js";
import { spawnNodeProcess } from "../../testkit/processes/node-process.js";
import { waitServing } from "../../testkit/processes/readiness.js";
import { freePort } from "../../testkit/ports.js";
import type { BenchContext } from "../bench-context.js";
import { createMemoryCgroup, type MemoryCgroup, privateNodeBinary } from "./memory-cgroup.js";
import { processUsage, type ProcessUsage, readExposition } from "./service-metrics.js";

/** A service the bench started as a real process. */
export interface BenchProcess {
  name: string;
  pid: number;
  grpcPort: number;
  adminPort: number;
  /** `127.0.0.1:<grpcPort>`. */
  target: string;
  /** RSS and CPU from the process's own `/metrics`. */
  usage(): Promise<ProcessUsage>;
  /** SIGSTOP / SIGCONT: a hung process (connections stay open, nothing answers). */
  pause(): void;
  resume(): void;
  /** SIGTERM, then SIGKILL after 5 s. Idempotent. */
  stop(): Promise<void>;
  /** The memory cgroup it runs in, when launched with a memory limit. */
  cgroup?: MemoryCgroup;
}

/**
 * How a bench process is placed: `memoryLimitBytes` starts it in a memory cgroup of that limit, from
 * its own copy of the node binary (a container's limit, charged for its own image's node).
 */
export interface Placement {
  memoryLimitBytes?: number;
}

/** The data services, by kind. */
export type DataKind = DataServiceName;
export const dataKinds: readonly DataKind[] = dataServiceNames;
/** What a bench process runs: its entry point and the Node flags before it. */
interface Program {
  entryPoint: string;
  nodeFlags: readonly string[];
}

/** The echo server (bench/system/echo-server.ts), under tsx with no flags: it is the yardstick, not a service. */
const echoProgram: Program = {
  entryPoint: fileURLToPath(new URL("./echo-server.ts", import.meta.url)),
  nodeFlags: [],
};

let compiled: Promise<void> | undefined;

/**
 * A service as the container runs it: its compiled `main.js` in dist/ (built first when a source
 * changed) with the container's Node flags, not the sources under tsx.
 */
async function serviceProgram(context: BenchContext, name: ServiceName): Promise<Program> {
  compiled ??= compileWhenStale((line) => context.progress(line));
  await compiled;
  return { entryPoint: join(distDir, "services", name, "main.js"), nodeFlags: containerNodeFlags };
}

/** Starts the echo server. */
export function launchEcho(context: BenchContext): Promise<BenchProcess> {
  return launch(context, "echo", echoProgram, "ECHO", {});
}

/** Starts one data service with fault injection enabled (and `extra` env), on its own database. */
export async function launchData(
  context: BenchContext,
  kind: DataKind,
  extra: Record<string, string> = {},
  name: string = kind,
  placement: Placement = {},
): Promise<BenchProcess> {
  const prefix = serviceList[kind].envPrefix;
  const env = { [`${prefix}_GRPC_HOST`]: "127.0.0.1", [`${prefix}_FAULTS_ENABLED`]: "true" };
  const database = extra[`${prefix}_DATABASE_URL`] === undefined ? await context.databaseEnv(prefix) : {};
  const program = await serviceProgram(context, kind);
  return launch(context, name, program, prefix, { ...env, ...database, ...extra }, placement);
}

/** Starts the three data services at once (named `<kind>-<suffix>` when a scenario runs two sets). */
export async function launchAllData(
  context: BenchContext,
  extra: Partial<Record<DataKind, Record<string, string>>> = {},
  suffix?: string,
  placement: Placement = {},
): Promise<Record<DataKind, BenchProcess>> {
  const [heroes, villains, locations] = await Promise.all(
    dataKinds.map((kind) =>
      launchData(context, kind, extra[kind], suffix === undefined ? kind : `${kind}-${suffix}`, placement),
    ),
  );
  return { heroes: heroes!, villains: villains!, locations: locations! };
}

/** Starts a fights service calling `data`, on its own database, with `extra` FIGHTS_* settings. */
export async function launchFights(
  context: BenchContext,
  data: Record<DataKind, BenchProcess>,
  extra: Record<string, string> = {},
  name = "fights",
  placement: Placement = {},
): Promise<BenchProcess> {
  const env = {
    FIGHTS_GRPC_HOST: "127.0.0.1",
    FIGHTS_WEB_HOST: "127.0.0.1",
    FIGHTS_WEB_PORT: String(await freePort()),
    FIGHTS_HEROES_TARGET: data.heroes.target,
    FIGHTS_VILLAINS_TARGET: data.villains.target,
    FIGHTS_LOCATIONS_TARGET: data.locations.target,
  };
  const program = await serviceProgram(context, "fights");
  const database = await context.databaseEnv("FIGHTS");
  return launch(context, name, program, "FIGHTS", { ...env, ...database, ...extra }, placement);
}

async function launch(
  context: BenchContext,
  name: string,
  program: Program,
  prefix: string,
  env: Record<string, string>,
  placement: Placement = {},
): Promise<BenchProcess> {
  const [grpcPort, adminPort] = [await freePort(), await freePort()];
  const cgroup =
    placement.memoryLimitBytes === undefined
      ? undefined
      : await createMemoryCgroup(`superheroes-bench-${name}-${process.pid}`, placement.memoryLimitBytes);
  const binary = cgroup === undefined ? undefined : await privateNodeBinary();
  // Registered before the process's own stop, so they run after it (deferred work runs last first).
  if (cgroup !== undefined) context.defer(() => cgroup.remove());
  if (binary !== undefined) context.defer(() => binary.remove());
  // Stdout is discarded: services run at LOG_LEVEL=warn and readiness comes from the admin port,
  // so the bench never parses a log stream under load.
  const child = spawnNodeProcess(program.entryPoint, {
    env: {
      PATH: process.env.PATH ?? "",
      LOG_LEVEL: "warn",
      ...env,
      [`${prefix}_GRPC_PORT`]: String(grpcPort),
      [`${prefix}_ADMIN_PORT`]: String(adminPort),
    },
    stdout: "ignore",
    nodeFlags: [...program.nodeFlags, ...cpuProfileFlags(context, name)],
    ...(cgroup === undefined ? {} : { cgroup: cgroup.path }),
    ...(binary === undefined ? {} : { execPath: binary.path }),
  });
  context.defer(async () => void (await child.stop()));
  await waitServing({ adminUrl: `http://127.0.0.1:${adminPort}`, timeoutMs: 90_000, signal: child.exitSignal });
  context.progress(`${name} up (pid ${child.pid}, grpc ${grpcPort}, admin ${adminPort})`);
  return {
    name,
    pid: child.pid,
    grpcPort,
    adminPort,
    target: `127.0.0.1:${grpcPort}`,
    usage: async () => processUsage(await readExposition(adminPort)),
    pause: () => child.signal("SIGSTOP"),
    resume: () => child.signal("SIGCONT"),
    stop: async () => void (await child.stop()),
    ...(cgroup === undefined ? {} : { cgroup }),
  };
}

/**
 * With `BENCH_CPU_PROFILE=<dir>`, every process the bench starts writes a V8 CPU profile of its
 * whole run into `<dir>/<scenario>/<name>/` when it stops (`npm run bench:profile-summary -- <dir>`
 * prints the hot spots).
 */
function cpuProfileFlags(context: BenchContext, name: string): string[] {
  const dir = process.env.BENCH_CPU_PROFILE;
  if (dir === undefined || dir === "") return [];
  return ["--cpu-prof", `--cpu-prof-dir=${join(resolve(dir), context.label, name)}`];
}
