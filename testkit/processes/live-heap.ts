import { fileURLToPath } from "node:url";
import type { NodeProcess } from "./node-process.js";
import { waitFor } from "../wait-for.js";

/** NODE_OPTIONS that let `liveHeapBytes` measure a process: gc exposed, the probe preloaded. */
export const liveHeapNodeOptions = `--expose-gc --import=${fileURLToPath(new URL("./gc-probe.mjs", import.meta.url))}`;

/** The heap a process holds after two full collections, bytes (it must run with `liveHeapNodeOptions`). */
export async function liveHeapBytes(process: NodeProcess): Promise<number> {
  const before = probes(process).length;
  process.signal("SIGUSR2");
  await waitFor("the gc probe's answer", () => probes(process).length > before, 10_000);
  return probes(process).at(-1)!.heapUsed;
}

function probes(process: NodeProcess): { heapUsed: number }[] {
  return process
    .stderrTail()
    .split("\n")
    .filter((line) => line.startsWith('{"gcProbe"'))
    .map((line) => (JSON.parse(line) as { gcProbe: { heapUsed: number } }).gcProbe);
}
