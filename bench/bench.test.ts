import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { ResultFile } from "./report/result-file.js";

const run = promisify(execFile);
const runner = fileURLToPath(new URL("./run.ts", import.meta.url));
// The two scenarios that show both sides of the verification: all OK (echo), and calls the service
// refuses (overload: RESOURCE_EXHAUSTED, which h2load cannot see and the runner must still report).
const smokeScenarios = ["echo", "overload"];

describe("bench runner, smoke run", { timeout: 240_000 }, () => {
  let outDir: string;
  const results = new Map<string, ResultFile>();
  before(async () => {
    outDir = await mkdtemp(join(tmpdir(), "bench-smoke-"));
    await run(process.execPath, ["--import", "tsx", runner, ...smokeScenarios, "--smoke", "--out", outDir], {
      env: { PATH: process.env.PATH ?? "", BENCH_DATABASE_URL: "" },
      timeout: 230_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    for (const name of smokeScenarios)
      results.set(name, JSON.parse(await readFile(join(outDir, `${name}.json`), "utf8")) as ResultFile);
  });
  after(() => rm(outDir, { recursive: true, force: true }));

  it("writes one ghz-shaped summary per scenario with calls and OK codes", () => {
    for (const name of smokeScenarios) {
      const result = results.get(name);
      assert.ok(result, `${name}.json`);
      for (const key of ["count", "total", "average", "fastest", "slowest", "rps"] as const)
        assert.equal(typeof result[key], "number", `${name}.${key}`);
      assert.deepEqual(
        result.latencyDistribution.map((entry) => entry.percentage),
        [10, 25, 50, 75, 90, 95, 99],
      );
      assert.ok(result.count > 0, `${name}: count ${result.count}`);
      // Under a flood, refusals are answers too, and on a busy machine a short smoke flood may end
      // with every call still in flight (reset by the generator, counted apart as cancelledAtEnd).
      const answered = (summary: ResultFile["runs"][number]) =>
        (summary.statusCodeDistribution.OK ?? 0) +
        (summary.statusCodeDistribution.RESOURCE_EXHAUSTED ?? 0) +
        (summary.verification?.cancelledAtEnd ?? 0);
      assert.ok(
        result.runs.every((summary) => answered(summary) > 0),
        `${name}: every run has OK calls (under a flood: refused, or in flight at its end)`,
      );
      assert.equal(typeof result.errorDistribution, "object");
      assert.ok(
        Object.values(result.services).every((usage) => usage.rssBytes > 0 && usage.cpuSeconds > 0),
        `${name}: RSS and CPU of every process`,
      );
    }
  });

  it("reports the calls the overloaded service shed as RESOURCE_EXHAUSTED", () => {
    const overload = results.get("overload");
    assert.ok(overload);
    const shed = overload.statusCodeDistribution.RESOURCE_EXHAUSTED ?? 0;
    assert.ok(shed > 0, `shed ${shed}`);
    assert.equal(overload.ratios.shedCalls, shed);
    if (overload.generator === "h2load")
      assert.equal(overload.errorDistribution["RESOURCE_EXHAUSTED (counted by the server)"], shed);
  });

  it("writes the charts and a report into the output folder, not over the committed results", async () => {
    const report = await readFile(join(outDir, "RESULTS.md"), "utf8");
    assert.match(report, /smoke run/);
    assert.match(report, /\| echo \| c8ToC64Rps \|/);
    const svg = await readFile(join(outDir, "overload-latency.svg"), "utf8");
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });
});
