import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { projectRoot } from "../../services/platform/config/project-root.js";
import { describeExit, spawnNodeProcess } from "../../testkit/processes/node-process.js";
import { createLinePrefixer, type LogFormat } from "./log-lines.js";

/** Options of `spawnChildService`. */
export interface ChildServiceOptions {
  name: string;
  /** Entry point: `.js` runs as it is (what `npm start` uses), `.ts` under tsx. */
  entryPoint: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  format: LogFormat;
  prefixWidth: number;
  color?: number;
  write: (text: string) => void;
  /** Flags for node itself, before the entry point. */
  nodeFlags?: readonly string[];
}

/** The ports a service reported in its `<name> listening` line (the real ones, also with port 0). */
export interface ListeningPorts {
  grpcPort: number;
  adminPort: number;
  webPort?: number;
}

/** How a child ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A service running as a child process, its output prefixed and forwarded. */
export interface ChildService {
  name: string;
  pid: number;
  /** Resolves when the `listening` line (and, for fights, the web port line) has been seen; rejects if the child exits first. */
  listening: Promise<ListeningPorts>;
  /** Resolves when the process has exited and its output has been read. */
  exited: Promise<ChildExit>;
  /** Why it failed, from its last error lines (stderr, or log lines at error level and above). */
  failureReason(): string;
  isRunning(): boolean;
  /** SIGKILL now, if it is still running. */
  kill(): void;
  /** SIGTERM, wait up to `graceMs`, then SIGKILL; resolves once it has exited. */
  stop(graceMs: number): Promise<ChildExit>;
}

const exitWithLauncher = pathToFileURL(join(projectRoot, "deploy", "local", "exit-with-launcher.mjs")).href;

/** Starts one service, forwarding its stdout and stderr line by line with its name in front. */
export function spawnChildService(options: ChildServiceOptions): ChildService {
  const out = createLinePrefixer({
    name: options.name,
    width: options.prefixWidth,
    format: options.format,
    color: options.color,
    write: options.write,
  });
  const err = createLinePrefixer({
    name: options.name,
    width: options.prefixWidth,
    format: "json",
    color: options.color,
    write: options.write,
  });
  const errorLogs: string[] = [];
  const stderrLines: string[] = [];
  const ports: Partial<ListeningPorts> = {};
  let resolveListening: (ports: ListeningPorts) => void = () => undefined;
  let rejectListening: (error: Error) => void = () => undefined;
  const listening = new Promise<ListeningPorts>(
    (resolve, reject) => ((resolveListening = resolve), (rejectListening = reject)),
  );
  listening.catch(() => undefined);
  const keep = (lines: string[], line: string) => lines.splice(0, lines.length, ...[...lines, line].slice(-100));

  let stdoutRest = "";
  const onStdout = (chunk: string) => {
    out.push(chunk);
    const lines = (stdoutRest + chunk).split("\n");
    stdoutRest = lines.pop() ?? "";
    for (const line of lines) {
      const record = parseRecord(line);
      if (record === undefined) continue;
      if (typeof record.level === "number" && record.level >= 50) keep(errorLogs, errorText(record));
      if (typeof record.grpcPort === "number" && typeof record.adminPort === "number")
        Object.assign(ports, { grpcPort: record.grpcPort, adminPort: record.adminPort });
      if (typeof record.webPort === "number") ports.webPort = record.webPort;
      const needsWeb = options.name === "fights";
      if (ports.grpcPort !== undefined && ports.adminPort !== undefined && (!needsWeb || ports.webPort !== undefined))
        resolveListening({ ...ports } as ListeningPorts);
    }
  };
  const onStderr = (chunk: string) => {
    err.push(chunk);
    for (const line of chunk.split("\n")) if (line.trim() !== "") keep(stderrLines, line.trim());
  };
  const spawned = spawnNodeProcess(options.entryPoint, {
    cwd: options.cwd,
    env: options.env,
    stdout: "forward",
    // An IPC channel the child watches (deploy/local/exit-with-launcher.mjs): it exits when we die.
    ipc: true,
    nodeFlags: ["--import", exitWithLauncher, ...(options.nodeFlags ?? [])],
    onStdout,
    onStderr,
  });
  const exited = spawned.exited.then(({ code, signal }): ChildExit => {
    out.flush();
    err.flush();
    rejectListening(new Error(`${options.name} exited (${describeExit({ code, signal })}) before listening`));
    return { code, signal };
  });

  return {
    name: options.name,
    pid: spawned.pid,
    listening,
    exited,
    failureReason: () => failureReason(errorLogs, stderrLines),
    isRunning: () => spawned.isRunning(),
    kill: () => spawned.signal("SIGKILL"),
    stop: async (graceMs) => {
      const { code, signal } = await spawned.stop(graceMs);
      return { code, signal };
    },
  };
}

/** The last error log line, else the first stderr line that names an error, else the last stderr line. */
function failureReason(errorLogs: readonly string[], stderrLines: readonly string[]): string {
  const named = stderrLines.find((line) => /^([A-Z]\w*)?Error( \[\w+\])?: |^configuration error/.test(line));
  return errorLogs.at(-1) ?? named ?? stderrLines.at(-1) ?? "no error output";
}

function parseRecord(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function errorText(record: Record<string, unknown>): string {
  const error = record.err as { message?: unknown } | undefined;
  return [record.msg, error?.message].filter((part) => typeof part === "string" && part !== "").join(": ");
}
