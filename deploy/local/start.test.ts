import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import { createPromiseClient } from "../../services/platform/calls/grpc-client.js";
import { isAlive, type LauncherProcess, startLauncher } from "../../testkit/processes/launcher-process.js";
import { freePorts } from "../../testkit/ports.js";
import { watchFights } from "../../testkit/grpc/fight-watcher.js";

// Generous: the machine may be busy (four processes start on 2 cores, the first PGlite runs initdb).
const readyTimeoutMs = 180_000;

/** Teardown after a failed assertion: nothing of the launcher may outlive the test. */
function killGroup(launcher: LauncherProcess): void {
  try {
    launcher.signalGroup("SIGKILL");
  } catch {
    // Already gone.
  }
}

describe("npm start", () => {
  it(
    "starts the four services, serves a fight over gRPC and the web port, and stops every child on SIGINT",
    { timeout: readyTimeoutMs + 60_000 },
    async () => {
      const [
        fightsGrpc,
        fightsAdmin,
        fightsWeb,
        heroesGrpc,
        heroesAdmin,
        villainsGrpc,
        villainsAdmin,
        locationsGrpc,
        locationsAdmin,
      ] = await freePorts(9);
      const launcher = startLauncher({
        ...{ FIGHTS_GRPC_PORT: `${fightsGrpc}`, FIGHTS_ADMIN_PORT: `${fightsAdmin}`, FIGHTS_WEB_PORT: `${fightsWeb}` },
        ...{
          HEROES_GRPC_PORT: `${heroesGrpc}`,
          HEROES_ADMIN_PORT: `${heroesAdmin}`,
          VILLAINS_GRPC_PORT: `${villainsGrpc}`,
          VILLAINS_ADMIN_PORT: `${villainsAdmin}`,
        },
        ...{ LOCATIONS_GRPC_PORT: `${locationsGrpc}`, LOCATIONS_ADMIN_PORT: `${locationsAdmin}`, LOG_LEVEL: "warn" },
      });
      after(() => killGroup(launcher));
      await launcher.waitForOutput("Ctrl-C stops everything.", readyTimeoutMs);
      const pids = [...launcher.stdout().matchAll(/started (heroes|villains|locations|fights) \(pid (\d+)/g)].map(
        (match) => Number(match[2]),
      );
      assert.equal(pids.length, 4, launcher.stdout());
      const launcherPid = Number(/launcher pid (\d+)/.exec(launcher.stdout())?.[1]);
      assert.ok(launcherPid > 0, launcher.stdout());
      assert.match(launcher.stdout(), new RegExp(`page +http://localhost:${fightsWeb}/`));

      const client = createPromiseClient(FightService, `127.0.0.1:${fightsGrpc}`);
      const watcher = watchFights(client);
      try {
        const { fight } = await client.methods.performRandomFight({}, { deadline: Date.now() + 10_000 });
        assert.ok(fight !== undefined && fight.id > 0n, "a stored fight");
        assert.notEqual(fight.winner?.name ?? "", "");
        // The live feed comes from LISTEN/NOTIFY through the shared PGlite: fight after fight
        // until the watcher (subscribed some time during the first) has heard one.
        const performed = [fight.id];
        for (let round = 0; round < 20 && !watcher.ids().some((id) => performed.includes(id)); round += 1) {
          await sleep(250);
          performed.push((await client.methods.performRandomFight({}, { deadline: Date.now() + 10_000 })).fight!.id);
        }
        assert.ok(
          watcher.ids().some((id) => performed.includes(id)),
          `WatchFights heard ${watcher.ids().join(", ") || "nothing"} of ${performed.join(", ")}`,
        );
      } finally {
        watcher.stream.cancel();
        client.close();
      }
      const response = await fetch(
        `http://127.0.0.1:${fightsWeb}/superheroes.fight.v1.FightService/PerformRandomFight`,
        {
          method: "POST",
          headers: { "content-type": "application/json", "connect-protocol-version": "1" },
          body: "{}",
          signal: AbortSignal.timeout(10_000),
        },
      );
      assert.equal(response.status, 200);
      const body = (await response.json()) as { fight?: { id?: string; winner?: { name?: string } } };
      assert.ok(Number(body.fight?.id) > 0, JSON.stringify(body));

      launcher.signalGroup("SIGINT");
      const exit = await launcher.exited;
      // npm itself dies of the SIGINT (it does not wait for its script); the launcher's own exit code is on the last line.
      assert.ok(exit.code === 0 || exit.signal === "SIGINT", `${JSON.stringify(exit)} ${launcher.stderr()}`);
      assert.match(launcher.stdout(), /every service stopped, exit code 0\n$/);
      assert.deepEqual(
        [launcherPid, ...pids].filter(isAlive),
        [],
        "the launcher and every service process have exited",
      );
      assert.equal([...launcher.stdout().matchAll(/stopped: exit code 0/g)].length, 4, launcher.stdout());
    },
  );

  it(
    "stops every service within seconds when the launcher itself is SIGKILLed (no orphans)",
    { timeout: readyTimeoutMs + 60_000 },
    async (t) => {
      const ports = await freePorts(9);
      const env: Record<string, string> = { LOG_LEVEL: "warn" };
      ["FIGHTS_GRPC_PORT", "FIGHTS_ADMIN_PORT", "FIGHTS_WEB_PORT"].forEach((name, i) => (env[name] = `${ports[i]}`));
      ["HEROES", "VILLAINS", "LOCATIONS"].forEach((prefix, i) => {
        env[`${prefix}_GRPC_PORT`] = `${ports[3 + i * 2]}`;
        env[`${prefix}_ADMIN_PORT`] = `${ports[4 + i * 2]}`;
      });
      const launcher = startLauncher(env);
      after(() => killGroup(launcher));
      await launcher.waitForOutput("Ctrl-C stops everything.", readyTimeoutMs);
      const pids = [...launcher.stdout().matchAll(/started (?:heroes|villains|locations|fights) \(pid (\d+)/g)].map(
        (match) => Number(match[1]),
      );
      assert.equal(pids.length, 4, launcher.stdout());
      const launcherPid = Number(/launcher pid (\d+)/.exec(launcher.stdout())?.[1]);

      // Only the launcher, not its group: what `timeout npm start` or an OOM kill does.
      process.kill(launcherPid, "SIGKILL");
      const killedAt = performance.now();
      while (pids.some(isAlive) && performance.now() - killedAt < 30_000) await sleep(50);
      assert.deepEqual(pids.filter(isAlive), [], "no service outlives its launcher");
      t.diagnostic(`every service gone ${(performance.now() - killedAt).toFixed(0)} ms after the launcher's SIGKILL`);
    },
  );

  it(
    "keeps the shared PGlite's data in --data-dir: a fight stored by one npm start is there in the next",
    { timeout: 2 * readyTimeoutMs + 60_000 },
    async () => {
      const dataDir = await mkdtemp(join(tmpdir(), "npm-start-data-"));
      after(() => rm(dataDir, { recursive: true, force: true }));
      const ports = await freePorts(9);
      const env: Record<string, string> = { LOG_LEVEL: "warn" };
      ["FIGHTS_GRPC_PORT", "FIGHTS_ADMIN_PORT", "FIGHTS_WEB_PORT"].forEach((name, i) => (env[name] = `${ports[i]}`));
      ["HEROES", "VILLAINS", "LOCATIONS"].forEach((prefix, i) => {
        env[`${prefix}_GRPC_PORT`] = `${ports[3 + i * 2]}`;
        env[`${prefix}_ADMIN_PORT`] = `${ports[4 + i * 2]}`;
      });
      const runOnce = async <T>(call: (client: ReturnType<typeof fightsClient>) => Promise<T>): Promise<T> => {
        const launcher = startLauncher(env, ["--data-dir", dataDir]);
        after(() => killGroup(launcher));
        await launcher.waitForOutput("Ctrl-C stops everything.", readyTimeoutMs);
        assert.match(launcher.stdout(), new RegExp(`PGlite \\(shared, ${dataDir}\\)`));
        const client = fightsClient();
        try {
          return await call(client);
        } finally {
          client.close();
          launcher.signalGroup("SIGINT");
          await launcher.exited;
        }
      };
      const fightsClient = () => createPromiseClient(FightService, `127.0.0.1:${ports[0]}`);
      const stored = await runOnce(
        async (client) => (await client.methods.performRandomFight({}, { deadline: Date.now() + 10_000 })).fight!,
      );
      const found = await runOnce(
        async (client) => (await client.methods.getFight({ id: stored.id }, { deadline: Date.now() + 10_000 })).fight,
      );
      assert.equal(found?.winner?.name, stored.winner?.name);
    },
  );

  it("starts only the services named by --only", { timeout: readyTimeoutMs + 60_000 }, async () => {
    const [heroesGrpc, heroesAdmin, villainsGrpc, villainsAdmin] = await freePorts(4);
    const launcher = startLauncher(
      {
        ...{ HEROES_GRPC_PORT: `${heroesGrpc}`, HEROES_ADMIN_PORT: `${heroesAdmin}` },
        ...{ VILLAINS_GRPC_PORT: `${villainsGrpc}`, VILLAINS_ADMIN_PORT: `${villainsAdmin}`, LOG_LEVEL: "warn" },
      },
      ["--only", "heroes,villains"],
    );
    after(() => killGroup(launcher));
    await launcher.waitForOutput("Ctrl-C stops everything.", readyTimeoutMs);
    assert.match(launcher.stdout(), /heroes, villains are SERVING/);
    assert.deepEqual([...launcher.stdout().matchAll(/started (\w+) \(pid/g)].map((match) => match[1]).sort(), [
      "heroes",
      "villains",
    ]);
    launcher.signalGroup("SIGINT");
    await launcher.exited;
    assert.match(launcher.stdout(), /every service stopped, exit code 0\n$/);
  });

  it("exits non-zero when --only names no service", { timeout: 60_000 }, async () => {
    const launcher = startLauncher({}, ["--only", "heroes,dragons"]);
    after(() => killGroup(launcher));
    const exit = await launcher.exited;
    assert.notEqual(exit.code, 0);
    assert.match(
      launcher.stderr(),
      /--only: "heroes,dragons" is not a comma-separated list of heroes, villains, locations, fights/,
    );
    assert.doesNotMatch(launcher.stdout(), /started /);
  });

  it("exits non-zero naming the variable when a value is bad", { timeout: 60_000 }, async () => {
    const launcher = startLauncher({ HEROES_GRPC_PORT: "abc" });
    after(() => killGroup(launcher));
    const exit = await launcher.exited;
    assert.notEqual(exit.code, 0);
    assert.match(
      launcher.stderr(),
      /npm start: configuration error: HEROES_GRPC_PORT: "abc" is not an integer from 0 to 65535/,
    );
    assert.doesNotMatch(launcher.stdout(), /started heroes/);
  });

  it("exits non-zero naming the port and the variable when a port is in use", { timeout: 60_000 }, async (t) => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "0.0.0.0", resolve));
    t.after(() => holder.close());
    const port = (holder.address() as { port: number }).port;
    const launcher: LauncherProcess = startLauncher({ VILLAINS_ADMIN_PORT: `${port}` });
    after(() => killGroup(launcher));
    const exit = await launcher.exited;
    assert.notEqual(exit.code, 0);
    assert.match(
      launcher.stderr(),
      new RegExp(`port ${port} \\(villains admin, VILLAINS_ADMIN_PORT\\) is already in use`),
    );
    assert.doesNotMatch(launcher.stdout(), /started /);
  });
});
