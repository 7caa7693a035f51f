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
