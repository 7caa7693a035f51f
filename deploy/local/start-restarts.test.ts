import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import { createPromiseClient } from "../../services/platform/calls/grpc-client.js";
import { serviceNames, type ServiceName } from "../../services/service-list.js";
import { isAlive, type LauncherProcess, startLauncher } from "../../testkit/processes/launcher-process.js";
import { freePorts } from "../../testkit/ports.js";

// Generous: four processes start on 2 shared cores; the first PGlite of a machine runs initdb.
const readyTimeoutMs = 180_000;

/** The pid of the latest `started <name> (pid N` line. */
function latestPid(launcher: LauncherProcess, name: ServiceName): number {
  const pids = [...launcher.stdout().matchAll(new RegExp(`started ${name} \\(pid (\\d+)`, "g"))];
  return Number(pids.at(-1)?.[1]);
}

function countRestarts(launcher: LauncherProcess): number {
  return [...launcher.stdout().matchAll(/stopped on its own/g)].length;
}

describe("npm start supervision", () => {
  it(
    "restarts heroes, villains, locations and fights after a SIGKILL, restarts nothing else, and fights serves real fighters again",
    { timeout: readyTimeoutMs + 240_000 },
    async (t) => {
      const ports = await freePorts(9);
      const [fightsGrpc, fightsAdmin, fightsWeb, ...dataPorts] = ports;
      const env: Record<string, string> = {
        FIGHTS_GRPC_PORT: `${fightsGrpc}`,
        FIGHTS_ADMIN_PORT: `${fightsAdmin}`,
        FIGHTS_WEB_PORT: `${fightsWeb}`,
        LOG_LEVEL: "warn",
      };
      ["HEROES", "VILLAINS", "LOCATIONS"].forEach((prefix, index) => {
        env[`${prefix}_GRPC_PORT`] = `${dataPorts[index * 2]}`;
        env[`${prefix}_ADMIN_PORT`] = `${dataPorts[index * 2 + 1]}`;
      });
      const launcher = startLauncher(env);
      after(() => {
        try {
          launcher.signalGroup("SIGKILL");
        } catch {
          // Already gone.
        }
      });
      await launcher.waitForOutput("Ctrl-C stops everything.", readyTimeoutMs);
      const client = createPromiseClient(FightService, `127.0.0.1:${fightsGrpc}`);
      after(() => client.close());
      const fighters = async () =>
        (await client.methods.getRandomFighters({}, { deadline: Date.now() + 5_000 })).fighters!;
      const everyPid: number[] = serviceNames.map((name) => latestPid(launcher, name));

      for (const victim of serviceNames) {
        const before = Object.fromEntries(serviceNames.map((name) => [name, latestPid(launcher, name)]));
        const restartsBefore = countRestarts(launcher);
        process.kill(before[victim]!, "SIGKILL");
        await launcher.waitForOutput(`${victim} (pid ${before[victim]}) stopped on its own (signal SIGKILL)`, 30_000);
        if (victim !== "fights") {
          const meanwhile = await fighters();
          const fallback = {
            heroes: meanwhile.heroFallback,
            villains: meanwhile.villainFallback,
            locations: meanwhile.locationFallback,
          };
          assert.equal(fallback[victim], true, `fights answers with the fallback while ${victim} is down`);
        }
        await launcher.waitForOutput(`${victim} is SERVING again`, readyTimeoutMs);
        const servingAt = performance.now();
        let real = await fighters().catch(() => undefined);
        while (real === undefined || real.heroFallback || real.villainFallback || real.locationFallback) {
          assert.ok(performance.now() - servingAt < 60_000, `real fighters again after ${victim} restarted`);
          await sleep(50);
          real = await fighters().catch(() => undefined);
        }
        t.diagnostic(`${victim}: real fighters ${(performance.now() - servingAt).toFixed(0)} ms after SERVING again`);
        const now = latestPid(launcher, victim);
        assert.notEqual(now, before[victim]);
        everyPid.push(now);
        for (const other of serviceNames.filter((name) => name !== victim)) {
          assert.equal(latestPid(launcher, other), before[other], `${other} was not restarted`);
          assert.ok(isAlive(before[other]!), `${other} still runs`);
        }
        assert.equal(countRestarts(launcher), restartsBefore + 1, launcher.stdout());
      }

      launcher.signalGroup("SIGINT");
      await launcher.exited;
      assert.match(launcher.stdout(), /every service stopped, exit code 0\n$/);
      assert.deepEqual(everyPid.filter(isAlive), [], "no service process outlives Ctrl-C");
    },
  );
});
