/**
 * The Node flags a service runs with in the container (the Dockerfile's ENTRYPOINT, checked by
 * deploy/deploy.test.ts) and in the bench (bench/system/launch.ts), so the bench measures what the
 * container runs. `npm start` runs with its own, for a laptop (deploy/local/launch.ts).
 *
 * `--enable-source-maps`: stack traces in logs point at the TypeScript sources (no cost measured
 * on the fight path: lone-fight p50 within the run-to-run noise with and without it).
 *
 * `--no-allocation-site-pretenuring`: V8 allocates straight into the old generation the objects of
 * any allocation site whose objects mostly survived their first young-generation GC. A call's
 * objects often do (the HTTP/2 stream of a call survives scavenges until a full GC, see
 * platform/grpc/closed-streams.ts), so V8 pretenured the per-call sites and every call's objects
 * then died in the old generation: fights' old generation grew 15.5–16.3 MiB/s at 2,000 fights/s
 * (~8 KB a fight), one mark-compact after another. Without pretenuring 2.8–2.9 MiB/s (~1.5 KB).
 * `npm run bench -- fight-max breaker`, alternating pairs, PostgreSQL: fight p99 at 2,000 fights/s
 * 13.0 / 13.9 ms against 47.6 / 50.3 (1.2–1.3× the bare echo's p99 against 6.0–6.2×), the
 * breaker's killed-upstream ratio 3.70 / 3.93 against 3.50 / 2.76, fights/s, a lone fight's p50 and
 * the overload figures unchanged.
 *
 * Not here, measured: `--max-semi-space-size`. V8 grows each service's young generation to ~50 MiB
 * under load and keeps it (Node 26, `nodejs_heap_space_size_total_bytes{space="new"}` 52–54 MiB
 * after 8 s of 64 callers). `npm run bench -- fight-max`, alternating, PostgreSQL: with 4 MiB the
 * data services held 112–129 MiB RSS after the load and fights 207–223, at 2,087–2,340 fights/s;
 * with 8 MiB 132–159 / 218–221 MiB at 2,446–2,462; with V8's default 179–194 / 266–285 MiB at
 * 2,200–2,944. Fights/s first by default; `NODE_OPTIONS=--max-semi-space-size=4` trades ~15 % of
 * them for ~60 MiB per service (bench/README.md: What the runs showed).
 * Nor for the data services alone, which coalescing spares most calls (a later machine,
 * `npm run bench -- fight-max`, alternating): with 4 or 2 MiB they held 127–137 and 114–117 MiB
 * RSS after the load against 176–189, at the same fights/s (3,568–3,780 and 3,628 against
 * 3,592–3,932), for ~10 % more of their own CPU, and fights' p99 at 2,000 fights/s was 27–82 ms
 * against 19–33 (three pairs; which of their collections the tail waits on was not looked into).
 */
/** Also passed by `npm start` (deploy/local/launch.ts): its reason above holds on a laptop too. */
export const noPretenuring = "--no-allocation-site-pretenuring";

export const containerNodeFlags: readonly string[] = ["--enable-source-maps", noPretenuring];
