import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { describe, it } from "node:test";
import { recordOutcome } from "../../../testkit/load/outcomes.js";

interface AuditResult {
  stdout: string;
  stderr: string;
}

function audit(): Promise<AuditResult> {
  return new Promise((resolve) => {
    // npm audit exits non-zero both for findings and for an unreachable endpoint: read the JSON.
    execFile("npm", ["audit", "--omit=dev", "--json"], { timeout: 60_000 }, (_error, stdout, stderr) =>
      resolve({ stdout, stderr }),
    );
  });
}

describe("npm audit --omit=dev", { timeout: 90_000 }, () => {
  it("has no high or critical findings (reported, not failed, when the audit endpoint is unreachable)", async (t) => {
    const { stdout, stderr } = await audit();
    let report: { metadata?: { vulnerabilities?: Record<string, number> }; error?: { summary?: string } } = {};
    try {
      report = JSON.parse(stdout) as typeof report;
    } catch {
      report = {};
    }
    const counts = report.metadata?.vulnerabilities;
    if (counts === undefined) {
      // npm's reason names the registry's URL; the outcomes table (and the README) keep no host names.
      const reason = (
        report.error?.summary ||
        stderr.split("\n").find((line) => line.includes("audit")) ||
        "no JSON report"
      )
        .trim()
        .replace(/https?:\/\/\S+/g, "<the registry's audit URL>");
      t.diagnostic(
        recordOutcome({
          group: "security",
          what: "npm audit --omit=dev",
          outcome: `not run: the audit endpoint is unreachable here (${reason})`,
        }),
      );
      t.skip(`audit endpoint unreachable: ${reason}`);
      return;
    }
    assert.deepEqual({ high: counts.high ?? 0, critical: counts.critical ?? 0 }, { high: 0, critical: 0 });
    t.diagnostic(
      recordOutcome({
        group: "security",
        what: "npm audit --omit=dev",
        outcome: `0 high, 0 critical (${JSON.stringify(counts)})`,
      }),
    );
  });
});
