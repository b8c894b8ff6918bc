/** Typed errors: one class per error `code` the StacyVM API answers with. */

export class StacyVMError extends Error {
  readonly code: string;
  readonly status?: number;
  readonly retryAfter?: number;

  constructor(message: string, options: { code?: string; status?: number; retryAfter?: number } = {}) {
    super(message);
    this.name = new.target.name;
    this.code = options.code ?? "error";
    this.status = options.status;
    this.retryAfter = options.retryAfter;
  }
}

export class BadRequestError extends StacyVMError {}
export class UnauthorizedError extends StacyVMError {}
export class ForbiddenError extends StacyVMError {}
export class NotFoundError extends StacyVMError {}
export class ConflictError extends StacyVMError {}
/** A quota, a rate limit or the hosts' capacity; `retryAfter` (seconds) when waiting helps. */
export class ResourceLimitError extends StacyVMError {}
/** The sandbox provider (the container engine) failed. */
export class ProviderError extends StacyVMError {}
/** A failure of StacyVM's own code; the message carries an incident id its log holds. */
export class InternalError extends StacyVMError {}
export class UnavailableError extends StacyVMError {}
/** The API could not be reached at all. */
export class StacyVMConnectionError extends StacyVMError {}

const BY_CODE: Record<string, typeof StacyVMError> = {
  bad_request: BadRequestError,
  unauthorized: UnauthorizedError,
  forbidden: ForbiddenError,
  not_found: NotFoundError,
  conflict: ConflictError,
  resource_limit: ResourceLimitError,
  provider_error: ProviderError,
  internal_error: InternalError,
  unavailable: UnavailableError,
};

const BY_STATUS: Record<number, string> = {
  400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 409: "conflict",
  429: "resource_limit", 503: "unavailable",
};

/** The typed error of a `code` without an HTTP status (an exec socket's error frame): ProviderError for one unknown. */
export function errorFromCode(code: string, message: string): StacyVMError {
  const ErrorClass = BY_CODE[code] ?? ProviderError;
  return new ErrorClass(message, { code });
}

/** The typed error for an answer: by its `code`, else by its HTTP status. */
export function errorFromResponse(status: number, body: string, retryAfter?: string | null): StacyVMError {
  let code: string | undefined;
  let message = body.trim() || `HTTP ${status}`;
  try {
    const parsed = JSON.parse(body);
    if (parsed && typeof parsed === "object") {
      code = typeof parsed.code === "string" ? parsed.code : undefined;
      message = parsed.message ?? parsed.detail ?? message;
    }
  } catch {
    // not JSON: the status decides
  }
  const byStatus = BY_STATUS[status] ?? (status >= 500 ? "provider_error" : "error");
  const resolved = code ?? byStatus;
  // a code this SDK has no class for (capacity_exhausted, too_many_uploads, ...) is typed by its status
  const ErrorClass = BY_CODE[resolved] ?? BY_CODE[byStatus] ?? StacyVMError;
  const seconds = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : undefined;
  return new ErrorClass(message, { code: resolved, status, retryAfter: seconds });
}
