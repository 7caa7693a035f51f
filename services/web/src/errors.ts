import { Code, ConnectError } from "@connectrpc/connect";

/** Whether `error` means the fights service itself cannot be reached (not a refused request). */
export function isBackendUnreachable(error: unknown): boolean {
  const connectError = ConnectError.from(error);
  if (connectError.code === Code.Unavailable) return true;
  // fetch rejects with a TypeError when the connection is refused or dropped; connect-web
  // wraps it as UNKNOWN with the TypeError as cause.
  return connectError.code === Code.Unknown && connectError.cause instanceof TypeError;
}

/** Whether `error` is our own cancellation (page navigation, a reconnect), not a failure. */
export function isCanceled(error: unknown): boolean {
  return ConnectError.from(error).code === Code.Canceled;
}

/** A sentence a person can act on, for any error of a call to the fights service. */
export function describeError(error: unknown): string {
  if (isBackendUnreachable(error)) return "the fights service cannot be reached";
  const connectError = ConnectError.from(error);
  switch (connectError.code) {
    case Code.DeadlineExceeded:
      return "the fights service did not answer in time";
    case Code.ResourceExhausted:
      return `the fights service is busy (${connectError.rawMessage})`;
    case Code.Canceled:
      return "the call was canceled";
    default:
      return connectError.rawMessage.length > 0 ? connectError.rawMessage : `failed with ${Code[connectError.code]}`;
  }
}
