import { create } from "@bufbuild/protobuf";
import { type ClientReadableStream, Metadata, status as Status, type ServiceError } from "@grpc/grpc-js";
import {
  FightService,
  WatchFightsRequestSchema,
  type WatchFightsResponse,
} from "../../gen/superheroes/fight/v1/fight_service_pb.js";
import type { ServiceClient } from "../../services/platform/calls/grpc-client.js";
import { grpcDefinitionFromDesc } from "../../services/platform/grpc/grpc-definition.js";

/** An open WatchFights stream and what it has received so far. */
export interface FightWatcher {
  stream: ClientReadableStream<WatchFightsResponse>;
  received: WatchFightsResponse[];
  /** `performance.now()` when each message arrived, index for index with `received`. */
  receivedAt: number[];
  /** The ids received, in order. */
  ids(): bigint[];
  ended: Promise<{ code: number; details: string }>;
}

/** Opens WatchFights on the given fights client. */
export function watchFights(client: ServiceClient<typeof FightService>): FightWatcher {
  const { path, requestSerialize, responseDeserialize } = grpcDefinitionFromDesc(FightService).watchFights!;
  const stream = client.grpc.makeServerStreamRequest(
    path,
    requestSerialize,
    responseDeserialize,
    create(WatchFightsRequestSchema),
    new Metadata(),
  ) as ClientReadableStream<WatchFightsResponse>;
  const received: WatchFightsResponse[] = [];
  const receivedAt: number[] = [];
  stream.on("data", (message: WatchFightsResponse) => {
    received.push(message);
    receivedAt.push(performance.now());
  });
  const ended = new Promise<{ code: number; details: string }>((resolve) => {
    stream.on("error", (error: ServiceError) => resolve({ code: error.code, details: error.details }));
    stream.on("end", () => resolve({ code: Status.OK, details: "" }));
  });
  return { stream, received, receivedAt, ids: () => received.map((message) => message.fight?.id ?? 0n), ended };
}
