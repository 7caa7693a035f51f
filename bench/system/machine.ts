import { readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";

/** The machine a result was measured on. */
export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  /** 1-minute load average before and after the scenario: above the core count, others were busy. */
  loadBefore: number[];
  loadAfter: number[];
  /**
   * Share of the machine's CPU time the hypervisor gave to others during the scenario (steal,
   * from /proc/stat; undefined where the kernel does not say). On a virtual machine a busy host
   * slows every figure alike; alternating rounds keep ratios comparable, absolute figures are not.
   */
  stealShare?: number;
}

/** Total and stolen CPU time, in /proc/stat's ticks. */
interface CpuTimes {
  total: number;
  steal: number;
}

/** The machine now, and `finish()` for what the scenario's run adds: `loadAfter` and `stealShare`. */
export function recordMachine(): { finish(): MachineInfo } {
  const cores = cpus();
  const info: MachineInfo = {
    cores: cores.length,
    cpuModel: cores[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadBefore: loadAverage(),
    loadAfter: [],
  };
  const before = cpuTimes();
  return {
    finish() {
      const after = cpuTimes();
      const share =
        before === undefined || after === undefined || after.total <= before.total
          ? undefined
          : (after.steal - before.steal) / (after.total - before.total);
      return {
        ...info,
        loadAfter: loadAverage(),
        ...(share === undefined ? {} : { stealShare: Math.round(share * 1000) / 1000 }),
      };
    },
  };
}

/** The machine's CPU times from /proc/stat's `cpu` line (user nice system idle iowait irq softirq steal). */
function cpuTimes(): CpuTimes | undefined {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
    if (fields.length < 8 || fields.some((value) => !Number.isFinite(value))) return undefined;
    return { total: fields.reduce((sum, value) => sum + value, 0), steal: fields[7]! };
  } catch {
    return undefined;
  }
}

/** 1, 5 and 15-minute load averages, two decimals. */
export function loadAverage(): number[] {
  return loadavg().map((value) => Math.round(value * 100) / 100);
}
