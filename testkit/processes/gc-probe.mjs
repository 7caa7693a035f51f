// Preloaded into a service process by the soak test only (NODE_OPTIONS="--expose-gc --import=…"):
// on SIGUSR2 it runs two full collections and writes the live heap to stderr as one JSON line.
// What the heap holds after a full collection is what a leak would grow; RSS and the heap in use
// between collections move with V8's and the allocator's own timing.
process.on("SIGUSR2", () => {
  globalThis.gc?.();
  globalThis.gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  process.stderr.write(`${JSON.stringify({ gcProbe: { heapUsed, rss, at: Date.now() } })}\n`);
});
