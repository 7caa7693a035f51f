import { type DescMessage, type DescService, type MessageShape, fromBinary, toBinary } from "@bufbuild/protobuf";
import type { ServiceDefinition } from "@grpc/grpc-js";

/**
 * Request bytes that are not a valid message. Decoding never throws inside grpc-js (it would
 * answer INTERNAL); the handler sees this instead and answers INVALID_ARGUMENT.
 */
export class MalformedRequest {
  constructor(readonly reason: string) {}
}

/**
 * The grpc-js `ServiceDefinition` of a generated service: path `/${typeName}/${name}` and
 * binary (de)serialization with the generated schemas. Used by servers and clients alike.
 */
export function grpcDefinitionFromDesc(service: DescService): ServiceDefinition {
  const definition: Record<string, ServiceDefinition[string]> = {};
  for (const method of service.methods) {
    definition[method.localName] = {
      path: `/${service.typeName}/${method.name}`,
      originalName: method.name,
      requestStream: method.methodKind === "client_streaming" || method.methodKind === "bidi_streaming",
      responseStream: method.methodKind === "server_streaming" || method.methodKind === "bidi_streaming",
      requestSerialize: (message: MessageShape<DescMessage>) => Buffer.from(toBinary(method.input, message)),
      requestDeserialize: (bytes: Buffer) => decode(method.input, bytes),
      responseSerialize: (message: MessageShape<DescMessage>) => Buffer.from(toBinary(method.output, message)),
      responseDeserialize: (bytes: Buffer) => fromBinary(method.output, bytes),
    };
  }
  return definition;
}

function decode(schema: DescMessage, bytes: Buffer): MessageShape<DescMessage> | MalformedRequest {
  try {
    return fromBinary(schema, bytes);
  } catch (error: unknown) {
    return new MalformedRequest(error instanceof Error ? error.message : String(error));
  }
}
