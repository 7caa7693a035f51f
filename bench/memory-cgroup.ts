import { existsSync } from "node:fs";
import { mkdir, readFile, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * A memory cgroup made for one bench process: what a container's memory limit is to the kernel
 * (Kubernetes `limits.memory`, `docker run --memory`). A process started inside it (see
 * `joinCgroupCommand`) is charged for what it allocates, and Node sizes V8's heap from the limit
 * (libuv's constrained memory), as it does in a container.
 */
export interface MemoryCgroup {
  /** The cgroup's folder; a process joins by writing its pid to `cgroup.procs` there. */
  path: string;
  limitBytes: number;
  /** The most memory the cgroup was charged at once (cgroup v1 `memory.max_usage_in_bytes`, v2 `memory.peak`). */
  peakBytes(): Promise<number>;
  /** Processes the kernel's OOM killer killed in it. */
  oomKills(): Promise<number>;
  /** Removes the cgroup (its processes must have exited). */
  remove(): Promise<void>;
}

/** Why memory cgroups cannot be made here, or undefined when they can. */
export async function memoryCgroupsUnavailable(): Promise<string | undefined> {
  const probe = await createMemoryCgroup(`superheroes-probe-${process.pid}`, 64 * 1024 * 1024).catch(
    (error: unknown) => (error instanceof Error ? error.message : String(error)),
  );
  if (typeof probe === "string") return probe;
  await probe.remove();
  return undefined;
}

/** Makes a memory cgroup named `name` under this process's own, limited to `limitBytes`. */
export async function createMemoryCgroup(name: string, limitBytes: number): Promise<MemoryCgroup> {
  const own = await readFile("/proc/self/cgroup", "utf8");
  const v1 = /^\d+:memory:(.*)$/m.exec(own)?.[1];
  if (v1 !== undefined && existsSync("/sys/fs/cgroup/memory")) {
    const path = join("/sys/fs/cgroup/memory", v1, name);
    await mkdir(path);
    await writeFile(join(path, "memory.limit_in_bytes"), String(limitBytes));
    return cgroupAt(path, limitBytes, "memory.max_usage_in_bytes", async () => {
      const control = await readFile(join(path, "memory.oom_control"), "utf8");
      return Number(/^oom_kill (\d+)$/m.exec(control)?.[1] ?? 0);
    });
  }
  const v2 = /^0::(.*)$/m.exec(own)?.[1];
  if (v2 === undefined) throw new Error("no memory cgroup controller in /proc/self/cgroup");
  // cgroup v2: the memory controller must be enabled for our cgroup's children.
  const parent = join("/sys/fs/cgroup", v2);
  const controllers = await readFile(join(parent, "cgroup.subtree_control"), "utf8");
  if (!controllers.split(/\s+/).includes("memory")) throw new Error(`memory controller not enabled in ${parent}`);
  const path = join(parent, name);
  await mkdir(path);
  await writeFile(join(path, "memory.max"), String(limitBytes));
  return cgroupAt(path, limitBytes, "memory.peak", async () => {
    const events = await readFile(join(path, "memory.events"), "utf8");
    return Number(/^oom_kill (\d+)$/m.exec(events)?.[1] ?? 0);
  });
}

function cgroupAt(path: string, limitBytes: number, peakFile: string, oomKills: () => Promise<number>): MemoryCgroup {
  return {
    path,
    limitBytes,
    peakBytes: async () => Number((await readFile(join(path, peakFile), "utf8")).trim()),
    oomKills,
    remove: () => rmdir(path),
  };
}
