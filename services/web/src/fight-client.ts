import { createClient, type CallOptions, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { FightService } from "../../../gen/superheroes/fight/v1/fight_service_pb.js";

/** The FightService as the page calls it (Connect protocol, JSON, over fetch). */
export type FightClient = Client<typeof FightService>;

/** Deadline of every unary call of the page: long enough for a slow upstream, short enough to tell. */
export const unaryCall: CallOptions = { timeoutMs: 5_000 };

/** A FightService client for the fights web edge at `baseUrl` (the page's own origin). */
export function createFightClient(baseUrl: string): FightClient {
  return createClient(FightService, createConnectTransport({ baseUrl, useBinaryFormat: false }));
}
