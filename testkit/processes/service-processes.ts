import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import { createPromiseClient, type ServiceClient } from "../../services/platform/calls/grpc-client.js";
import { createThrowawayDatabase, type ThrowawayDatabase } from "../postgres.js";
import { spawnService, type NodeProcess } from "./node-process.js";
import { freePort } from "../ports.js";
import { serviceList, serviceNames, type ServiceName } from "../../services/service-list.js";
import { waitServing } from "./readiness.js";

/** A service process on fixed ephemeral ports, which it keeps across restarts. */
export interface ServiceProcess {
  name: ServiceName;
  grpcPort: number;
  adminPort: number;
  /** The fights web edge port (fights only; 0 otherwise). */
  webPort: number;
  env: Readonly<Record<string, string>>;
  /** The current process. */
  current(): NodeProcess;
  /** Sends `signal` and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the service again with the same ports and environment, and waits until it is ready. */
  restart(): Promise<void>;
}

/** Options of `launchService`. */
export interface LaunchOptions {
  /** Extra environment, e.g. `{ HEROES_DATABASE_URL: ... }`. */
  env?: Record<string, string>;
  /** Wait for /readyz 200 (default true); false: only for the admin port to answer. */
  waitReady?: boolean;
  readyTimeoutMs?: number;
}

/**
 * Spawns `node --import tsx services/<name>/main.ts` on loopback ports picked now, logging at
 * warn (every call at info would flood the pipe under load), and waits for `/readyz`.
 */
export async function launchService(name: ServiceName, options: LaunchOptions = {}): Promise<ServiceProcess> {
  const prefix = serviceList[name].envPrefix;
  const [grpcPort, adminPort, webPort] = await Promise.all([
    freePort(),
    freePort(),
    name === "fights" ? freePort() : Promise.resolve(0),
  ]);
  const env: Record<string, string> = {
    LOG_LEVEL: "warn",
    [`${prefix}_GRPC_HOST`]: "127.0.0.1",
    [`${prefix}_GRPC_PORT`]: String(grpcPort),
    [`${prefix}_ADMIN_PORT`]: String(adminPort),
    ...(name === "fights" ? { FIGHTS_WEB_HOST: "127.0.0.1", FIGHTS_WEB_PORT: String(webPort) } : {}),
    ...options.env,
  };
  let spawned: NodeProcess;
  const start = async () => {
    spawned = spawnService(serviceList[name].entryPoint, env);
    await waitUntilReady(spawned, adminPort, options);
  };
  await start();
  return {
    name,
    grpcPort,
    adminPort,
    webPort,
    env,
    current: () => spawned,
    async kill(signal = "SIGKILL") {
      if (spawned.child.exitCode === null && spawned.child.signalCode === null) spawned.child.kill(signal);
      await spawned.exited;
    },
    restart: start,
  };
}

/** Three data services and the fights service calling them, each its own process. */
export interface ProcessSystem {
  heroes: ServiceProcess;
  villains: ServiceProcess;
  locations: ServiceProcess;
  fights: ServiceProcess;
  client: ServiceClient<typeof FightService>;
  /** The throw-away PostgreSQL database of each service. */
  databases: Record<ServiceName, ThrowawayDatabase>;
  /** SIGKILLs every process still running, closes the client and drops the databases. */
  stop(): Promise<void>;
}

/** Extra environment per service. */
export type SystemEnv = Partial<Record<ServiceName, Record<string, string>>>;

/**
 * Starts heroes, villains and locations (seeded), then fights against them, each on its own
 * throw-away PostgreSQL database (a process starts in a third of the time it takes on PGlite).
 */
export async function launchSystem(env: SystemEnv = {}): Promise<ProcessSystem> {
  const launched: ServiceProcess[] = [];
  const names = serviceNames;
  const created = await Promise.all(names.map(() => createThrowawayDatabase({ prefix: "resilience" })));
  const databases = Object.fromEntries(names.map((name, index) => [name, created[index]!])) as Record<
    ServiceName,
    ThrowawayDatabase
  >;
  const track = async (name: ServiceName, extra: Record<string, string>) => {
    const service = await launchService(name, {
      env: { [`${serviceList[name].envPrefix}_DATABASE_URL`]: databases[name].url, ...extra },
    });
    launched.push(service);
    return service;
  };
  const stopAll = async () => {
    await Promise.all(launched.map((service) => service.kill()));
    await Promise.all(created.map((database) => database.drop()));
  };
  try {
    const [heroes, villains, locations] = await Promise.all([
      track("heroes", env.heroes ?? {}),
      track("villains", env.villains ?? {}),
      track("locations", env.locations ?? {}),
    ]);
    const fights = await track("fights", { ...fightsTargets({ heroes, villains, locations }), ...env.fights });
    const client = createPromiseClient(FightService, `127.0.0.1:${fights.grpcPort}`);
    return {
      heroes,
      villains,
      locations,
      fights,
      client,
      databases,
      async stop() {
        client.close();
        await stopAll();
      },
    };
  } catch (error: unknown) {
    await stopAll();
    throw error;
  }
}

/** FIGHTS_*_TARGET variables pointing at the given data services. */
export function fightsTargets(
  data: Record<"heroes" | "villains" | "locations", ServiceProcess>,
): Record<string, string> {
  return {
    FIGHTS_HEROES_TARGET: `127.0.0.1:${data.heroes.grpcPort}`,
    FIGHTS_VILLAINS_TARGET: `127.0.0.1:${data.villains.grpcPort}`,
    FIGHTS_LOCATIONS_TARGET: `127.0.0.1:${data.locations.grpcPort}`,
  };
}

async function waitUntilReady(spawned: NodeProcess, adminPort: number, options: LaunchOptions): Promise<void> {
  await waitServing({
    adminUrl: `http://127.0.0.1:${adminPort}`,
    timeoutMs: options.readyTimeoutMs ?? 30_000,
    signal: spawned.exitSignal,
    until: options.waitReady === false ? "answering" : "serving",
  }).catch((error: unknown) => {
    throw spawned.exitSignal.aborted ? new Error(`service exited before it was ready: ${spawned.stderrTail()}`) : error;
  });
}
