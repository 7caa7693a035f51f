import { FightService } from "../../../gen/superheroes/fight/v1/fight_service_pb.js";
import type { ServiceImplementation } from "../../platform/core/service-implementation.js";
import type { UpstreamStats } from "../../platform/calls/upstream-client.js";
import {
  fightersFromRequest,
  fightersToMessage,
  fightToMessage,
  teamToMessage,
  upstreamStatusToMessage,
} from "./fight-messages.js";
import type { FightsService } from "../fights-service.js";
import { checkAdminAccess } from "../../platform/admin/admin-access.js";
import { faultSettingsFromMessage } from "../../platform/faults/fault-service.js";
import type { FightLab } from "../lab/fight-lab.js";
import {
  labTrafficToMessage,
  metricsSampleToMessage,
  upstreamFromRequest,
  upstreamLabToMessage,
} from "./lab-messages.js";

/**
 * FightService over the protocol-free fights service: messages in, domain calls, messages out.
 * Used by the grpc-js server and, unchanged, by the Connect (browser) edge.
 */
export function createFightServiceImplementation(
  fights: FightsService,
  upstreams: () => UpstreamStats[],
  lab: FightLab,
): ServiceImplementation<typeof FightService> {
  return {
    getRandomFighters: async (_request, context) => ({
      fighters: fightersToMessage(await fights.randomFighters(context)),
    }),
    performFight: async (request, context) => ({
      fight: fightToMessage(await fights.performFight(fightersFromRequest(request), context)),
    }),
    performRandomFight: async (_request, context) => ({
      fight: fightToMessage(await fights.performRandomFight(context)),
    }),
    performRandomFights: async (request, context) => ({
      fights: (await fights.performRandomFights(request.count, context)).map(fightToMessage),
    }),
    getFight: async (request) => ({ fight: fightToMessage(await fights.getFight(request.id)) }),
    async listFights(request) {
      const page = await fights.listFights(request.pageSize, request.pageToken);
      return { fights: page.fights.map(fightToMessage), nextPageToken: page.nextPageToken };
    },
    async getFightStats() {
      const stats = await fights.stats();
      return {
        heroWins: BigInt(stats.heroWins),
        villainWins: BigInt(stats.villainWins),
        heroWinRatio: stats.heroWinRatio,
        topWinners: stats.topWinners.map((winner) => ({
          name: winner.name,
          team: teamToMessage(winner.team),
          wins: BigInt(winner.wins),
        })),
        fallbackFights: BigInt(stats.fallbackFights),
      };
    },
    async *watchFights(_request, context) {
      for await (const fight of fights.watch(context.signal)) yield { fight: fightToMessage(fight) };
    },
    getUpstreamStatus: async () => ({ upstreams: upstreams().map(upstreamStatusToMessage) }),
    async *watchMetrics(_request, context) {
      for await (const sample of lab.metrics.watch(context.signal)) yield { sample: metricsSampleToMessage(sample) };
    },
    async getLab(_request, context) {
      checkAdminAccess(context.caller, lab.access, "GetLab");
      return {
        upstreams: (await lab.faults.states()).map(upstreamLabToMessage),
        traffic: labTrafficToMessage(lab.traffic.state()),
      };
    },
    async setUpstreamFaults(request, context) {
      checkAdminAccess(context.caller, lab.access, "SetUpstreamFaults");
      const upstream = upstreamFromRequest(request.upstream);
      const faults = faultSettingsFromMessage(request.faults, "faults");
      return { upstream: upstreamLabToMessage(await lab.faults.set(upstream, faults)) };
    },
    async setLabTraffic(request, context) {
      checkAdminAccess(context.caller, lab.access, "SetLabTraffic");
      return { traffic: labTrafficToMessage(lab.traffic.set(request.fightsPerSecond, request.durationSeconds)) };
    },
  };
}
