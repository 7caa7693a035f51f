import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { runGhz } from "./ghz.js";
import { runH2load } from "./h2load.js";
import type { GeneratorName, RawRun } from "./load-report.js";
import type { LoadSpec } from "./load-spec.js";
import { runNodeLoad } from "./node-load.js";

const runners: Record<GeneratorName, (spec: LoadSpec) => Promise<RawRun>> = {
  ghz: runGhz,
  h2load: runH2load,
  node: runNodeLoad,
};

/** Whether an executable named `name` is on PATH. */
export function onPath(name: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The load generator to use: `preferred` when given (BENCH_GENERATOR), else ghz when on PATH,
 * else h2load, else the pure Node generator.
 */
export function chooseGenerator(preferred?: string): GeneratorName {
  if (preferred === "ghz" || preferred === "h2load" || preferred === "node") return preferred;
  if (preferred !== undefined && preferred !== "")
    throw new Error(`BENCH_GENERATOR="${preferred}" is not ghz, h2load or node`);
  if (onPath("ghz")) return "ghz";
  return onPath("h2load") ? "h2load" : "node";
}

/** Runs `spec` with the named generator. */
export function runGenerator(name: GeneratorName, spec: LoadSpec): Promise<RawRun> {
  return runners[name](spec);
}
