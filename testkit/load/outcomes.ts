import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Where measured outcomes of a run are appended, one JSON object per line (git-ignored). */
export const outcomesFile = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "test-output",
  "resilience",
  "outcomes.jsonl",
);

/** One measured outcome: the fault or bad input, and what happened, in words with the figures. */
export interface Outcome {
  /** Short group for the README table: "bad input", "HTTP/2 abuse", "fault", "security". */
  group: string;
  what: string;
  outcome: string;
}

/**
 * Records a measured outcome for the README table (`npm run resilience:table` turns the file
 * into Markdown) and returns the sentence, so a test can also print it with `t.diagnostic`.
 */
export function recordOutcome(outcome: Outcome): string {
  mkdirSync(dirname(outcomesFile), { recursive: true });
  appendFileSync(outcomesFile, `${JSON.stringify({ ...outcome, at: new Date().toISOString() })}\n`);
  return `${outcome.what}: ${outcome.outcome}`;
}
