import { Counter, Histogram, Registry } from "prom-client";
import {
  FightService,
  file_superheroes_fight_v1_fight_service,
} from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import { migrate, openDatabase } from "../platform/database/database.js";
import { registration } from "../platform/server/grpc-server.js";
import { createLogger } from "../platform/observability/logger.js";
import { startServiceProcess, type RunningService } from "../platform/server/service-process.js";
import type { FightsConfig } from "./config.js";
import { createFightFeed } from "./storage/fight-feed.js";
import { createFightWriter } from "./storage/fight-writer.js";
import { startFightNotices } from "./storage/fight-notices.js";
import { createFighterSource } from "./fighters/fighter-supply.js";
import { fightsMigrations, type FightsDatabase } from "./storage/fights-table.js";
import { createFightServiceImplementation } from "./edge/fight-contract.js";
import { createFightsRepository } from "./storage/fights-repository.js";
import { createFightsService } from "./fights-service.js";
import { createUpstreamSource, describeUpstreamFailure } from "./fighters/upstream-fighters.js";
import { createUpstreams } from "./fighters/upstream-policies.js";
import { startWebEdge } from "./edge/web-edge.js";
import { startTracing } from "../platform/observability/tracing.js";
import { createLabTraffic } from "./lab/lab-traffic.js";
import { createMetricsSampler } from "./lab/metrics-sampler.js";
import { createUpstreamFaults } from "./lab/upstream-faults.js";

/** The running fights service: its gRPC and admin servers plus the web edge. */
export interface RunningFights extends RunningService {
  webPort: number;
}

/** Starts the fights service: database, upstream channels, the service, its gRPC server and web edge. */
export async function startFights(config: FightsConfig): Promise<RunningFights> {
  const logger = createLogger("fights", config.logLevel);
  const registry = new Registry();
  const tracing = await startTracing(config.tracing, logger);
  const tracer = tracing?.tracer;
  const database = await openDatabase<FightsDatabase>({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.dbPoolSize,
    logger,
  });
  await migrate(database.db, fightsMigrations);
  const metrics = createMetricsSampler({ upstreams: () => upstreamStats() });
  const upstreams = createUpstreams(config, logger, registry, {
    ...(tracer === undefined ? {} : { tracer }),
    onCall: metrics.recordUpstreamCall,
  });
  const upstreamList = [upstreams.heroes, upstreams.villains, upstreams.locations];
  const fighterSource = createFighterSource(createUpstreamSource(upstreams), {
    mode: config.fighterSource,
    coalesceMaxWaitMs: config.coalesceMaxWaitMs,
    poolSize: config.poolSize,
    poolTtlMs: config.poolTtlMs,
    refillTimeoutMs: Math.max(...Object.values(config.upstreams).map((upstream) => upstream.timeoutMs)),
    ...(tracer === undefined ? {} : { tracer }),
  });
  const repository = createFightsRepository(database.db);
  const writer = createFightWriter(repository, { maxBatch: config.writeMaxBatch });
  const feed = createFightFeed(config.watchMaxQueued);
  const notices = await startFightNotices({
    database,
    repository,
    feed,
    logger,
    maxCatchUp: config.watchMaxQueued,
  });
  const fallbacks = new Counter({
    name: "fights_fallbacks_total",
    help: "Fighters or locations replaced by their fallback.",
    labelNames: ["kind"],
    registers: [registry],
  });
  const stages = new Histogram({
    name: "fights_stage_seconds",
    help: "Time per stage of a fight: each upstream pick (fallbacks included), the rules, the commit.",
    labelNames: ["stage"],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const fights = createFightsService({
    source: fighterSource.source,
    writer,
    repository,
    feed,
    upstreamMode: config.upstreamMode,
    onFallback: (kind, reason) => {
      fallbacks.inc({ kind });
      logger.debug({ kind, reason: reason instanceof Error ? reason.message : String(reason) }, "fallback used");
    },
    onStage: (stage, ms) => stages.observe({ stage }, ms / 1000),
    describeFailure: describeUpstreamFailure,
    ...(tracer === undefined ? {} : { tracer }),
    onFought: metrics.recordFights,
  });
  const upstreamStats = () => upstreamList.map((upstream) => upstream.stats());
  const traffic = createLabTraffic((context) => fights.performRandomFight(context), logger);
  const implementation = createFightServiceImplementation(fights, upstreamStats, {
    faults: createUpstreamFaults(upstreams, config.upstreamAdminToken),
    traffic,
    metrics,
    access: { token: config.adminToken, tokenVariable: "FIGHTS_ADMIN_TOKEN" },
  });
  const service = await startServiceProcess({
    name: "fights",
    config,
    logger,
    registry,
    services: [registration(FightService, implementation)],
    files: [file_superheroes_fight_v1_fight_service],
    readiness: () => database.ping(1000),
    stats: () => ({
      database: database.description,
      upstreamMode: config.upstreamMode,
      upstreams: upstreamStats(),
      fighterSource: fighterSource.stats(),
      writer: writer.stats(),
      watch: { ...feed.stats(), ...notices.stats() },
    }),
    close: async () => {
      traffic.close();
      metrics.close();
      upstreamList.forEach((upstream) => upstream.close());
      await notices.close();
      await database.close();
    },
    ...(tracing === undefined ? {} : { tracing }),
  });
  const web = await startWebEdge({
    host: config.webHost,
    port: config.webPort,
    allowedOrigins: config.webOrigins,
    staticDir: config.webStaticDir,
    maxMessageBytes: config.maxMessageBytes,
    implementation,
    limiter: service.grpc.loadShedder.limiter,
    logger,
    tls: config.webTls,
    ...(tracer === undefined ? {} : { tracer }),
  }).catch(async (error: unknown) => {
    await service.stop();
    throw error;
  });
  logger.info(
    { webPort: web.port },
    `page and Connect edge on ${config.webTls === undefined ? "http" : "https"}://localhost:${web.port}/`,
  );
  return {
    ...service,
    webPort: web.port,
    stop: async () => {
      await web.close();
      await service.stop();
    },
  };
}
