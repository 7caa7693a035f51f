/** An admin HTTP answer: status and body (parsed JSON when the server sent JSON). */
export interface AdminResponse {
  status: number;
  body: unknown;
}

/** Options of `adminRequest`. */
export interface AdminRequestOptions {
  method?: "GET" | "PUT" | "POST" | "DELETE";
  /** Sent as the request body, JSON-encoded unless already a string. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** One request to an admin server on `127.0.0.1:port`, bounded to 5 s. */
export async function adminRequest(
  port: number,
  path: string,
  options: AdminRequestOptions = {},
): Promise<AdminResponse> {
  const body =
    options.body === undefined
      ? undefined
      : typeof options.body === "string"
        ? options.body
        : JSON.stringify(options.body);
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: options.method ?? "GET",
    headers: options.headers,
    body,
    signal: AbortSignal.timeout(5000),
  });
  const text = await response.text();
  const json = response.headers.get("content-type")?.startsWith("application/json") ?? false;
  return { status: response.status, body: json ? JSON.parse(text) : text };
}

/**
 * The value of one sample in Prometheus text exposition: the line named `name` whose labels
 * include every given label. Undefined when there is no such sample.
 */
export function metricValue(exposition: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of exposition.split("\n")) {
    const match = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const present = Object.fromEntries(
      [...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key, value]),
    );
    if (Object.entries(labels).every(([key, value]) => present[key] === value)) return Number(match[3]);
  }
  return undefined;
}

/** Reads `/metrics` of an admin server and returns one sample's value (see `metricValue`). */
export async function readMetric(
  adminPort: number,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const { status, body } = await adminRequest(adminPort, "/metrics");
  if (status !== 200 || typeof body !== "string") throw new Error(`/metrics answered ${status}`);
  return metricValue(body, name, labels);
}
