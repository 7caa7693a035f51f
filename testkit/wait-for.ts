import { setTimeout as sleep } from "node:timers/promises";

/**
 * Polls `predicate` every few milliseconds until it holds; fails after `timeoutMs` with
 * `what` in the message, so a test never waits forever.
 */
export async function waitFor(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}
