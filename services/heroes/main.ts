import { loadConfig } from "../platform/config.js";
import { createLogger } from "../platform/logger.js";
import { stopOnSignals } from "../platform/service-process.js";
import { startHeroes } from "./app.js";
import { heroesConfigFromEnv } from "./config.js";

const config = loadConfig(heroesConfigFromEnv);
const service = await startHeroes(config);
stopOnSignals(service, createLogger("heroes", config.logLevel));
