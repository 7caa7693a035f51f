import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { readText, root } from "./deploy-files.js";

/** Every file below `dir` whose name ends with `suffix`. */
function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => join(dir, name))
    .filter((path) => path.endsWith(suffix) && statSync(path).isFile());
}

/** Module specifiers a file imports: static, side-effect and dynamic imports with a literal. */
function importsOf(text: string): string[] {
  const patterns = [
    /^(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/gm,
    /^import\s*["']([^"']+)["']/gm,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  ];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]!));
}

/** `@scope/name/sub` → `@scope/name`; `name/sub` → `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

const productionDependencies = new Set(
  Object.keys((JSON.parse(readText("package.json")) as { dependencies: Record<string, string> }).dependencies),
);
const builtins = new Set(builtinModules);

describe("the container image's tree", { timeout: 120_000 }, () => {
  let outDir = "";
  before(() => {
    outDir = mkdtempSync(join(tmpdir(), "image-tree-"));
    // What the Dockerfile's build stage compiles: tsconfig.build.json (gen/ and services/, no tests, no page sources).
    execFileSync(
      join(root, "node_modules", ".bin", "tsc"),
      ["-p", join(root, "tsconfig.build.json"), "--outDir", outDir],
      { cwd: root, stdio: "pipe" },
    );
  });
  after(() => rmSync(outDir, { recursive: true, force: true }));

  it("the build stage copies only package files, the build config, gen/ and services/", () => {
    const buildStage = readText("Dockerfile").split(/^FROM /m)[1] ?? "";
    const copied = [...buildStage.matchAll(/^COPY (.+) \S+$/gm)].flatMap((match) => match[1]!.split(/\s+/));
    assert.deepEqual(copied.sort(), [
      "gen",
      "package-lock.json",
      "package.json",
      "services",
      "tsconfig.build.json",
      "tsconfig.json",
    ]);
  });

  it("has no test file and no import of a module the image does not ship", () => {
    const modules = filesUnder(outDir, ".js");
    assert.ok(modules.length > 50, `compiled ${modules.length} modules`);
    const problems: string[] = [];
    for (const file of modules) {
      const name = relative(outDir, file);
      if (name.endsWith(".test.js")) problems.push(`${name} is a test`);
      for (const specifier of importsOf(readFileSync(file, "utf8"))) {
        if (specifier.startsWith(".")) {
          const target = resolve(dirname(file), specifier);
          if (!modules.includes(target) && !specifier.endsWith(".json"))
            problems.push(`${name} imports ${specifier}, which is not in the image`);
        } else if (
          !specifier.startsWith("node:") &&
          !builtins.has(specifier) &&
          !productionDependencies.has(packageOf(specifier))
        ) {
          problems.push(`${name} imports ${specifier}, which is not a production dependency`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  it("nothing under services/ but tests imports node:assert or the testkit", () => {
    const sources = filesUnder(join(root, "services"), ".ts").filter(
      (path) => !path.endsWith(".test.ts") && !path.includes(`${join("services", "web", "src")}`),
    );
    const problems = sources.flatMap((file) =>
      importsOf(readFileSync(file, "utf8"))
        .filter((specifier) => specifier.startsWith("node:assert") || specifier.includes("testkit/"))
        .map((specifier) => `${relative(root, file)} imports ${specifier}`),
    );
    assert.deepEqual(problems, []);
  });
});
