/**
 * Prints the hot spots of every V8 CPU profile under a folder (what `BENCH_CPU_PROFILE=<dir>
 * npm run bench -- <scenario>` writes): per profile, the functions with the most self time and
 * the share of time spent per package (our code, grpc-js, pg, pino, node internals...).
 *
 *   npm run bench:profile-summary -- <dir> [top=15]
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [dir = "", topText = "15"] = process.argv.slice(2);
if (dir === "") {
  process.stderr.write("usage: npm run bench:profile-summary -- <dir written by BENCH_CPU_PROFILE> [top]\n");
  process.exit(2);
}
const files = readdirSync(dir, { recursive: true, encoding: "utf8" })
  .map((name) => join(dir, name))
  .filter((path) => path.endsWith(".cpuprofile") && statSync(path).isFile())
  .sort();
if (files.length === 0) {
  process.stderr.write(`no .cpuprofile under ${dir}\n`);
  process.exit(1);
}
for (const file of files)
  process.stdout.write(summarize(relative(dir, file), JSON.parse(readFileSync(file, "utf8")) as CpuProfile));

function summarize(name: string, profile: CpuProfile): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  const total = [...selfUs.values()].reduce((sum, us) => sum + us, 0);
  const idle = sumWhere(selfUs, byId, (node) =>
    ["(idle)", "(program)", "(garbage collector)"].includes(node.callFrame.functionName),
  );
  const byFunction = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    const where = frame.url === "" ? "" : ` ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName || "(anonymous)"}${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    byPackage.set(packageOf(frame), (byPackage.get(packageOf(frame)) ?? 0) + us);
  }
  const percent = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
  const busy = total - idle;
  const lines = [
    `\n## ${name}: ${(total / 1e6).toFixed(1)} s sampled, ${percent(busy)} busy (not idle, program or GC: ${percent(idle)})`,
    "by package (self time):",
    ...top(byPackage, 10).map(([key, us]) => `  ${percent(us)}  ${key}`),
    `top ${topText} functions (self time):`,
    ...top(byFunction, Number(topText)).map(([key, us]) => `  ${percent(us)}  ${key}`),
  ];
  return `${lines.join("\n")}\n`;
}

function sumWhere(
  selfUs: Map<number, number>,
  byId: Map<number, ProfileNode>,
  test: (node: ProfileNode) => boolean,
): number {
  let sum = 0;
  for (const [id, us] of selfUs) if (test(byId.get(id)!)) sum += us;
  return sum;
}

function top(map: Map<string, number>, count: number): [string, number][] {
  return [...map].sort(([, a], [, b]) => b - a).slice(0, count);
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) return url.slice(modules + "node_modules/".length);
  const project = url.indexOf("/services/");
  return project >= 0 ? url.slice(project + 1) : url.replace(/^file:\/\//, "");
}

function packageOf(frame: ProfileNode["callFrame"]): string {
  const { url, functionName } = frame;
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node internals";
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const parts = url.slice(modules + "node_modules/".length).split("/");
    return parts[0]!.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  return "our code";
}
