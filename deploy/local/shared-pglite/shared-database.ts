import { serviceList } from "../../../services/service-list.js";
import { type PgliteServer, startPgliteServer } from "./pglite-server.js";
import type { ServicePlan } from "../service-plan.js";

/**
 * Which services `npm start` points at its one shared PGlite (deploy/local/shared-pglite/pglite-server.ts):
 * every service without `<SERVICE>_DATABASE_URL` (that one uses its PostgreSQL) and without
 * `<SERVICE>_DATA_DIR` (that one keeps its own embedded PGlite in its directory, as when it runs
 * alone). The others get `<SERVICE>_DATABASE_URL` pointing at their schema of the shared PGlite.
 */
export function sharesDatabase(plan: ServicePlan, env: NodeJS.ProcessEnv): boolean {
  const prefix = serviceList[plan.name].envPrefix;
  const set = (name: string) => env[name] !== undefined && env[name] !== "";
  return !set(`${prefix}_DATABASE_URL`) && !set(`${prefix}_DATA_DIR`);
}

/** The shared PGlite and the plans, those that use it now pointed at it. */
export interface SharedDatabase {
  server: PgliteServer | undefined;
  plans: ServicePlan[];
}

/**
 * Starts the shared PGlite on a loopback port the OS picks (in `dataDir`, else in memory) when a
 * planned service needs it. It listens at once and loads PGlite while the services start.
 */
export async function startSharedDatabase(
  plans: readonly ServicePlan[],
  env: NodeJS.ProcessEnv,
  dataDir: string | undefined,
): Promise<SharedDatabase> {
  const sharing = plans.filter((plan) => sharesDatabase(plan, env));
  if (sharing.length === 0) return { server: undefined, plans: [...plans] };
  const server = await startPgliteServer({
    host: "127.0.0.1",
    port: 0,
    dataDir,
    databases: sharing.map((plan) => plan.name),
  });
  const where = dataDir ?? "in memory";
  return {
    server,
    plans: plans.map((plan) =>
      sharing.includes(plan)
        ? {
            ...plan,
            env: { ...plan.env, [`${serviceList[plan.name].envPrefix}_DATABASE_URL`]: server.url(plan.name) },
            database: `PGlite (shared, ${where})`,
          }
        : plan,
    ),
  };
}
