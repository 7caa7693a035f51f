/**
 * The Node flags a service runs with in the container (the Dockerfile's ENTRYPOINT, checked by
 * deploy/deploy.test.ts) and in the bench (bench/system/launch.ts), so the bench measures what the
 * container runs. `npm start` runs with its own, for a laptop (deploy/local/launch.ts).
 *
 * `--enable-source-maps`: stack traces in logs point at the TypeScript sources (no cost measured
 * on the fight path: lone-fight p50 within the run-to-run noise with and without it).
 *
 * Not here, measured: `--max-semi-space-size`. V8 grows each service's young generation to ~50 MiB
 * under load and keeps it (Node 26, `nodejs_heap_space_size_total_bytes{space="new"}` 52–54 MiB
 * after 8 s of 64 callers). `npm run bench -- fight-max`, alternating, PostgreSQL: with 4 MiB the
 * data services held 112–129 MiB RSS after the load and fights 207–223, at 2,087–2,340 fights/s;
 * with 8 MiB 132–159 / 218–221 MiB at 2,446–2,462; with V8's default 179–194 / 266–285 MiB at
 * 2,200–2,944. Fights/s first by default; `NODE_OPTIONS=--max-semi-space-size=4` trades ~15 % of
 * them for ~60 MiB per service (README: Benchmarks).
 */
export const containerNodeFlags: readonly string[] = ["--enable-source-maps"];
