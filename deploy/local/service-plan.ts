import { ConfigError, createEnvReader } from "../../services/platform/config/env-reader.js";
import type { ServiceConfig } from "../../services/platform/config/service-config.js";
import {
  type DataServiceName,
  dataServiceNames,
  listedServices,
  serviceList,
  type ServiceName,
} from "../../services/service-list.js";

/** The variable that points fights at a data service. */
export function upstreamTargetVariable(name: DataServiceName): string {
  return `FIGHTS_${serviceList[name].envPrefix}_TARGET`;
}

/** A port a service will listen on, and the variable that moves it. */
export interface PortSetting {
  service: ServiceName;
  role: "gRPC" | "admin" | "web";
  variable: string;
  host: string;
  /** The variable that sets `host`. */
  hostVariable: string;
  /** 0: the OS picks one. */
  port: number;
}

/** What the launcher needs to know about one service before starting it. */
export interface ServicePlan {
  name: ServiceName;
  /** Its `main` module from services/service-list.ts: dist/…/main.js when the launcher runs compiled (`npm start`). */
  entryPoint: string;
  config: ServiceConfig;
  ports: PortSetting[];
  /** PostgreSQL (URL redacted) or the embedded PGlite. */
  database: string;
  /** Variables the launcher sets for this service on top of the environment (e.g. its database URL). */
  env: Record<string, string>;
}

/**
 * The environment `npm start` runs the services with: as given, plus fault injection enabled on
 * the data services unless the variable is set (`HEROES_FAULTS_ENABLED=false npm start` keeps it
 * off), so the page's resilience lab works on a laptop out of the box. Only here: the services'
 * own default, and so compose and Kubernetes, stays off.
 */
export function localEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const local = { ...env };
  for (const name of dataServiceNames) {
    const variable = `${serviceList[name].envPrefix}_FAULTS_ENABLED`;
    if (local[variable] === undefined || local[variable] === "") local[variable] = "true";
  }
  return local;
}

/** The project's root folder (holds package.json). */
export { projectRoot } from "../../services/platform/config/project-root.js";

/**
 * Reads every service's configuration from `env` the way the service itself will, so a bad
 * value is reported before anything starts. Throws the ConfigError naming the first bad
 * variable, or a ConfigError when two services ask for the same port.
 */
export function planServices(env: NodeJS.ProcessEnv): ServicePlan[] {
  const reader = createEnvReader(env);
  const fights = serviceList.fights.readConfig(reader);
  const plans = listedServices().map((listing): ServicePlan => {
    const config = listing.name === "fights" ? fights : listing.readConfig(reader);
    const prefix = listing.envPrefix;
    const name = listing.name;
    const ports: PortSetting[] = [
      {
        service: name,
        role: "gRPC",
        variable: `${prefix}_GRPC_PORT`,
        hostVariable: `${prefix}_GRPC_HOST`,
        host: config.grpcHost,
        port: config.grpcPort,
      },
      {
        service: name,
        role: "admin",
        variable: `${prefix}_ADMIN_PORT`,
        hostVariable: `${prefix}_ADMIN_HOST`,
        host: config.adminHost,
        port: config.adminPort,
      },
    ];
    if (name === "fights")
      ports.push({
        service: name,
        role: "web",
        variable: "FIGHTS_WEB_PORT",
        hostVariable: "FIGHTS_WEB_HOST",
        host: fights.webHost,
        port: fights.webPort,
      });
    return {
      name,
      entryPoint: listing.entryPoint,
      config,
      ports,
      database: config.databaseUrl === undefined ? "PGlite (embedded)" : "PostgreSQL",
      env: {},
    };
  });
  assertDistinctPorts(plans.flatMap((plan) => plan.ports));
  return plans;
}

function assertDistinctPorts(ports: readonly PortSetting[]): void {
  const seen = new Map<number, PortSetting>();
  for (const setting of ports) {
    const other = seen.get(setting.port);
    if (setting.port !== 0 && other !== undefined) {
      throw new ConfigError(
        setting.variable,
        `port ${setting.port} is also ${other.variable} (${other.service} ${other.role}); give each its own port`,
      );
    }
    seen.set(setting.port, setting);
  }
}
