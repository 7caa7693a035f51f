import { setTimeout as sleep } from "node:timers/promises";
import { describeExit } from "../../testkit/processes/node-process.js";
import type { StartedService } from "./banner.js";
import type { ChildExit, ChildService } from "./child-service.js";
import { createRestartBackoff, type RestartBackoff } from "./restart-backoff.js";

/** The exit code of a service that rejected its configuration (loadConfig in services/platform/config/env-reader.ts). */
export const configErrorExitCode = 2;

/** Options of `superviseService`. */
export interface SupervisorOptions {
  name: string;
  /** Starts one process of the service. */
  spawn(): ChildService;
  /** Resolves once `child` is SERVING; rejects when it exits first, on a timeout or on `stopSignal`. */
  waitReady(child: ChildService): Promise<StartedService>;
  /** Aborted on Ctrl-C: no more restarts. */
  stopSignal: AbortSignal;
  say(text: string): void;
  backoff?: RestartBackoff;
}

/** A service kept running by the launcher. */
export interface SupervisedService {
  name: string;
  /**
   * Its first SERVING. Rejects when the first start fails: that is a mistake to fix (a bad
   * value, a port taken between the check and the start), not a crash to retry.
   */
  firstReady: Promise<StartedService>;
  /** Resolves with why, when the supervisor gives up: a restart failed on a configuration error. */
  gaveUp: Promise<string>;
  /** The process running now, if any (none while waiting to restart). */
  current(): ChildService | undefined;
}

/**
 * Runs a service and restarts it with backoff whenever it exits on its own, until `stopSignal`.
 * Each restart is one launcher line: which service, how it ended, when the next try is. A process
 * that exits with the configuration-error code is never restarted: the same environment would
 * fail the same way in a loop.
 */
export function superviseService(options: SupervisorOptions): SupervisedService {
  const backoff = options.backoff ?? createRestartBackoff();
  let current: ChildService | undefined;
  let resolveGaveUp: (why: string) => void = () => undefined;
  const gaveUp = new Promise<string>((resolve) => (resolveGaveUp = resolve));
  const stopped = new Promise<undefined>((resolve) =>
    options.stopSignal.addEventListener("abort", () => resolve(undefined), { once: true }),
  );

  const firstChild = (current = options.spawn());
  const firstReady = options.waitReady(firstChild);
  const keepRunning = async (first: ChildService): Promise<void> => {
    let child = first;
    let servingSince = performance.now();
    for (let restart = 1; ; restart++) {
      const exit = await Promise.race([child.exited, stopped]);
      if (exit === undefined) return;
      if (exit.code === configErrorExitCode) return resolveGaveUp(configErrorText(options.name, child, exit));
      const waitMs = backoff.next(servingSince === 0 ? 0 : performance.now() - servingSince);
      current = undefined;
      options.say(
        `${options.name} (pid ${child.pid}) stopped on its own (${describeExit(exit)})${reasonOf(child)}; ` +
          `restart ${restart} in ${(waitMs / 1000).toFixed(1)} s`,
      );
      const stoppedAt = performance.now();
      if ((await Promise.race([sleep(waitMs, "waited"), stopped])) === undefined) return;
      child = current = options.spawn();
      servingSince = 0;
      try {
        await options.waitReady(child);
        servingSince = performance.now();
        options.say(
          `${options.name} is SERVING again (pid ${child.pid}, ${((servingSince - stoppedAt) / 1000).toFixed(1)} s after it stopped)`,
        );
      } catch {
        if (options.stopSignal.aborted) return;
        // Not ready: it exited (handled at the top of the loop) or hangs, which a kill turns into an exit.
        if (child.isRunning()) child.kill();
      }
    }
  };
  void firstReady.then(
    () => keepRunning(firstChild),
    () => undefined,
  );
  return { name: options.name, firstReady, gaveUp, current: () => current };
}

function reasonOf(child: ChildService): string {
  const reason = child.failureReason();
  return reason === "no error output" ? "" : `: ${reason}`;
}

function configErrorText(name: string, child: ChildService, exit: ChildExit): string {
  return `${name} (pid ${child.pid}) exited with a configuration error (${describeExit(exit)})${reasonOf(child)}; not restarting it`;
}
