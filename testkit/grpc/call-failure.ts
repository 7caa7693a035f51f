import { isServiceError } from "../../services/platform/calls/grpc-client.js";

/** The status code and details a gRPC call that must fail ended with; throws when it succeeded. */
export async function grpcFailure(call: Promise<unknown>): Promise<{ code: number; details: string }> {
  try {
    await call;
  } catch (error: unknown) {
    if (isServiceError(error)) return { code: error.code, details: error.details };
    throw error;
  }
  throw new Error("expected the call to fail");
}

/**
 * The details of a call cut short by its deadline. Either timer may fire first: the grpc-js
 * client's ("Deadline exceeded after 0.201s, ...") or the server's, whose status then arrives as
 * "Deadline exceeded" (seen once in CI).
 */
export const deadlineExceededDetails = /^Deadline exceeded( after \d+\.\d+s|$)/;
