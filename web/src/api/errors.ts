// Maps the API's error envelope `{"error": {"code", "message", "details"}}` to an Error.

export type FieldErrors = Record<string, string>;

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  /** Per-field messages from a 422 `details.fields`, keyed by request field name. */
  readonly fields: FieldErrors;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
    this.fields = extractFields(details);
  }
}

function extractFields(details: unknown): FieldErrors {
  if (!details || typeof details !== "object") return {};
  const fields = (details as { fields?: unknown }).fields;
  if (!fields || typeof fields !== "object") return {};
  const out: FieldErrors = {};
  for (const [key, value] of Object.entries(fields as Record<string, unknown>)) {
    if (typeof value === "string") out[key] = value;
    else if (Array.isArray(value) && typeof value[0] === "string") out[key] = value[0];
  }
  return out;
}

function fallbackMessage(status: number): string {
  if (status === 0) return "Could not reach the server. Check your connection and try again.";
  if (status === 401) return "Your session has ended. Please sign in again.";
  if (status === 403) return "You don't have permission to do that.";
  if (status === 404) return "Not found.";
  if (status === 409) return "That conflicts with the current state. Refresh and try again.";
  if (status === 413) return "That request is too large.";
  if (status === 422) return "Some fields need attention.";
  if (status === 429) return "Too many attempts. Please wait a moment and try again.";
  if (status >= 500) return "The server hit an error. Please try again.";
  return `Request failed (HTTP ${status}).`;
}

/** Builds an ApiError from a response status and its (possibly absent or non-JSON) body. */
export function toApiError(status: number, body: unknown): ApiError {
  if (body && typeof body === "object" && "error" in body) {
    const err = (body as { error: unknown }).error;
    if (err && typeof err === "object") {
      const { code, message, details } = err as {
        code?: unknown;
        message?: unknown;
        details?: unknown;
      };
      return new ApiError(
        status,
        typeof code === "string" ? code : "error",
        typeof message === "string" && message ? message : fallbackMessage(status),
        details,
      );
    }
  }
  return new ApiError(status, status === 0 ? "network_error" : "error", fallbackMessage(status));
}

/** A human sentence for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error && error.message) return error.message;
  return "Something went wrong.";
}

/** Field errors of a thrown value (empty unless it is a 422 ApiError with details.fields). */
export function fieldErrors(error: unknown): FieldErrors {
  return error instanceof ApiError ? error.fields : {};
}

/**
 * The message to show above a form: the API message, unless every problem is already
 * shown next to an input.
 */
export function formMessage(error: unknown, knownFields: readonly string[]): string | null {
  if (!error) return null;
  if (error instanceof ApiError) {
    const keys = Object.keys(error.fields);
    if (keys.length > 0 && keys.every((k) => knownFields.includes(k))) return null;
  }
  return errorMessage(error);
}
