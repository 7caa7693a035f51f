/** Holds calls until a test opens it, and tells the test how many are waiting. */
export interface Gate {
  /** Awaited by the code under test: resolves when the gate opens. */
  pass(): Promise<void>;
  /** Resolves once `count` callers are waiting (or have passed). */
  waiting(count: number): Promise<void>;
  /** Lets every waiting and future caller through. */
  open(): void;
}

/** A closed gate. */
export function createGate(): Gate {
  let arrived = 0;
  let openGate!: () => void;
  const opened = new Promise<void>((resolve) => (openGate = resolve));
  const watchers: { count: number; resolve: () => void }[] = [];
  return {
    pass() {
      arrived += 1;
      for (const watcher of watchers.filter((candidate) => candidate.count <= arrived)) watcher.resolve();
      return opened;
    },
    waiting(count) {
      if (arrived >= count) return Promise.resolve();
      return new Promise((resolve) => watchers.push({ count, resolve }));
    },
    open: () => openGate(),
  };
}
