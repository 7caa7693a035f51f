import { isBackendUnreachable } from "./errors.js";

/** What the page knows about reaching the fights service; every call reports to it. */
export interface BackendStatus {
  /** A call to the fights service answered (even with an error status). */
  reached(): void;
  /** A call failed; only failures to reach the service change the status. */
  failed(error: unknown): void;
  /** Whether the last call reached the service. */
  readonly online: boolean;
}

/**
 * Shows whether the fights service answers: a pill in the header and, while it does not, a
 * banner saying the page shows the last known data and keeps retrying. Both clear on the next
 * answer, so a restarted back end needs no reload.
 */
export function createBackendStatus(pill: HTMLElement, banner: HTMLElement): BackendStatus {
  let online: boolean | undefined;
  const show = (next: boolean) => {
    if (online === next) return;
    online = next;
    pill.textContent = next ? "Online" : "Offline";
    pill.dataset["state"] = next ? "online" : "offline";
    banner.hidden = next;
    banner.textContent = next
      ? ""
      : "The fights service cannot be reached. Showing the last known data; the page keeps retrying and recovers on its own.";
  };
  return {
    reached: () => show(true),
    failed: (error) => show(!isBackendUnreachable(error)),
    get online() {
      return online === true;
    },
  };
}
