import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import { type FileDescriptorProto, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { Client, MethodDefinition } from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { callOptions } from "./grpc-test-client.js";
import { loadedMethod } from "./loaded-method.js";

/** The two reflection API versions grpcurl and ghz speak. */
export type ReflectionVersion = "v1" | "v1alpha";

/** One reflection question (exactly one field set), camelCase as proto-loader names them. */
export type ReflectionRequest =
  { listServices: string } | { fileContainingSymbol: string } | { fileByFilename: string };

/** The parts of a reflection answer the tests read. */
export interface ReflectionAnswer {
  /** Fully-qualified service names, from `list_services`. */
  services: string[];
  /** Decoded file descriptors, from `file_containing_symbol` / `file_by_filename`. */
  files: FileDescriptorProto[];
  /** `error_response`, when the server sent one. */
  error: { errorCode: number; errorMessage: string } | undefined;
}

// The reflection protos ship inside @grpc/reflection (build/src/index.js → build/proto).
const protoRoot = join(dirname(createRequire(import.meta.url).resolve("@grpc/reflection")), "..", "proto");

const methods: Record<ReflectionVersion, MethodDefinition<object, object>> = {
  v1: loadMethod("v1", "grpc.reflection.v1.ServerReflection"),
  v1alpha: loadMethod("v1alpha", "grpc.reflection.v1alpha.ServerReflection"),
};

/** Asks one reflection question over a ServerReflectionInfo stream and returns the answer. */
export function reflect(
  client: Client,
  version: ReflectionVersion,
  request: ReflectionRequest,
): Promise<ReflectionAnswer> {
  const method = methods[version];
  const stream = client.makeBidiStreamRequest(
    method.path,
    method.requestSerialize,
    method.responseDeserialize,
    callOptions(),
  );
  return new Promise((resolve, reject) => {
    stream.once("data", (response: object) => {
      resolve(answerFrom(response));
      stream.end();
    });
    stream.once("error", reject);
    stream.write(request);
  });
}

function loadMethod(version: ReflectionVersion, service: string): MethodDefinition<object, object> {
  const definition = loadSync(join(protoRoot, "grpc", "reflection", version, "reflection.proto"), { defaults: true });
  return loadedMethod(definition, service, "ServerReflectionInfo");
}

interface RawResponse {
  listServicesResponse?: { service?: { name?: string }[] } | null;
  fileDescriptorResponse?: { fileDescriptorProto?: Uint8Array[] } | null;
  errorResponse?: { errorCode?: number; errorMessage?: string } | null;
}

function answerFrom(response: object): ReflectionAnswer {
  const raw = response as RawResponse;
  return {
    services: (raw.listServicesResponse?.service ?? []).map((service) => service.name ?? ""),
    files: (raw.fileDescriptorResponse?.fileDescriptorProto ?? []).map((bytes) =>
      fromBinary(FileDescriptorProtoSchema, bytes),
    ),
    error: raw.errorResponse
      ? { errorCode: raw.errorResponse.errorCode ?? 0, errorMessage: raw.errorResponse.errorMessage ?? "" }
      : undefined,
  };
}
