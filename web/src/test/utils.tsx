import { render } from "@testing-library/react";
import { createMemoryRouter, RouterProvider, type RouteObject } from "react-router";
import { vi } from "vitest";
import { Providers } from "../App";
import { QueryClient } from "@tanstack/react-query";

type Handler = (request: Request) => unknown;

/** A JSON response, or `{status, body}` for anything else. */
export function reply(status: number, body?: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
  });
}

/**
 * Stubs `fetch` at the boundary. Keys are "METHOD /path" (path without query string);
 * a handler returns a Response, or any value to be sent as 200 JSON.
 */
export function mockApi(handlers: Record<string, Handler>) {
  const calls: Request[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
    const request = input instanceof Request ? input : new Request(input);
    calls.push(request.clone());
    const url = new URL(request.url);
    const key = `${request.method} ${url.pathname}`;
    const handler = handlers[key];
    if (!handler)
      return reply(404, { error: { code: "not_found", message: `no mock for ${key}` } });
    const result = await handler(request);
    return result instanceof Response ? result : reply(200, result);
  });
  vi.stubGlobal("fetch", fetchMock);
  return { fetchMock, calls };
}

export function renderRoutes(routes: RouteObject[], initialEntry: string) {
  const client = new QueryClient({
    defaultOptions: { queries: { retry: false }, mutations: { retry: false } },
  });
  const router = createMemoryRouter(routes, { initialEntries: [initialEntry] });
  const utils = render(
    <Providers client={client}>
      <RouterProvider router={router} />
    </Providers>,
  );
  return { ...utils, router, client };
}
