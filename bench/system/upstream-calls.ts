import type { BenchProcess } from "./launch.js";
import { countTotal, handledByCode, readExposition } from "./service-metrics.js";

/** Calls handled by the data services, all methods and codes (health and reflection excluded). */
export async function upstreamCallCount(data: readonly BenchProcess[]): Promise<number> {
  const counts = await Promise.all(
    data.map(async (service) => countTotal(handledByCode(await readExposition(service.adminPort)))),
  );
  return counts.reduce((total, count) => total + count, 0);
}
