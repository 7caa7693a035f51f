import type { AdminAccessRule } from "../../platform/admin/admin-access.js";
import type { LabTraffic } from "./lab-traffic.js";
import type { MetricsSampler } from "./metrics-sampler.js";
import type { UpstreamFaults } from "./upstream-faults.js";

/**
 * The resilience lab of the fights service: the data services' faults, the lab's own traffic,
 * the live numbers the page charts, and the admin rule the lab's changes are made under.
 */
export interface FightLab {
  faults: UpstreamFaults;
  traffic: LabTraffic;
  metrics: MetricsSampler;
  /** fights' own admin rule (FIGHTS_ADMIN_TOKEN): the same as its admin port's. */
  access: AdminAccessRule;
}
