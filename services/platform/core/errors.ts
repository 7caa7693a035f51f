/**
 * Typed domain errors. Service code throws these and knows nothing about gRPC or Connect;
 * the transport edge maps each class to one status code (see grpc-status.ts).
 */

/** A request field has a value the contract does not allow. */
export class InvalidArgumentError extends Error {
  override name = "InvalidArgumentError";
  /** Dotted path of the offending field, e.g. `hero.level`. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(`${field}: ${message}`);
    this.field = field;
  }
}

/** The thing asked for does not exist. */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

/** A create would break a uniqueness rule (e.g. a location name that is taken). */
export class AlreadyExistsError extends Error {
  override name = "AlreadyExistsError";
}

/** A dependency (database, upstream service) cannot answer now; retrying later may work. */
export class UnavailableError extends Error {
  override name = "UnavailableError";
}

/** The server refuses work beyond its bounds (too much in flight, a consumer too slow). */
export class ResourceExhaustedError extends Error {
  override name = "ResourceExhaustedError";
}

/** The caller's deadline passed before the work finished. */
export class DeadlineExceededError extends Error {
  override name = "DeadlineExceededError";
}

/** The caller went away (cancelled the call) before the work finished. */
export class CancelledError extends Error {
  override name = "CancelledError";
}

/** The system is not in a state that allows the call (e.g. fault injection is disabled); retrying will not help until it changes. */
export class FailedPreconditionError extends Error {
  override name = "FailedPreconditionError";
}

/** The call carries no credentials, or wrong ones, where credentials are required. */
export class UnauthenticatedError extends Error {
  override name = "UnauthenticatedError";
}

/** The caller may not make this call from where it calls (e.g. an admin call from beyond loopback without a token configured). */
export class PermissionDeniedError extends Error {
  override name = "PermissionDeniedError";
}

/** Every error class the edges know how to map. */
export type DomainError =
  | InvalidArgumentError
  | NotFoundError
  | AlreadyExistsError
  | UnavailableError
  | ResourceExhaustedError
  | DeadlineExceededError
  | CancelledError
  | FailedPreconditionError
  | UnauthenticatedError
  | PermissionDeniedError;
