import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { projectRoot } from "../../services/platform/config/project-root.js";

/** `npm start` running as a child process, for tests. */
export interface LauncherProcess {
  child: ChildProcess;
  /** Sends `signal` to the whole process group, as a terminal does on Ctrl-C (npm does not forward SIGINT). */
  signalGroup(signal: NodeJS.Signals): void;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout contains `text`; rejects after `timeoutMs` or when the launcher exits first. */
  waitForOutput(text: string, timeoutMs: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `npm start [-- args]` in the project root with `env` on top of the parent's environment, minus
 * every service variable of the parent (HEROES_*, VILLAINS_*, LOCATIONS_*, FIGHTS_*, LOG_LEVEL),
 * in a process group of its own (so `signalGroup` reaches npm, the launcher and the services).
 */
export function startLauncher(env: Record<string, string>, args: readonly string[] = []): LauncherProcess {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(HEROES|VILLAINS|LOCATIONS|FIGHTS)_|^LOG_LEVEL$/.test(name)),
  );
  const child = spawn("npm", ["start", "--silent", ...(args.length > 0 ? ["--", ...args] : [])], {
    cwd: projectRoot,
    env: { ...inherited, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = once(child, "close").then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  return {
    child,
    signalGroup(signal) {
      if (child.pid === undefined) throw new Error("npm start did not start");
      process.kill(-child.pid, signal);
    },
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async waitForOutput(text, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!stdout.includes(text)) {
        if (child.exitCode !== null || child.signalCode !== null)
          throw new Error(`npm start exited before "${text}"; stdout: ${stdout}\nstderr: ${stderr}`);
        if (Date.now() > deadline)
          throw new Error(`no "${text}" within ${timeoutMs} ms; stdout: ${stdout}\nstderr: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/** Whether a process with this pid still exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
