import type { Scenario } from "../scenario.js";
import { batchScenario } from "./batch.js";
import { breakerScenario } from "./breaker.js";
import { coalesceScenario } from "./coalesce.js";
import { echoScenario } from "./echo.js";
import { fanOutScenario } from "./fan-out.js";
import { fightMaxScenario } from "./fight-max.js";
import { latencyScenario } from "./latency.js";
import { memoryLimitScenario } from "./memory-limit.js";
import { npmStartScenario } from "./npm-start.js";
import { overloadScenario } from "./overload.js";
import { randomHeroScenario } from "./random-hero.js";
import { streamReleaseScenario } from "./stream-release.js";
import { tracingScenario } from "./tracing.js";

/** Every scenario, in the order `npm run bench` runs them. */
export const scenarios: readonly Scenario[] = [
  echoScenario,
  randomHeroScenario,
  latencyScenario,
  fightMaxScenario,
  tracingScenario,
  fanOutScenario,
  coalesceScenario,
  batchScenario,
  breakerScenario,
  streamReleaseScenario,
  overloadScenario,
  memoryLimitScenario,
  npmStartScenario,
];
