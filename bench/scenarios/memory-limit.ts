import { FightService } from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import type { BenchContext } from "../bench-context.js";
import { type BenchProcess, type DataKind, launchAllData, launchFights, type Placement } from "../system/launch.js";
import type { GhzSummary } from "../load/load-report.js";
import { type MemoryCgroup, memoryCgroupsUnavailable } from "../system/memory-cgroup.js";
import { measureCall, median, runColumns, runRow, type Scenario } from "../scenario.js";
import { processUsage, type ProcessUsage, readExposition } from "../system/service-metrics.js";

const fight = FightService.method.performRandomFight;
/** Online Boutique's Node gRPC service runs in this limit; so do quarkus-super-heroes' native services. */
const limitBytes = 128 * 1024 * 1024;
const mib = (bytes: number) => bytes / (1024 * 1024);

interface System {
  label: string;
  processes: BenchProcess[];
  fights: BenchProcess;
}

/** What one process of a system used, read after the load. */
interface ProcessMemory {
  name: string;
  /** RSS and CPU seconds from its /metrics; undefined when it no longer answers. */
  usage?: ProcessUsage;
  rssMiB: number;
  heapTotalMiB: number;
  /** The most its cgroup was charged at once (limited system only). */
  peakMiB?: number;
  /** Charged at the end: anonymous memory and page cache (limited system only). */
  anonMiB?: number;
  fileMiB?: number;
  /** Times the charge reached the limit and the kernel reclaimed. */
  limitHits?: number;
  oomKills?: number;
  alive: boolean;
}

/**
 * `memory-limit`: the whole system as a container with a 128 MiB memory limit runs it, each service
 * in its own memory cgroup of that limit (Node sizes V8's heap from it, as in a container), against
 * the same system unlimited, fight-max's closed loop in alternating rounds: fights/s, each
 * process's RSS, V8 heap and peak cgroup charge after the load, and whether the kernel killed any.
 */
export const memoryLimitScenario: Scenario = {
  name: "memory-limit",
  async run(context: BenchContext) {
    const unavailable = await memoryCgroupsUnavailable();
    const systems = [await launchSystem(context, "unlimited", {})];
    if (unavailable === undefined)
      systems.push(await launchSystem(context, "128 MiB", { memoryLimitBytes: limitBytes }));
    const durationMs = context.ms(4000, 1000);
    for (const system of systems)
      await measureCall(
        context,
        `warm-up ${system.label}`,
        system.fights,
        fight,
        {},
        { durationMs: context.ms(3000, 1000) },
      );
    const rounds: Record<string, GhzSummary[]> = Object.fromEntries(systems.map((system) => [system.label, []]));
    for (let round = 1; round <= (context.smoke ? 1 : 3); round++) {
      for (const system of systems) {
        const name = `${system.label}: closed-loop c=64 round ${round}`;
        rounds[system.label]!.push(await measureCall(context, name, system.fights, fight, {}, { durationMs }));
      }
    }
    const memory = Object.fromEntries(
      await Promise.all(systems.map(async (system) => [system.label, await memoryOf(system)] as const)),
    );
    const rps = (label: string) => median((rounds[label] ?? []).map((run) => run.rps));
    const limited = memory["128 MiB"];
    const runs = systems.flatMap((system) => rounds[system.label]!);
    return {
      scenario: "memory-limit",
      title: "The system in 128 MiB memory limits",
      description:
        "Every service in its own memory cgroup limited to 128 MiB (what Kubernetes `limits.memory: 128Mi` or `docker run --memory` sets; Node sizes V8's heap from the limit, as in a container), against the same four services unlimited, PerformRandomFight closed loop (4 connections, 64 in flight) in alternating rounds. After the rounds: each process's RSS, V8 heap and the most its cgroup was charged, and the OOM killer's kills.",
      primary: rounds[systems.at(-1)!.label]![0]!,
      runs,
      ratios: {
        unlimitedFightsPerSec: rps("unlimited"),
        ...(limited === undefined
          ? {}
          : {
              limitedFightsPerSec: rps("128 MiB"),
              limitedToUnlimitedFightsPerSec: rps("128 MiB") / rps("unlimited"),
              limitedMaxRssMiB: Math.max(...limited.map((process) => process.rssMiB)),
              limitedMaxPeakMiB: Math.max(...limited.map((process) => process.peakMiB ?? Number.NaN)),
              limitedMaxAnonMiB: Math.max(...limited.map((process) => process.anonMiB ?? Number.NaN)),
              limitedOomKills: limited.reduce((sum, process) => sum + (process.oomKills ?? 0), 0),
              limitedProcessesDown: limited.filter((process) => !process.alive).length,
            }),
        unlimitedMaxRssMiB: Math.max(...memory.unlimited!.map((process) => process.rssMiB)),
      },
      services: Object.fromEntries(
        systems.flatMap((system) =>
          memory[system.label]!.flatMap((process) =>
            process.usage === undefined ? [] : [[process.name, process.usage]],
          ),
        ),
      ),
      table: { columns: runColumns, rows: runs.map(runRow) },
      notes: [
        ...systems.map(
          (system) =>
            `${system.label}: ${memory[system.label]!.map(describeMemory).join("; ")}; median ${rps(system.label).toFixed(0)} fights/s.`,
        ),
        "RSS includes the node binary's pages (~50 MiB, counted in each process's RSS). Each limited service runs its own copy of the binary, dropped from the page cache first, so its cgroup is charged for the pages it reads, as a container is for its image's node (a cgroup is charged for a file page by the first process that reads it); the kernel may reclaim those clean pages under the limit.",
      ],
      skipped: unavailable === undefined ? [] : [`128 MiB system: cannot make memory cgroups here (${unavailable}).`],
    };
  },
};

