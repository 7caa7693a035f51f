import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { testFiles } from "../../testkit/test-files.js";

describe("the test scopes of npm test (TEST_SCOPE)", () => {
  const all = testFiles("all");
  const inProcess = testFiles("in-process");
  const processes = testFiles("processes");
  const unit = testFiles("unit");

  it("splits every test file into exactly one of in-process and processes", () => {
    assert.deepEqual([...inProcess, ...processes].sort(), all);
    assert.deepEqual(
      inProcess.filter((file) => processes.includes(file)),
      [],
    );
  });

  it("runs every *.test.ts under services/, bench/, test/ and deploy/, this file included", () => {
    assert.ok(all.includes("test/ci/test-scopes.test.ts"));
    assert.deepEqual(
      all.filter((file) => !/^(services|bench|test|deploy)\/.+\.test\.ts$/.test(file)),
      [],
    );
  });

  it("puts suites that spawn services, the launcher, a browser or tools among processes", () => {
    for (const file of [
      "services/fights/feed-across-replicas.test.ts",
      "services/fights/multi-instance.test.ts",
      "services/web/page.e2e.test.ts",
      "deploy/local/start.test.ts",
      "bench/bench.test.ts",
      "test/resilience/faults/postgres-cut.test.ts",
    ]) {
      assert.ok(processes.includes(file), `${file} starts processes`);
    }
  });

  it("keeps suites with in-process servers and databases among in-process", () => {
    for (const file of [
      "services/fights/rules/fight-rules.test.ts",
      "services/fights/watch-fights.test.ts",
      "services/heroes/heroes.test.ts",
      "test/ci/test-scopes.test.ts",
    ]) {
      assert.ok(inProcess.includes(file), `${file} starts no process`);
    }
  });

  it("takes into unit only in-process suites that start no database and no whole service", () => {
    assert.deepEqual(
      unit.filter((file) => !inProcess.includes(file)),
      [],
    );
    for (const file of [
      "services/fights/rules/fight-rules.test.ts",
      "services/platform/calls/circuit-breaker.test.ts",
      "test/ci/test-scopes.test.ts",
    ]) {
      assert.ok(unit.includes(file), `${file} is a unit suite`);
    }
    for (const file of [
      "services/fights/watch-fights.test.ts",
      "services/heroes/heroes.test.ts",
      "deploy/local/shared-pglite/pglite-server.test.ts",
      "services/fights/storage/fight-writer.test.ts",
    ]) {
      assert.ok(!unit.includes(file), `${file} starts a database or a service`);
    }
  });
});
