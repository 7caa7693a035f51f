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
}

/** The machine now; call `finishMachineInfo` at the end for `loadAfter`. */
export function machineInfo(): MachineInfo {
  const cores = cpus();
  return {
    cores: cores.length,
    cpuModel: cores[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadBefore: loadAverage(),
    loadAfter: [],
  };
}

/** `info` with the load average after the run. */
export function finishMachineInfo(info: MachineInfo): MachineInfo {
  return { ...info, loadAfter: loadAverage() };
}

/** 1, 5 and 15-minute load averages, two decimals. */
export function loadAverage(): number[] {
  return loadavg().map((value) => Math.round(value * 100) / 100);
}
