import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type { LogLine } from "../captured-logger.js";

/** How a spawned process ended and everything it wrote. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running service process. */
export interface SpawnedService {
  child: ChildProcess;
  /** Resolves with the first JSON stdout line that matches; rejects after `timeoutMs` or on exit. */
  waitForLine(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Every JSON line written to stdout so far. */
  lines(): LogLine[];
  /** Resolves when the process has exited. */
  exited: Promise<ProcessExit>;
  /** SIGKILLs the process if it is still running and waits for it: for test teardown. */
  kill(): Promise<void>;
}

/** Entry points of the services, for `spawnService`. */
export const serviceEntryPoints = {
  heroes: fileURLToPath(new URL("../../services/heroes/main.ts", import.meta.url)),
  villains: fileURLToPath(new URL("../../services/villains/main.ts", import.meta.url)),
  locations: fileURLToPath(new URL("../../services/locations/main.ts", import.meta.url)),
  fights: fileURLToPath(new URL("../../services/fights/main.ts", import.meta.url)),
  fixture: fileURLToPath(new URL("./fixture-service.ts", import.meta.url)),
} as const;

/**
 * Starts a TypeScript entry point as a real process (`node --import tsx`) with only PATH and `env`
 * in its environment, so variables of the test runner cannot leak into its configuration.
 */
export function spawnService(entryPoint: string, env: Record<string, string>): SpawnedService {
  const child = spawn(process.execPath, ["--import", "tsx", entryPoint], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const parsed: LogLine[] = [];
  const listeners = new Set<() => void>();
  let partial = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    // Parse only the lines this chunk completed: re-parsing all of stdout per chunk is quadratic
    // and starves the test runner when a service logs every call under load.
    const pieces = (partial + chunk).split("\n");
    partial = pieces.pop() ?? "";
    for (const piece of pieces) parsed.push(...parseLine(piece));
    for (const listener of listeners) listener();
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  // "close", not "exit": only then has all of stdout and stderr been read.
  const exited = once(child, "close").then(([code, signal]) => {
    for (const listener of listeners) listener();
    return { code: code as number | null, signal: signal as NodeJS.Signals | null, stdout, stderr };
  });
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    exited,
    lines: () => [...parsed],
    waitForLine(predicate, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no matching line within ${timeoutMs} ms; stdout: ${stdout} stderr: ${stderr}`)), timeoutMs);
        const finish = (error?: Error, line?: LogLine) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (line !== undefined) resolve(line);
          else reject(error);
        };
        const check = () => {
          const line = parsed.find(predicate);
          if (line !== undefined) finish(undefined, line);
          else if (done || child.exitCode !== null) finish(new Error(`process exited; stdout: ${stdout} stderr: ${stderr}`));
        };
        listeners.add(check);
        check();
      });
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}

function parseLine(text: string): LogLine[] {
  try {
    return [JSON.parse(text) as LogLine];
  } catch {
    return [];
  }
}
