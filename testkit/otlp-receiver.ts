import { once } from "node:events";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

/** One span as an OTLP/HTTP JSON export carried it, with its resource's service name. */
export interface ReceivedSpan {
  serviceName: string;
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  kind: "internal" | "server" | "client" | "producer" | "consumer" | "unspecified";
  attributes: Record<string, string | number | boolean>;
  /** 0 unset, 1 OK, 2 ERROR (OTLP StatusCode). */
  statusCode: number;
  links: { traceId: string; spanId: string }[];
  /** End minus start time, ms. */
  durationMs: number;
}

/** A local OTLP/HTTP traces receiver. */
export interface OtlpReceiver {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT (the exporter posts to `<url>/v1/traces`). */
  url: string;
  spans(): readonly ReceivedSpan[];
  /** Export requests that were not JSON OTLP (the test should see none). */
  rejected(): number;
  close(): Promise<void>;
}

/**
 * A real OTLP/HTTP receiver on an ephemeral loopback port: accepts `POST /v1/traces` with
 * `application/json` bodies (ExportTraceServiceRequest in the OTLP JSON encoding: hex ids,
 * enum numbers), answers 200 `{}` as a collector does, and keeps every span it decoded.
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  let rejected = 0;
  const server = createServer((request, response) => {
    void receive(request, response).then(
      (received) => spans.push(...received),
      () => (rejected += 1),
    );
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    spans: () => spans,
    rejected: () => rejected,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function receive(request: IncomingMessage, response: ServerResponse): Promise<ReceivedSpan[]> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const json = request.method === "POST" && request.url === "/v1/traces" && isJson(request);
  response.writeHead(json ? 200 : 415, { "content-type": "application/json" }).end("{}");
  if (!json) throw new Error(`not an OTLP JSON export: ${request.method} ${request.url}`);
  return spansFrom(JSON.parse(Buffer.concat(chunks).toString("utf8")) as ExportRequest);
}

function isJson(request: IncomingMessage): boolean {
  return (request.headers["content-type"] ?? "").startsWith("application/json");
}

interface KeyValue {
  key: string;
  value: { stringValue?: string; intValue?: string | number; boolValue?: boolean; doubleValue?: number };
}

interface ExportRequest {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind?: number;
        attributes?: KeyValue[];
        status?: { code?: number };
        startTimeUnixNano?: string | number;
        endTimeUnixNano?: string | number;
        links?: { traceId: string; spanId: string }[];
      }[];
    }[];
  }[];
}

const kinds = ["unspecified", "internal", "server", "client", "producer", "consumer"] as const;

function spansFrom(request: ExportRequest): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap((resourceSpans) => {
    const serviceName = String(attributesFrom(resourceSpans.resource?.attributes)["service.name"] ?? "");
    return (resourceSpans.scopeSpans ?? []).flatMap((scope) =>
      (scope.spans ?? []).map((span) => ({
        serviceName,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId ?? "",
        name: span.name,
        kind: kinds[span.kind ?? 0] ?? "unspecified",
        attributes: attributesFrom(span.attributes),
        statusCode: span.status?.code ?? 0,
        links: (span.links ?? []).map(({ traceId, spanId }) => ({ traceId, spanId })),
        durationMs: Number(BigInt(span.endTimeUnixNano ?? 0) - BigInt(span.startTimeUnixNano ?? 0)) / 1e6,
      })),
    );
  });
}

function attributesFrom(list: KeyValue[] | undefined): Record<string, string | number | boolean> {
  const result: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) {
    const scalar = value.stringValue ?? value.boolValue ?? value.doubleValue ?? value.intValue;
    if (scalar !== undefined) result[key] = typeof scalar === "string" && "intValue" in value ? Number(scalar) : scalar;
  }
  return result;
}
