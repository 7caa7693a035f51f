/**
 * The Node flags a service runs with in the container (the Dockerfile's ENTRYPOINT, checked by
 * deploy/deploy.test.ts) and in the bench (bench/launch.ts), so the bench measures what the
 * container runs. `npm start` runs with its own, for a laptop (deploy/local/launch.ts).
 *
 * - `--enable-source-maps`: stack traces in logs point at the TypeScript sources.
 * - `--max-semi-space-size=4`: V8 grows each service's young generation to ~50 MiB under load
 *   (Node 26: `nodejs_heap_space_size_total_bytes{space="new"}` 52–54 MiB after 8 s of 64 callers)
 *   and keeps it. Capped at 4 MiB per semi-space: heroes, villains and locations 111–133 MiB RSS
 *   after `npm run bench -- fight-max` against 179–186 MiB, fights 213 against 250 MiB, and no
 *   fewer fights/s (3,200–3,488 against 2,924–3,240; one run each); 1 MiB cost ~20 % of them.
 */
export const containerNodeFlags: readonly string[] = ["--enable-source-maps", "--max-semi-space-size=4"];
