import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { spawnNodeProcess } from "../../testkit/processes/node-process.js";
import { createMemoryCgroup, memoryCgroupsUnavailable } from "./memory-cgroup.js";

/** Runs a script that prints its V8 heap limit and the cgroup it is in; returns both. */
async function heapLimitOf(cgroup?: string): Promise<{ heapLimitMiB: number; cgroups: string }> {
  const folder = await mkdtemp(join(tmpdir(), "memory-cgroup-"));
  const script = join(folder, "heap-limit.mjs");
  await writeFile(
    script,
    `import { getHeapStatistics } from "node:v8";
import { readFileSync } from "node:fs";
console.log(JSON.stringify({ heapLimitMiB: getHeapStatistics().heap_size_limit / 1048576, cgroups: readFileSync("/proc/self/cgroup", "utf8") }));`,
  );
  const child = spawnNodeProcess(script, { env: { PATH: process.env.PATH ?? "" }, ...(cgroup ? { cgroup } : {}) });
  const line = await child.waitForLine((candidate) => candidate.heapLimitMiB !== undefined, 10_000);
  await child.exited;
  return { heapLimitMiB: Number(line.heapLimitMiB), cgroups: String(line.cgroups) };
}

describe("bench memory cgroups", async () => {
  const unavailable = await memoryCgroupsUnavailable();
  const needsCgroups = { skip: unavailable === undefined ? false : `no memory cgroups here: ${unavailable}` };

  it(
    "start a process inside a 128 MiB limit, and node sizes its heap from it as in a container",
    needsCgroups,
    async (t) => {
      const cgroup = await createMemoryCgroup(`superheroes-test-${process.pid}`, 128 * 1024 * 1024);
      t.after(() => cgroup.remove());
      const unlimited = await heapLimitOf();
      const limited = await heapLimitOf(cgroup.path);
      assert.match(limited.cgroups, new RegExp(`superheroes-test-${process.pid}`), "the child ran in the cgroup");
      assert.ok(
        limited.heapLimitMiB < unlimited.heapLimitMiB / 4,
        `heap limit ${limited.heapLimitMiB.toFixed(0)} MiB in 128 MiB, ${unlimited.heapLimitMiB.toFixed(0)} MiB unlimited`,
      );
      assert.ok((await cgroup.peakBytes()) > 0, "the cgroup was charged for the child's memory");
      assert.equal(await cgroup.oomKills(), 0);
      t.diagnostic(
        `V8 heap limit ${limited.heapLimitMiB.toFixed(0)} MiB in 128 MiB, ${unlimited.heapLimitMiB.toFixed(0)} MiB unlimited`,
      );
    },
  );
});
