import { createArena } from "./arena/arena.js";
import { createBackendStatus } from "./backend-status.js";
import { byId } from "./dom.js";
import { createFightClient } from "./fight-client.js";
import { startLabPanel } from "./lab/lab-panel.js";
import { startLiveFeed } from "./panels/live-feed.js";
import { startMetricsCharts } from "./panels/metrics-charts.js";
import { startStatsPanel } from "./panels/stats-panel.js";
import { startUpstreamPanel } from "./panels/upstream-panel.js";

// Wiring only: one client for the page's own origin (the fights web edge), one status shared
// by every panel, and each panel polling or streaming on its own until the page goes away.
const client = createFightClient(location.origin);
const status = createBackendStatus(byId("backend-pill"), byId("backend-banner"));
const lifetime = new AbortController();
addEventListener("pagehide", () => lifetime.abort());

const stats = startStatsPanel(byId("stats"), { client, status, signal: lifetime.signal });
startUpstreamPanel(byId("upstreams"), { client, status, signal: lifetime.signal });
startLiveFeed(byId("feed"), { client, status, signal: lifetime.signal });
startMetricsCharts(byId("charts"), { client, status, signal: lifetime.signal });
startLabPanel(byId("lab"), { client, signal: lifetime.signal });
const arena = createArena(byId("arena"), { client, status, onFight: () => stats.refresh() });
void arena.newFighters();
// A page restored from the back/forward cache had its streams aborted: start afresh.
addEventListener("pageshow", (event) => {
  if (event.persisted) location.reload();
});
