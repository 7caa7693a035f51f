import {
  type DescMessage,
  type DescMethod,
  type MessageInitShape,
  type MessageShape,
  create,
  fromBinary,
  toBinary,
} from "@bufbuild/protobuf";
import { type CallOptions, Client, credentials, Metadata, type ServiceError } from "@grpc/grpc-js";

/** Per-call options of the test client. */
export interface TestCallOptions {
  /** Sent as request metadata, e.g. `{ traceparent: "00-..." }`. */
  metadata?: Record<string, string>;
  /** Deadline from now, in milliseconds; default 5000 so a broken server cannot hang a test. */
  deadlineMs?: number;
}

/** A plaintext grpc-js client of `127.0.0.1:port`; close it with `client.close()`. */
export function createTestClient(port: number): Client {
  return new Client(`127.0.0.1:${port}`, credentials.createInsecure());
}

/** One unary call of a generated method with typed request and response. */
export function callUnary<I extends DescMessage, O extends DescMessage>(
  client: Client,
  method: DescMethod & { input: I; output: O },
  request: MessageInitShape<I>,
  options: TestCallOptions = {},
): Promise<MessageShape<O>> {
  const path = `/${method.parent.typeName}/${method.name}`;
  return callRawUnary(client, path, Buffer.from(toBinary(method.input, create(method.input, request))), options).then(
    (bytes) => fromBinary(method.output, bytes),
  );
}

/** One unary call with request bytes as given: for malformed, oversize or unknown-method calls. */
export function callRawUnary(
  client: Client,
  path: string,
  request: Buffer,
  options: TestCallOptions = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(
      path,
      (bytes: Buffer) => bytes,
      (bytes: Buffer) => bytes,
      request,
      metadataFrom(options.metadata),
      callOptions(options),
      (error: ServiceError | null, response?: Buffer) => (error ? reject(error) : resolve(response ?? Buffer.alloc(0))),
    );
  });
}

/** grpc-js metadata from a plain record. */
export function metadataFrom(record: Record<string, string> = {}): Metadata {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(record)) metadata.set(key, value);
  return metadata;
}

/** Call options with the test's deadline. */
export function callOptions(options: TestCallOptions = {}): CallOptions {
  return { deadline: Date.now() + (options.deadlineMs ?? 5000) };
}
