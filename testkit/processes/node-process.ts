import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { LogLine } from "../captured-logger.js";

/**
 * The one way this project starts a Node entry point as a child process: tests, the bench, the
 * resilience suite and `npm start` all spawn through here.
 */

/** How a process ended and, when captured, everything it wrote. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Options of `spawnNodeProcess`. */
export interface NodeProcessOptions {
  /** The child's whole environment: nothing of ours leaks into its configuration unless given. */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /**
   * `capture` (default): keep stdout and parse its JSON lines, for tests; `forward`: hand each
   * chunk to `onStdout` and keep nothing (long-running launchers); `ignore`: discard it (the
   * bench, which never parses a log stream under load).
   */
  stdout?: "capture" | "forward" | "ignore";
  onStdout?: (chunk: string) => void;
  onStderr?: (chunk: string) => void;
  /** Extra flags for node itself, before the entry point (e.g. `--cpu-prof`, not allowed in NODE_OPTIONS). */
  nodeFlags?: readonly string[];
  /** Open an IPC channel to the child (a launcher's children watch it to exit with their launcher). */
  ipc?: boolean;
  /**
   * A cgroup's folder the child joins before node starts (through `/bin/sh`, which then execs
   * node: the pid stays the child's), so node sizes its heap from that cgroup's memory limit.
   */
  cgroup?: string;
  /** The node binary to run; default: this process's own. */
  execPath?: string;
}

/** A running child process. */
export interface NodeProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves when the process has exited and its output has been read. */
  exited: Promise<ProcessExit>;
  /** Aborted when the process exits: pass it to waits that make no sense once it is gone. */
  exitSignal: AbortSignal;
  isRunning(): boolean;
  /** Every JSON line written to stdout so far (`capture` only). */
  lines(): LogLine[];
  /** Resolves with the first JSON stdout line that matches; rejects after `timeoutMs` or on exit. */
  waitForLine(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** The last few KB of stderr, for error messages. */
  stderrTail(): string;
  /** Sends `signal` if it is still running. */
  signal(signal: NodeJS.Signals): void;
  /** SIGKILL if it is still running, and wait for it: for test teardown. */
  kill(): Promise<void>;
  /** SIGCONT + SIGTERM, SIGKILL after `graceMs`; resolves once it has exited. Idempotent. */
  stop(graceMs?: number): Promise<ProcessExit>;
}

/** TypeScript entry points run under tsx; compiled ones (`.js`) as they are. */
function nodeArguments(entryPoint: string, nodeFlags: readonly string[] = []): string[] {
  return [...nodeFlags, ...(entryPoint.endsWith(".ts") ? ["--import", "tsx", entryPoint] : [entryPoint])];
}

/** Starts `entryPoint` with exactly `options.env`. */
export function spawnNodeProcess(entryPoint: string, options: NodeProcessOptions): NodeProcess {
  const mode = options.stdout ?? "capture";
  const nodeArgs = nodeArguments(entryPoint, options.nodeFlags);
  const execPath = options.execPath ?? process.execPath;
  const [command, args] =
    options.cgroup === undefined
      ? [execPath, nodeArgs]
      : ["/bin/sh", ["-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', options.cgroup, execPath, ...nodeArgs]];
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ["ignore", mode === "ignore" ? "ignore" : "pipe", "pipe", ...(options.ipc === true ? ["ipc" as const] : [])],
  });
  let stdout = "";
  let stderr = "";
  let partial = "";
  const parsed: LogLine[] = [];
  const listeners = new Set<() => void>();
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    options.onStdout?.(chunk);
    if (mode !== "capture") return;
    stdout += chunk;
    // Parse only the lines this chunk completed: re-parsing all of stdout per chunk is quadratic
    // and starves the test runner when a service logs every call under load.
    const pieces = (partial + chunk).split("\n");
    partial = pieces.pop() ?? "";
    for (const piece of pieces) parsed.push(...parseLine(piece));
    for (const listener of listeners) listener();
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    options.onStderr?.(chunk);
    stderr = mode === "capture" ? stderr + chunk : (stderr + chunk).slice(-4096);
  });
  const exitController = new AbortController();
  // "close", not "exit": only then has all of stdout and stderr been read.
  const exited = once(child, "close").then(([code, signal]): ProcessExit => {
    exitController.abort(
      new Error(`process ${child.pid} exited (${describeExit({ code, signal })}): ${stderr.slice(-2048)}`),
    );
    for (const listener of listeners) listener();
    return { code: code as number | null, signal: signal as NodeJS.Signals | null, stdout, stderr };
  });
  const isRunning = () => child.exitCode === null && child.signalCode === null;
  let stopping: Promise<ProcessExit> | undefined;
  return {
    child,
    pid: child.pid ?? -1,
    exited,
    exitSignal: exitController.signal,
    isRunning,
    lines: () => [...parsed],
    waitForLine: (predicate, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => finish(new Error(`no matching line within ${timeoutMs} ms; stdout: ${stdout} stderr: ${stderr}`)),
          timeoutMs,
        );
        const finish = (error?: Error, line?: LogLine) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (line !== undefined) resolve(line);
          else reject(error);
        };
        const check = () => {
          const line = parsed.find(predicate);
          if (line !== undefined) finish(undefined, line);
          else if (exitController.signal.aborted || !isRunning())
            finish(new Error(`process exited; stdout: ${stdout} stderr: ${stderr}`));
        };
        listeners.add(check);
        check();
      }),
    stderrTail: () => stderr.slice(-4096),
    signal: (signal) => void (isRunning() ? child.kill(signal) : undefined),
    async kill() {
      if (isRunning()) child.kill("SIGKILL");
      await exited;
    },
    stop: (graceMs = 5000) =>
      (stopping ??= (async () => {
        if (isRunning()) {
          child.kill("SIGCONT");
          child.kill("SIGTERM");
        }
        const done = await Promise.race([exited, sleep(graceMs, undefined)]);
        if (done !== undefined) return done;
        if (isRunning()) child.kill("SIGKILL");
        return exited;
      })()),
  };
}

/** `exit code 2` or `signal SIGKILL`. */
export function describeExit(exit: { code: unknown; signal: unknown }): string {
  return exit.signal === null || exit.signal === undefined
    ? `exit code ${String(exit.code)}`
    : `signal ${String(exit.signal)}`;
}

/** The fixture service of the platform tests (testkit/processes/fixture-service.ts). */
export const fixtureEntryPoint = fileURLToPath(new URL("./fixture-service.ts", import.meta.url));

/**
 * Starts an entry point with only PATH and `env` in its environment, so variables of the test
 * runner cannot leak into its configuration; stdout captured and parsed.
 */
export function spawnService(entryPoint: string, env: Record<string, string>): NodeProcess {
  return spawnNodeProcess(entryPoint, { env: { PATH: process.env.PATH ?? "", ...env } });
}

function parseLine(text: string): LogLine[] {
  try {
    return [JSON.parse(text) as LogLine];
  } catch {
    return [];
  }
}
