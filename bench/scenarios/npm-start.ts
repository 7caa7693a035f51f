import { readFileSync } from "node:fs";
import { serviceNames } from "../../services/service-list.js";
import { type LauncherProcess, startLauncher } from "../../testkit/processes/launcher-process.js";
import { freePorts } from "../../testkit/ports.js";
import type { BenchContext } from "../bench-context.js";
import { summarize } from "../load/load-report.js";
import { median, type Scenario, type ScenarioResult } from "../scenario.js";

/** How `npm start` is run: the shared PGlite (default) or one embedded PGlite per service. */
interface StartMode {
  name: string;
  args: string[];
}

const modes: StartMode[] = [
  { name: "shared PGlite", args: [] },
  { name: "PGlite per service", args: ["--pglite-per-service"] },
];

/** One `npm start` from spawn to "all SERVING", its RSS then, and one supervised restart of heroes. */
interface StartRound {
  mode: string;
  startMs: number;
  rssBytes: Record<string, number>;
  /**
   * Proportional set size: each resident page divided by the number of processes sharing it. The
   * node binary's ~56 MiB of code pages are resident once but in the RSS of all five processes, so
   * the sum of PSS is what the system holds in memory, the sum of RSS counts those pages five times.
   */
  pssBytes: Record<string, number>;
  /** CPU seconds each process had used by then (start-up cost). */
  cpuSeconds: Record<string, number>;
  heroesRestartMs: number;
}

/**
 * `npm start` on the embedded default, as a user runs it (compiled dist/ already current after the
 * first round): time to every service SERVING, the RSS of the launcher and each service from
 * /proc once they are, and the time from a SIGKILL of heroes to heroes SERVING again. The shared
 * PGlite (the default) and one PGlite per service (`--pglite-per-service`) in alternating rounds.
 */
export const npmStartScenario: Scenario = {
  name: "npm-start",
  async run(context: BenchContext): Promise<ScenarioResult> {
    const rounds: StartRound[] = [];
    const perMode = context.smoke ? 1 : 3;
    for (let round = 1; round <= perMode; round++) {
      for (const mode of context.smoke ? modes.slice(0, 1) : modes) {
        rounds.push(await startOnce(mode));
        const last = rounds.at(-1)!;
        context.progress(
          `round ${round}, ${mode.name}: SERVING after ${(last.startMs / 1000).toFixed(1)} s, RSS ${mib(total(last.rssBytes))} MiB (PSS ${mib(total(last.pssBytes))} MiB), heroes back after ${(last.heroesRestartMs / 1000).toFixed(1)} s`,
        );
      }
    }
    const sharedRounds = rounds.filter((r) => r.mode === modes[0]!.name);
    const perServiceRounds = rounds.filter((r) => r.mode === modes[1]!.name);
    const count = sharedRounds.length;
    const best = sharedRounds.reduce((a, b) => (a.startMs <= b.startMs ? a : b));
    const primary = summarize(
      "npm start to all SERVING",
      {
        generator: "node",
        elapsedMs: sharedRounds.reduce((sum, r) => sum + r.startMs, 0),
        latenciesMs: sharedRounds.map((r) => r.startMs),
        started: count,
        errors: {},
      },
      { OK: count },
      {},
    );
    return {
      scenario: "npm-start",
      title: "npm start: time to SERVING and memory",
      description:
        "`npm start` with every port moved, PGlite embedded (one shared PGlite in the launcher, the default, and one per service with `--pglite-per-service`, alternating rounds): seconds from spawning npm to the banner, RSS of the launcher and of each service once all four are SERVING and the sum of their PSS, each shared page counted once (from /proc, npm's own process not counted), and seconds from a SIGKILL of heroes to heroes SERVING again under the launcher's supervision.",
      primary,
      runs: [primary],
      ratios: {
        startSecondsBest: best.startMs / 1000,
        startSecondsMedian: median(sharedRounds.map((r) => r.startMs)) / 1000,
        rssMiBTotalMedian: median(sharedRounds.map((r) => mib(total(r.rssBytes)))),
        pssMiBTotalMedian: median(sharedRounds.map((r) => mib(total(r.pssBytes)))),
        heroesRestartSecondsBest: Math.min(...sharedRounds.map((r) => r.heroesRestartMs)) / 1000,
        ...(perServiceRounds.length === 0
          ? {}
          : {
              perServiceStartSecondsMedian: median(perServiceRounds.map((r) => r.startMs)) / 1000,
              perServiceRssMiBTotalMedian: median(perServiceRounds.map((r) => mib(total(r.rssBytes)))),
              perServicePssMiBTotalMedian: median(perServiceRounds.map((r) => mib(total(r.pssBytes)))),
            }),
      },
      services: Object.fromEntries(
        Object.entries(best.rssBytes).map(([name, rssBytes]) => [
          name,
          { rssBytes, cpuSeconds: best.cpuSeconds[name] ?? 0 },
        ]),
      ),
      table: {
        columns: [
          "round",
          "database",
          "start to all SERVING (s)",
          "RSS total (MiB)",
          "PSS total (MiB)",
          ...["launcher", ...serviceNames].map((n) => `${n} (MiB)`),
          "CPU s, all processes, at SERVING",
          "heroes SIGKILL to SERVING (s)",
        ],
        rows: rounds.map((r, index) => [
          Math.floor(index / (rounds.length / count)) + 1,
          r.mode,
          (r.startMs / 1000).toFixed(1),
          mib(total(r.rssBytes)),
          mib(total(r.pssBytes)),
          ...["launcher", ...serviceNames].map((name) => mib(r.rssBytes[name] ?? 0)),
          total(r.cpuSeconds).toFixed(1),
          (r.heroesRestartMs / 1000).toFixed(1),
        ]),
      },
      notes: [
        "The first round may include compiling dist/ (tsc) when a source changed since the last build.",
        "CPU seconds are load-independent where wall time is not: on a busy machine compare them, and the two modes' rounds with each other.",
      ],
      skipped: [],
    };
  },
};

