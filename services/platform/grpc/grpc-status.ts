import { Metadata, status as Status, type StatusObject } from "@grpc/grpc-js";
import {
  AlreadyExistsError,
  CancelledError,
  DeadlineExceededError,
  FailedPreconditionError,
  InvalidArgumentError,
  NotFoundError,
  PermissionDeniedError,
  ResourceExhaustedError,
  UnauthenticatedError,
  UnavailableError,
} from "../core/errors.js";

/** A status to send, plus whether it was anticipated (unanticipated ones are logged in full). */
export interface MappedStatus {
  code: Status;
  details: string;
  anticipated: boolean;
}

/**
 * Maps any thrown value to the gRPC status the caller sees. The one place where domain errors
 * become codes; anything unknown becomes INTERNAL "internal error" so no internals leak.
 */
export function grpcStatusFromError(error: unknown): MappedStatus {
  const anticipated = (code: Status, details: string) => ({ code, details, anticipated: true });
  if (error instanceof InvalidArgumentError) return anticipated(Status.INVALID_ARGUMENT, error.message);
  if (error instanceof NotFoundError) return anticipated(Status.NOT_FOUND, error.message);
  if (error instanceof AlreadyExistsError) return anticipated(Status.ALREADY_EXISTS, error.message);
  if (error instanceof UnavailableError) return anticipated(Status.UNAVAILABLE, error.message);
  if (error instanceof ResourceExhaustedError) return anticipated(Status.RESOURCE_EXHAUSTED, error.message);
  if (error instanceof DeadlineExceededError) return anticipated(Status.DEADLINE_EXCEEDED, error.message);
  if (error instanceof CancelledError) return anticipated(Status.CANCELLED, error.message);
  if (error instanceof FailedPreconditionError) return anticipated(Status.FAILED_PRECONDITION, error.message);
  if (error instanceof UnauthenticatedError) return anticipated(Status.UNAUTHENTICATED, error.message);
  if (error instanceof PermissionDeniedError) return anticipated(Status.PERMISSION_DENIED, error.message);
  return { code: Status.INTERNAL, details: "internal error", anticipated: false };
}

/** A grpc-js status object for `callback(error)` from a mapped status. */
export function statusObject(mapped: MappedStatus): StatusObject {
  return { code: mapped.code, details: mapped.details, metadata: new Metadata() };
}

/** The upper-snake name of a code (`DEADLINE_EXCEEDED`), as metrics and logs label it. */
export function codeName(code: Status): string {
  return Status[code] ?? `CODE_${code}`;
}
