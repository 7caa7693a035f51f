import { fileURLToPath } from "node:url";
import { fightsConfigFromEnv, type FightsConfig } from "./fights/config.js";
import { catalogConfigFromEnv, type CatalogConfig } from "./platform/catalog/catalog-config.js";
import type { EnvReader } from "./platform/config/env-reader.js";
import type { ServiceConfig, ServicePorts } from "./platform/config/service-config.js";

/**
 * The four services, in one list: every launcher, table, image and test harness reads names,
 * variables, ports, entry points and configuration from here.
 */

/** The data services fights calls, in start order. */
export const dataServiceNames = ["heroes", "villains", "locations"] as const;
export type DataServiceName = (typeof dataServiceNames)[number];
/** All four services: the data services first, then fights. */
export const serviceNames = [...dataServiceNames, "fights"] as const;
export type ServiceName = (typeof serviceNames)[number];

/** What every service's configuration has: the common settings and where its database is. */
export type ListedConfig = ServiceConfig & { databaseUrl: string | undefined };

/** What everything outside a service needs to know about it. */
export interface ServiceListing<C extends ListedConfig = ListedConfig> {
  name: ServiceName;
  /** Prefix of its variables: `HEROES` for `HEROES_GRPC_PORT`. */
  envPrefix: string;
  /** Default ports; `web` for fights' page and Connect edge. */
  ports: ServicePorts & { web?: number };
  /** Absolute path of its `main` module: `.ts` run from source, `.js` in `dist/`. */
  entryPoint: string;
  /** Reads its configuration; throws ConfigError naming the first bad variable. */
  readConfig(env: EnvReader): C;
}

// This module's own extension tells whether we run from source (tsx) or compiled (dist/).
const extension = import.meta.url.endsWith(".ts") ? ".ts" : ".js";
const entryPoint = (name: ServiceName) => fileURLToPath(new URL(`./${name}/main${extension}`, import.meta.url));

function dataService(name: DataServiceName, envPrefix: string, ports: ServicePorts): ServiceListing<CatalogConfig> {
  return {
    name,
    envPrefix,
    ports,
    entryPoint: entryPoint(name),
    readConfig: (env) => catalogConfigFromEnv(env, envPrefix, ports),
  };
}

const heroes = dataService("heroes", "HEROES", { grpc: 50051, admin: 9401 });
const villains = dataService("villains", "VILLAINS", { grpc: 50052, admin: 9402 });
const locations = dataService("locations", "LOCATIONS", { grpc: 50053, admin: 9403 });
const fightsPorts = { grpc: 50050, admin: 9400, web: 8080 };
const fights: ServiceListing<FightsConfig> = {
  name: "fights",
  envPrefix: "FIGHTS",
  ports: fightsPorts,
  entryPoint: entryPoint("fights"),
  readConfig: (env) =>
    fightsConfigFromEnv(env, {
      ports: fightsPorts,
      upstreamTargets: {
        heroes: `127.0.0.1:${heroes.ports.grpc}`,
        villains: `127.0.0.1:${villains.ports.grpc}`,
        locations: `127.0.0.1:${locations.ports.grpc}`,
      },
    }),
};

/** Every service by name. */
export const serviceList = { heroes, villains, locations, fights } as const;

/** The services in start order. */
export function listedServices(): ServiceListing[] {
  return serviceNames.map((name) => serviceList[name]);
}