async function startOnce(mode: StartMode): Promise<StartRound> {
  const ports = await freePorts(9);
  const env: Record<string, string> = { LOG_LEVEL: "warn" };
  ["FIGHTS_GRPC_PORT", "FIGHTS_ADMIN_PORT", "FIGHTS_WEB_PORT"].forEach((name, i) => (env[name] = `${ports[i]}`));
  ["HEROES", "VILLAINS", "LOCATIONS"].forEach((prefix, i) => {
    env[`${prefix}_GRPC_PORT`] = `${ports[3 + i * 2]}`;
    env[`${prefix}_ADMIN_PORT`] = `${ports[4 + i * 2]}`;
  });
  const startedAt = performance.now();
  const launcher = startLauncher(env, mode.args);
  try {
    await launcher.waitForOutput("Ctrl-C stops everything.", 300_000);
    const startMs = performance.now() - startedAt;
    const pids: Record<string, number> = { launcher: Number(/launcher pid (\d+)/.exec(launcher.stdout())?.[1]) };
    for (const name of serviceNames) pids[name] = latestPid(launcher, name);
    const memory = Object.entries(pids).map(([name, pid]) => [name, memoryOf(pid)] as const);
    const rssBytes = Object.fromEntries(memory.map(([name, { rss }]) => [name, rss]));
    const pssBytes = Object.fromEntries(memory.map(([name, { pss }]) => [name, pss]));
    const cpuSeconds = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuOf(pid)]));
    const killedAt = performance.now();
    process.kill(pids.heroes!, "SIGKILL");
    await launcher.waitForOutput("heroes is SERVING again", 300_000);
    const heroesRestartMs = performance.now() - killedAt;
    launcher.signalGroup("SIGINT");
    await launcher.exited;
    return { mode: mode.name, startMs, rssBytes, pssBytes, cpuSeconds, heroesRestartMs };
  } catch (error: unknown) {
    launcher.signalGroup("SIGKILL");
    throw error;
  }
}

function latestPid(launcher: LauncherProcess, name: string): number {
  return Number([...launcher.stdout().matchAll(new RegExp(`started ${name} \\(pid (\\d+)`, "g"))].at(-1)?.[1]);
}

/** Resident and proportional set size of a process, in bytes, from one read of /proc/<pid>/smaps_rollup (Linux 4.14+). */
function memoryOf(pid: number): { rss: number; pss: number } {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const bytes = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(rollup)?.[1]) * 1024;
  return { rss: bytes("Rss"), pss: bytes("Pss") };
}

/** User + system CPU seconds of a process, from /proc (clock ticks of 1/100 s, the Linux default). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const total = (values: Record<string, number>) => Object.values(values).reduce((sum, value) => sum + value, 0);
const mib = (bytes: number) => Math.round(bytes / 1048576);
