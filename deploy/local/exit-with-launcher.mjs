// @ts-check
/**
 * Loaded first (`node --import`) into every service `npm start` runs, which spawns them with an
 * IPC channel: when the launcher goes away without stopping them (SIGKILL, `timeout npm start`,
 * a crash), the channel closes and the service stops as on SIGTERM, so no service outlives its
 * launcher. Plain JavaScript so that it loads the same from source and from dist/.
 */
if (process.channel !== undefined) {
  // The channel must not keep a service alive that would otherwise exit.
  process.channel.unref();
  process.once("disconnect", () => {
    // A graceful stop (the service's SIGTERM handler), or the default SIGTERM exit while it starts;
    // with nobody left to SIGKILL it, exit anyway if the stop hangs.
    setTimeout(() => process.exit(1), 15_000).unref();
    process.kill(process.pid, "SIGTERM");
  });
}
