/**
 * Prints the measured outcomes of the last run (test-output/resilience/outcomes.jsonl) as a
 * Markdown table, for test/resilience/README.md and the README's Resilience section:
 * `node --import tsx test/resilience/outcomes-table.ts`.
 */
import { readFileSync } from "node:fs";
import { outcomesFile, type Outcome } from "../../testkit/load/outcomes.js";

const rows = readFileSync(outcomesFile, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Outcome);
const cell = (text: string) => text.replaceAll("|", "\\|");
process.stdout.write("| kind | fault or bad input | measured outcome |\n|---|---|---|\n");
for (const row of rows) process.stdout.write(`| ${cell(row.group)} | ${cell(row.what)} | ${cell(row.outcome)} |\n`);
