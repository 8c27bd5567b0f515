import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./types";
import { ApiError, toApiError } from "./errors";
import { clearToken, getToken } from "./token";

type UnauthorizedHandler = () => void;

let onUnauthorized: UnauthorizedHandler = () => {
  if (window.location.pathname !== "/login") window.location.assign("/login");
};

/** The app installs a router-aware handler; the default does a full page navigation. */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): void {
  onUnauthorized = handler;
}

// Credential endpoints answer 401 for a wrong password; that is a form error, not a lost session.
const CREDENTIAL_PATHS = ["/api/v1/auth/login", "/api/v1/auth/signup"];

const authMiddleware: Middleware = {
  onRequest({ request }) {
    const token = getToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
  onResponse({ request, response }) {
    if (response.status === 401) {
      const path = new URL(request.url).pathname;
      if (!CREDENTIAL_PATHS.includes(path)) {
        clearToken();
        onUnauthorized();
      }
    }
    return response;
  },
};

export const api = createClient<paths>({
  baseUrl: window.location.origin,
  // Resolve fetch per call so tests can stub it at the boundary.
  fetch: (input: Request) => globalThis.fetch(input),
});
api.use(authMiddleware);

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