async function launchSystem(context: BenchContext, label: string, placement: Placement): Promise<System> {
  const suffix = label === "unlimited" ? "unlimited" : "128mi";
  const data: Record<DataKind, BenchProcess> = await launchAllData(context, {}, suffix, placement);
  const fights = await launchFights(context, data, {}, `fights-${suffix}`, placement);
  return { label, processes: [data.heroes, data.villains, data.locations, fights], fights };
}

async function memoryOf(system: System): Promise<ProcessMemory[]> {
  return Promise.all(
    system.processes.map(async (process) => {
      const exposition = await readExposition(process.adminPort).catch(() => undefined);
      const heapTotal = /^nodejs_heap_size_total_bytes (\S+)$/m.exec(exposition ?? "")?.[1];
      const usage = exposition === undefined ? undefined : processUsage(exposition);
      return {
        name: process.name,
        ...(usage === undefined ? {} : { usage }),
        rssMiB: usage === undefined ? Number.NaN : mib(usage.rssBytes),
        heapTotalMiB: heapTotal === undefined ? Number.NaN : mib(Number(heapTotal)),
        ...(process.cgroup === undefined ? {} : await cgroupMemory(process.cgroup)),
        alive: exposition !== undefined,
      };
    }),
  );
}

async function cgroupMemory(cgroup: MemoryCgroup): Promise<Partial<ProcessMemory>> {
  const charged = await cgroup.charged();
  return {
    peakMiB: mib(await cgroup.peakBytes()),
    anonMiB: mib(charged.anonBytes),
    fileMiB: mib(charged.fileBytes),
    limitHits: await cgroup.limitHits(),
    oomKills: await cgroup.oomKills(),
  };
}

function describeMemory(process: ProcessMemory): string {
  const peak =
    process.peakMiB === undefined
      ? ""
      : `, cgroup peak ${process.peakMiB.toFixed(0)} MiB (at the end anon ${process.anonMiB?.toFixed(0)} + page cache ${process.fileMiB?.toFixed(0)} MiB; limit reached ${process.limitHits} times)`;
  const kills = process.oomKills === undefined || process.oomKills === 0 ? "" : `, ${process.oomKills} OOM kills`;
  const state = process.alive ? "" : " (not answering)";
  return `${process.name} RSS ${process.rssMiB.toFixed(0)} MiB, V8 heap ${process.heapTotalMiB.toFixed(0)} MiB${peak}${kills}${state}`;
}
