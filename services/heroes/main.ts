import { loadConfig } from "../platform/config/env-reader.js";
import { createLogger } from "../platform/observability/logger.js";
import { stopOnSignals } from "../platform/server/service-process.js";
import { startHeroes } from "./app.js";
import { heroesConfigFromEnv } from "./config.js";

const config = loadConfig(heroesConfigFromEnv);
const service = await startHeroes(config);
stopOnSignals(service, createLogger("heroes", config.logLevel));
