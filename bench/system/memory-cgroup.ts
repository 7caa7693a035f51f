import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

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
  /** Charged now: anonymous memory (heap, stacks, malloc) and page cache (the binary's pages read). */
  charged(): Promise<{ anonBytes: number; fileBytes: number }>;
  /** Times the charge reached the limit and the kernel had to reclaim (v1 `memory.failcnt`, v2 `memory.events` max). */
  limitHits(): Promise<number>;
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
    return cgroupAt(path, limitBytes, {
      peakFile: "memory.max_usage_in_bytes",
      oomKills: async () => field(await readFile(join(path, "memory.oom_control"), "utf8"), "oom_kill"),
      charged: async () => {
        const stat = await readFile(join(path, "memory.stat"), "utf8");
        return { anonBytes: field(stat, "rss"), fileBytes: field(stat, "cache") };
      },
      limitHits: async () => Number((await readFile(join(path, "memory.failcnt"), "utf8")).trim()),
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
  return cgroupAt(path, limitBytes, {
    peakFile: "memory.peak",
    oomKills: async () => field(await readFile(join(path, "memory.events"), "utf8"), "oom_kill"),
    charged: async () => {
      const stat = await readFile(join(path, "memory.stat"), "utf8");
      return { anonBytes: field(stat, "anon"), fileBytes: field(stat, "file") };
    },
    limitHits: async () => field(await readFile(join(path, "memory.events"), "utf8"), "max"),
  });
}

/** How to read one cgroup version's files. */
interface CgroupReaders {
  peakFile: string;
  oomKills(): Promise<number>;
  charged(): Promise<{ anonBytes: number; fileBytes: number }>;
  limitHits(): Promise<number>;
}

function cgroupAt(path: string, limitBytes: number, readers: CgroupReaders): MemoryCgroup {
  return {
    path,
    limitBytes,
    peakBytes: async () => Number((await readFile(join(path, readers.peakFile), "utf8")).trim()),
    oomKills: readers.oomKills,
    charged: readers.charged,
    limitHits: readers.limitHits,
    remove: () => rmdir(path),
  };
}

/** The value of `name` in a cgroup file of `name value` lines (0 when absent). */
function field(text: string, name: string): number {
  return Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
}

/**
 * A copy of this node binary that no other process has read, out of the page cache: a cgroup is
 * charged for a file page by the first process that reads it, so a service started from its own
 * copy inside its cgroup is charged for the binary's pages it touches (~50 MiB of RSS), as a
 * container is for its image's node. From the shared binary, already read by the bench runner,
 * none of them would be. Removed by the returned function.
 */
export async function privateNodeBinary(): Promise<{ path: string; remove(): Promise<void> }> {
  const folder = await mkdtemp(join(tmpdir(), "superheroes-node-"));
  const path = join(folder, "node");
  await copyFile(process.execPath, path);
  // Written pages are charged to the writer: flush them, then drop the file from the page cache.
  await run("sync", [path]);
  await run("dd", [`if=${path}`, "iflag=nocache", "count=0", "status=none"]);
  return { path, remove: () => rm(folder, { recursive: true, force: true }) };
}
