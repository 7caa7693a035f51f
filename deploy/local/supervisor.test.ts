import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fixtureEntryPoint } from "../../testkit/processes/node-process.js";
import { waitServing } from "../../testkit/processes/readiness.js";
import type { StartedService } from "./banner.js";
import { type ChildService, spawnChildService } from "./child-service.js";
import { createRestartBackoff } from "./restart-backoff.js";
import { superviseService } from "./supervisor.js";

/** A supervisor of the fixture service; `envOf(n)` is the environment of the n-th process (1-based). */
function superviseFixture(envOf: (spawnNumber: number) => Record<string, string>) {
  const lines: string[] = [];
  const children: ChildService[] = [];
  const stop = new AbortController();
  const service = superviseService({
    name: "fixture",
    spawn: () => {
      const child = spawnChildService({
        name: "fixture",
        entryPoint: fixtureEntryPoint,
        cwd: process.cwd(),
        env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "info", ...envOf(children.length + 1) },
        format: "json",
        prefixWidth: 9,
        write: () => undefined,
      });
      children.push(child);
      return child;
    },
    waitReady: async (child) => {
      const ports = await child.listening;
      await waitServing({
        target: `127.0.0.1:${ports.grpcPort}`,
        adminUrl: `http://127.0.0.1:${ports.adminPort}`,
        timeoutMs: 60_000,
        signal: stop.signal,
      });
      return { name: "heroes", pid: child.pid, ports, database: "none", adminToken: false } satisfies StartedService;
    },
    stopSignal: stop.signal,
    say: (text) => lines.push(text),
    backoff: createRestartBackoff({ initialMs: 10, maxMs: 20, resetAfterMs: 60_000 }),
  });
  const waitForLines = async (pattern: RegExp, count: number) => {
    while (lines.filter((line) => pattern.test(line)).length < count)
      await new Promise((resolve) => setTimeout(resolve, 20));
  };
  return { service, lines, children, stop, waitForLines };
}

describe("launcher supervisor", () => {
  it("restarts a service killed while serving, each time, until stopped", { timeout: 120_000 }, async () => {
    const fixture = superviseFixture(() => ({}));
    await fixture.service.firstReady;
    for (const restart of [1, 2]) {
      fixture.children.at(-1)!.kill();
      await fixture.waitForLines(/fixture is SERVING again/, restart);
    }
    fixture.stop.abort();
    await Promise.all(fixture.children.map((child) => child.stop(5_000)));
    assert.equal(fixture.children.length, 3, fixture.lines.join("\n"));
    assert.deepEqual(
      fixture.lines.filter((line) => line.includes("stopped on its own")).map((line) => line.replace(/pid \d+/, "pid")),
      [
        "fixture (pid) stopped on its own (signal SIGKILL); restart 1 in 0.0 s",
        "fixture (pid) stopped on its own (signal SIGKILL); restart 2 in 0.0 s",
      ],
    );
  });

  it(
    "does not restart a service whose restart fails on a configuration error, and says so",
    { timeout: 120_000 },
    async () => {
      // The second process gets a bad value: the same environment would fail the same way forever.
      const fixture = superviseFixture((spawnNumber): Record<string, string> =>
        spawnNumber === 1 ? {} : { FIXTURE_GRPC_PORT: "abc" },
      );
      await fixture.service.firstReady;
      fixture.children[0]!.kill();
      const why = await fixture.service.gaveUp;
      assert.match(
        why,
        /fixture \(pid \d+\) exited with a configuration error \(exit code 2\): configuration error: FIXTURE_GRPC_PORT: "abc"/,
      );
      assert.match(why, /not restarting it$/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(fixture.children.length, 2, "no third process");
      assert.equal(fixture.service.current()?.isRunning() ?? false, false);
      fixture.stop.abort();
    },
  );

  it(
    "rejects the first start of a service that exits before SERVING, without restarting it",
    { timeout: 60_000 },
    async () => {
      const fixture = superviseFixture(() => ({ FIXTURE_ADMIN_PORT: "-1" }));
      await assert.rejects(fixture.service.firstReady, /exited \(exit code 2\) before listening/);
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(fixture.children.length, 1);
      fixture.stop.abort();
    },
  );
});

describe("restart backoff", () => {
  it("doubles from 0.5 s to at most 30 s while the service keeps failing", () => {
    const backoff = createRestartBackoff();
    const waits = Array.from({ length: 9 }, () => backoff.next(1_000));
    assert.deepEqual(waits, [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it("starts again from 0.5 s once the service had been SERVING for a minute", () => {
    const backoff = createRestartBackoff();
    for (let restart = 0; restart < 4; restart++) backoff.next(0);
    assert.equal(backoff.next(59_999), 8_000);
    assert.equal(backoff.next(60_000), 500);
    assert.equal(backoff.next(0), 1_000);
  });
});
