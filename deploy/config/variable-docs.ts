/**
 * What each setting means, keyed by the variable name without its service prefix (`GRPC_PORT`
 * for HEROES_GRPC_PORT ...). deploy/deploy.test.ts fails when the code reads a variable that has
 * no entry here, so the README table cannot leave one out.
 */
export const variableDocs: Record<string, string> = {
  LOG_LEVEL: "pino log level of every service",
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT:
    "OTLP/HTTP traces URL, used as is (`http://jaeger:4318/v1/traces`); set (or the next one): spans are exported, unset: tracing off, no OpenTelemetry module loaded",
  OTEL_EXPORTER_OTLP_ENDPOINT: "OTLP/HTTP base URL (`http://jaeger:4318`); traces go to `<url>/v1/traces`",
  OTEL_SERVICE_NAME: "`service.name` of the exported spans",
  OTEL_EXPORTER_OTLP_PROTOCOL: "OTLP encoding; this build sends JSON over HTTP",
  OTEL_SDK_DISABLED: "true: no tracing even with an endpoint",
  OTEL_TRACES_EXPORTER: "`otlp` (export when an endpoint is set) or `none` (no tracing even with an endpoint)",
  ACCESS_LOG: "one log line per gRPC call: every call, only calls that did not end OK (`errors`), or none",
  GRPC_HOST: "address the gRPC server binds",
  GRPC_PORT: "gRPC port (health, reflection and the service)",
  ADMIN_HOST:
    "address of the admin HTTP server (/metrics, /healthz, /readyz, /stats, /faults); beyond loopback it needs `_ADMIN_TOKEN`",
  ADMIN_PORT: "admin HTTP port",
  ADMIN_TOKEN:
    "bearer token of the admin routes except /healthz and /readyz, of FaultService and of fights' lab RPCs; required when `_ADMIN_HOST` is not loopback; unset: those RPCs answer loopback callers only",
  UPSTREAM_ADMIN_TOKEN:
    "bearer token fights sends to the data services' FaultService (their `_ADMIN_TOKEN`) when the page's lab changes their faults",
  MAX_IN_FLIGHT:
    "hard ceiling on calls handled at once, streams included; past it RESOURCE_EXHAUSTED at once (load shedding)",
  CONCURRENCY_LIMIT:
    "limit on unary calls under the ceiling: `adaptive` follows measured latency (gradient: shrinks when calls take " +
    "longer than a call that waits for nothing), `fixed` is the ceiling alone; past it RESOURCE_EXHAUSTED at once",
  CONCURRENCY_MIN_LIMIT: "floor of the adaptive limit, calls in flight",
  CONCURRENCY_INITIAL_LIMIT: "adaptive limit before anything was measured, calls in flight (at or above the floor)",
  MAX_MESSAGE_BYTES: "largest request or response message, bytes",
  SHUTDOWN_GRACE_MS: "time in-flight calls get to finish on SIGTERM/SIGINT, ms",
  RELEASE_CLOSED_STREAMS:
    "drop a closed HTTP/2 stream's listeners one turn after it closed, so a finished call's objects die in the young generation instead of being promoted (bench/README.md: What the runs showed); false: Node's and grpc-js's behaviour as is",
  FAULTS_ENABLED:
    "allow fault injection (the `_FAULT_*` values, the admin `/faults` route, FaultService and the page's lab); `npm start` sets it for the data services unless you do",
  FAULT_LATENCY_MS: "injected latency before each call, ms",
  FAULT_JITTER_MS: "extra random latency, 0..N ms",
  FAULT_ERROR_RATE: "fraction of calls failed on purpose, 0 to 1",
  FAULT_ERROR_CODE: "status code of the failed calls (a gRPC status name)",
  TLS_CERT_FILE: "PEM certificate of the gRPC listener (with `_TLS_KEY_FILE`); unset: plaintext",
  TLS_KEY_FILE: "PEM private key of the gRPC listener",
  TLS_CLIENT_CA_FILE: "PEM CA that signs client certificates: mutual TLS",
  UPSTREAM_TLS_CA_FILE:
    "PEM CA of the data services' certificates: TLS to the upstreams, whose targets must then be DNS names (not IP addresses); unset: plaintext",
  UPSTREAM_TLS_CERT_FILE: "PEM client certificate for mutual TLS to the upstreams (with `_KEY_FILE`)",
  UPSTREAM_TLS_KEY_FILE: "PEM private key of that client certificate",
  WEB_TLS_CERT_FILE: "PEM certificate of the web port (HTTPS); unset: the gRPC key pair if any, else HTTP",
  WEB_TLS_KEY_FILE: "PEM private key of the web port",
  DATABASE_URL: "PostgreSQL URL (`postgresql://user:password@host:5432/db`); unset: embedded PGlite",
  DATA_DIR: "PGlite data folder; unset: in memory (ignored with a URL)",
  DB_POOL_SIZE: "most PostgreSQL connections",
  SEED: "seed an empty table at start-up",
  HEROES_TARGET:
    "gRPC target of heroes: `host:port`, `ipv4:a:1,b:2` or `dns:///heroes:50051` (round_robin over every address)",
  VILLAINS_TARGET: "gRPC target of villains",
  LOCATIONS_TARGET: "gRPC target of locations",
  HEROES_TIMEOUT_MS: "cap on the deadline of each heroes call, ms (the caller's deadline wins when shorter)",
  VILLAINS_TIMEOUT_MS: "cap on the deadline of each villains call, ms",
  LOCATIONS_TIMEOUT_MS: "cap on the deadline of each locations call, ms",
  UPSTREAM_MODE: "fetch the three fighters concurrently or one after another (for comparison)",
  UPSTREAM_MAX_ATTEMPTS: "attempts per idempotent upstream read, the first included (channel retry policy)",
  HEDGE_MS: "> 0: hedge idempotent reads after this many ms instead of retrying",
  SLOW_CALL_MS: "upstream calls slower than this are logged at warn, ms",
  BREAKER_SLOW_CALL_MS:
    "ceiling of the breaker's slow-call threshold (3 × the upstream's rolling p99, at least the floor): slower successes count against the breaker, ms",
  BREAKER_SLOW_CALL_FLOOR_MS: "floor of the breaker's slow-call threshold, ms",
  BREAKER_ENABLED: "circuit breaker per upstream",
  BREAKER_WINDOW_MS:
    "rolling window of the breaker's weighted failure rate, ms (judged over its newest tenth, two tenths, ... and whole)",
  BREAKER_FAILURE_RATE:
    "weighted failure rate that opens the breaker, % of calls (UNAVAILABLE and the upstream's own timeout weigh 2, INTERNAL 1.5, a slow success 1, other errors 0.5)",
  BREAKER_MIN_CALLS: "calls a part of the window must hold before its rate may open the breaker",
  BREAKER_OPEN_MS:
    "first open time before half-open probes, ms (backs off on repeated trips); the breaker goes half-open sooner when the upstream's health comes back to SERVING",
  BREAKER_MAX_OPEN_MS: "longest open time after repeated trips, ms",
  BREAKER_HALF_OPEN_PROBES: "calls let through while half-open",
  BREAKER_SUCCESS_THRESHOLD: "successful probes that close the breaker",
  FIGHTER_SOURCE: "random fighters: a call per pick, calls coalesced per event-loop turn, or a pool",
  COALESCE_MAX_WAIT_MS: "how long a coalesced batch may wait for more requests, ms (0: one event-loop turn)",
  POOL_SIZE: "fighters kept per kind in `pool` mode",
  POOL_TTL_MS: "age after which pooled fighters are refreshed, ms",
  WATCH_MAX_QUEUED: "fights a WatchFights reader may fall behind before it is dropped",
  WRITE_MAX_BATCH: "most fights in one insert",
  WEB_HOST: "address of the page and Connect/gRPC-Web edge",
  WEB_PORT: "HTTP/1.1 port of the page and the Connect/gRPC-Web edge",
  WEB_ORIGINS:
    "other origins allowed to call the web edge (CORS), comma-separated or `*`; empty: only the page served here",
  WEB_STATIC_DIR: "folder of the built page",
};
