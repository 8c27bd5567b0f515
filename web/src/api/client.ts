import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./types";
import { ApiError, toApiError } from "./errors";

type Handler = () => void;

let onUnauthorized: Handler = () => {
  if (window.location.pathname !== "/login") window.location.assign("/login");
};
let onEnrollmentRequired: Handler = () => {};

/** The app installs a router-aware handler; the default does a full page navigation. */
export function setUnauthorizedHandler(handler: Handler): void {
  onUnauthorized = handler;
}

/** Called when the organisation requires two-factor sign-in and this member has none yet. */
export function setEnrollmentRequiredHandler(handler: Handler): void {
  onEnrollmentRequired = handler;
}

/**
 * The session lives in an HttpOnly cookie the page cannot read; the browser sends it. Every
 * request carries this header: the server refuses cookie-signed writes without it, and a page
 * on another site cannot add it (that would need a CORS preflight the server never answers).
 */
export const CSRF_HEADER = "X-Closer-CSRF";

// Credential endpoints answer 401 for a wrong password; that is a form error, not a lost session.
const CREDENTIAL_PATHS = ["/api/v1/auth/login", "/api/v1/auth/signup"];

async function errorCode(response: Response): Promise<string | null> {
  try {
    const body = (await response.clone().json()) as { error?: { code?: unknown } };
    return typeof body.error?.code === "string" ? body.error.code : null;
  } catch {
    return null;
  }
}

const sessionMiddleware: Middleware = {
  onRequest({ request }) {
    request.headers.set(CSRF_HEADER, "1");
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status === 401) {
      const path = new URL(request.url).pathname;
      if (!CREDENTIAL_PATHS.includes(path)) onUnauthorized();
    } else if (response.status === 403) {
      if ((await errorCode(response)) === "two_factor_enrollment_required") onEnrollmentRequired();
    }
    return response;
  },
};

export const api = createClient<paths>({
  baseUrl: window.location.origin,
  // Resolve fetch per call so tests can stub it at the boundary.
  fetch: (input: Request) => globalThis.fetch(input),
});
api.use(sessionMiddleware);

/**
 * The same API without the lost-session handling: for asking "is anyone signed in?" from the
 * public pages, where a 401 is an answer rather than an event.
 */
export const quietApi = createClient<paths>({
  baseUrl: window.location.origin,
  fetch: (input: Request) => globalThis.fetch(input),
});

type FetchResult<T> = { data?: T; error?: unknown; response: Response };

/**
 * Unwraps an openapi-fetch result: returns the data of a 2xx answer, throws an ApiError
 * otherwise (including network failures).
 */
export async function unwrap<T>(promise: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await promise;
  } catch (cause) {
    if (cause instanceof ApiError) throw cause;
    throw toApiError(0, null);
  }
  const { data, error, response } = result;
  if (!response.ok) throw toApiError(response.status, error);
  return data as T;
}
