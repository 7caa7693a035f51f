import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { projectRoot } from "../services/platform/config/project-root.js";

/**
 * Prints the test files `npm test` runs, one per line: every `*.test.ts` under services/, bench/,
 * test/ and deploy/. With `TEST_SCOPE=in-process` only the files that start no process, which CI
 * runs on a second Node line (.ci/run); `TEST_SCOPE=processes` only the others.
 */

/** Which test files a run takes. */
export type TestScope = "all" | "in-process" | "processes";

const roots = ["services", "bench", "test", "deploy"];

/**
 * A test file starts processes when it imports child_process, the browser driver or one of
 * testkit's spawners (every child process of a test goes through these: testkit/README.md).
 */
const startsProcesses =
  /from "(node:child_process|playwright-core|[./]*testkit\/processes\/(node-process|service-processes|launcher-process|spawn-fixture)\.js)"/;

/** The test files of `scope`, relative to the project root, sorted. */
export function testFiles(scope: TestScope): string[] {
  const files = roots.flatMap((root) => findTests(join(projectRoot, root))).sort();
  if (scope === "all") return files;
  const spawning = (file: string) => startsProcesses.test(readFileSync(join(projectRoot, file), "utf8"));
  return files.filter((file) => spawning(file) === (scope === "processes"));
}

function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".test.ts"))
    .map((entry) => relative(projectRoot, join(entry.parentPath, entry.name)))
    .filter((file) => !file.split("/").includes("node_modules"));
}

// Run as a script (import.meta.main is Node 24+; this also works on older lines).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const scope = process.env.TEST_SCOPE ?? "all";
  if (scope !== "all" && scope !== "in-process" && scope !== "processes") {
    console.error(`TEST_SCOPE: "${scope}" is not all, in-process or processes`);
    process.exit(2);
  }
  process.stdout.write(testFiles(scope).join("\n") + "\n");
}
