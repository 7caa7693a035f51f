import type { ListeningPorts } from "./child-service.js";
import type { ServiceName } from "../../services/service-list.js";

/** One started service as the banner shows it. */
export interface StartedService {
  name: ServiceName;
  pid: number;
  ports: ListeningPorts;
  database: string;
  /** Whether the admin routes other than /healthz and /readyz need a bearer token. */
  adminToken: boolean;
}

/** The lines printed once everything is SERVING: page, gRPC ports, admin URLs and a grpcurl hint. */
export function renderBanner(services: readonly StartedService[], startedInMs: number): string {
  const fights = services.find((service) => service.name === "fights");
  const rows = services.map((service) => {
    const admin = `http://localhost:${service.ports.adminPort}`;
    return `  ${service.name.padEnd(10)} gRPC localhost:${String(service.ports.grpcPort).padEnd(6)} admin ${admin}/metrics ${admin}/stats${service.adminToken ? " (bearer token)" : ""}  ${service.database}, pid ${service.pid}`;
  });
  const grpcPort = fights?.ports.grpcPort ?? 50050;
  const heroesPort = services.find((service) => service.name === "heroes")?.ports.grpcPort ?? 50051;
  return [
    "",
    `${services.length === 4 ? "All four services are" : `${services.map((service) => service.name).join(", ")} ${services.length === 1 ? "is" : "are"}`} SERVING (${(startedInMs / 1000).toFixed(1)} s).`,
    "",
    `  page       http://localhost:${fights?.ports.webPort ?? 8080}/`,
    ...rows,
    "",
    "Try:",
    `  grpcurl -plaintext localhost:${grpcPort} list`,
    `  grpcurl -plaintext -max-time 2 localhost:${grpcPort} superheroes.fight.v1.FightService/PerformRandomFight`,
    `  grpcurl -plaintext -d '{"count": 3}' localhost:${heroesPort} superheroes.hero.v1.HeroService/GetRandomHeroes`,
    "",
    "Ctrl-C stops everything.",
    "",
  ].join("\n");
}
