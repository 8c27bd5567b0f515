import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { RequireAuth } from "../auth";
import { mockApi, renderRoutes, reply } from "../../test/utils";
import { LlmPage, localErrors, switchProvider, toBody, toForm, type LlmFormState } from "./LlmPage";
import type { LlmSettings, Role } from "../../api/models";

const DEFAULTS = { openai: "https://api.openai.com/v1", anthropic: "https://api.anthropic.com" };

const unconfigured: LlmSettings = {
  configured: false,
  provider: "openai",
  base_url: DEFAULTS.openai,
  model: "",
  has_api_key: false,
  timeout_ms: 60000,
  input_usd_per_mtok: 0,
  output_usd_per_mtok: 0,
  updated_at: null,
  default_base_urls: DEFAULTS,
};

const saved: LlmSettings = {
  ...unconfigured,
  configured: true,
  model: "gpt-4o-mini",
  has_api_key: true,
  timeout_ms: 30000,
  input_usd_per_mtok: 0.15,
  output_usd_per_mtok: 0.6,
  updated_at: "2026-03-01T10:00:00Z",
};

function form(patch: Partial<LlmFormState> = {}): LlmFormState {
  return { ...toForm(saved), ...patch };
}

describe("LLM form logic", () => {
  it("never prefills the key and keeps a saved one by default", () => {
    expect(toForm(saved)).toMatchObject({ api_key: "", keyAction: "keep", timeout_ms: "30000" });
    expect(toForm(unconfigured).keyAction).toBe("replace");
    expect(toBody(form())).not.toHaveProperty("api_key");
  });

  it("sends the key only when it is replaced or removed", () => {
    expect(toBody(form({ keyAction: "replace", api_key: "  sk-new \n" })).api_key).toBe("sk-new");
    expect(toBody(form({ keyAction: "replace", api_key: "   " }))).not.toHaveProperty("api_key");
    expect(toBody(form({ keyAction: "remove" })).api_key).toBe("");
    expect(toBody(form({ input_usd_per_mtok: "", output_usd_per_mtok: "2.5" }))).toMatchObject({
      provider: "openai",
      model: "gpt-4o-mini",
      timeout_ms: 30000,
      input_usd_per_mtok: 0,
      output_usd_per_mtok: 2.5,
    });
  });

  it("moves a default base URL along with the provider but keeps a custom one", () => {
    const anthropic = switchProvider(form(), "anthropic", DEFAULTS);
    expect(anthropic).toMatchObject({ provider: "anthropic", base_url: DEFAULTS.anthropic });
    expect(switchProvider(anthropic, "openai", DEFAULTS).base_url).toBe(DEFAULTS.openai);
    expect(
      switchProvider(form({ base_url: "https://api.openai.com/v1/" }), "anthropic", DEFAULTS)
        .base_url,
    ).toBe(DEFAULTS.anthropic);
    expect(switchProvider(form({ base_url: "" }), "anthropic", DEFAULTS).base_url).toBe(
      DEFAULTS.anthropic,
    );
    const custom = form({ base_url: "http://localhost:11434/v1" });
    expect(switchProvider(custom, "anthropic", DEFAULTS).base_url).toBe(custom.base_url);
  });

  it("catches only numbers the browser cannot send", () => {
    expect(localErrors(form())).toEqual({});
    expect(localErrors(form({ timeout_ms: "" }))).toHaveProperty("timeout_ms");
    expect(localErrors(form({ timeout_ms: "1.5" }))).toHaveProperty("timeout_ms");
    expect(localErrors(form({ input_usd_per_mtok: "abc" }))).toHaveProperty("input_usd_per_mtok");
    // Range and URL checks are the server's; it names the field in its 422.
    expect(localErrors(form({ timeout_ms: "5", base_url: "nope", model: "" }))).toEqual({});
  });
});

const routes = [{ element: <RequireAuth />, children: [{ index: true, element: <LlmPage /> }] }];

function meAs(role: Role) {
  return {
    user: { id: "u1", name: "Sam", email: "sam@acme.test", role },
    org: { id: "o1", name: "Acme" },
  };
}

describe("LlmPage", () => {
  it("is read-only for agents and never shows a key", async () => {
    mockApi({
      "GET /api/v1/auth/me": () => meAs("agent"),
      "GET /api/v1/settings/llm": () => saved,
    });
    renderRoutes(routes, "/");
    expect(await screen.findByLabelText("Model")).toHaveAttribute("readonly");
    expect(screen.getByText(/only owners and admins/i)).toBeInTheDocument();
    expect(screen.getByText("A key is saved.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Save" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Test connection" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Replace" })).not.toBeInTheDocument();
  });

  it("saves a new key, tests before saving and shows field errors", async () => {
    const { calls } = mockApi({
      "GET /api/v1/auth/me": () => meAs("owner"),
      "GET /api/v1/settings/llm": () => unconfigured,
      "POST /api/v1/settings/llm/test": async (req) => {
        const body = (await req.json()) as { base_url: string };
        if (body.base_url === "nope")
          return reply(422, {
            error: {
              code: "validation_failed",
              message: "some fields are not valid",
              details: { fields: { base_url: "must be an http:// or https:// URL" } },
            },
          });
        return { ok: true, model: "gpt-4o-mini-2024", latency_ms: 42 };
      },
      "PUT /api/v1/settings/llm": async (req) => {
        const body = (await req.json()) as Record<string, unknown>;
        return { ...saved, model: body.model, has_api_key: body.api_key !== undefined };
      },
    });
    renderRoutes(routes, "/");
    const user = userEvent.setup();
    expect(await screen.findByText("Not configured")).toBeInTheDocument();
    await user.type(screen.getByLabelText("Model"), "gpt-4o-mini");
    await user.type(screen.getByLabelText("API key"), "sk-secret-1");

    const baseUrl = screen.getByLabelText("Base URL");
    await user.clear(baseUrl);
    await user.type(baseUrl, "nope");
    await user.click(screen.getByRole("button", { name: "Test connection" }));
    expect(await screen.findByText("must be an http:// or https:// URL")).toBeInTheDocument();
    expect(baseUrl).toHaveAttribute("aria-invalid", "true");

    await user.clear(baseUrl);
    await user.type(baseUrl, "http://localhost:8080/v1");
    await user.click(screen.getByRole("button", { name: "Test connection" }));
    expect(await screen.findByTestId("llm-test-result")).toHaveTextContent(
      "gpt-4o-mini-2024 answered in 42 ms",
    );
    const tested = calls.filter((c) => c.method === "POST").at(-1)!;
    expect(await tested.json()).toMatchObject({
      base_url: "http://localhost:8080/v1",
      model: "gpt-4o-mini",
      api_key: "sk-secret-1",
    });

    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findAllByText("LLM provider saved")).not.toHaveLength(0);
    const keyState = await screen.findByTestId("llm-key-state");
    expect(within(keyState).getByText("A key is saved.")).toBeInTheDocument();
    expect(screen.queryByDisplayValue("sk-secret-1")).not.toBeInTheDocument();
    const put = calls.find((c) => c.method === "PUT")!;
    expect(await put.json()).toMatchObject({ api_key: "sk-secret-1", model: "gpt-4o-mini" });
  });

  it("removes a saved key only when asked, and shows a failed test", async () => {
    const { calls } = mockApi({
      "GET /api/v1/auth/me": () => meAs("admin"),
      "GET /api/v1/settings/llm": () => saved,
      "POST /api/v1/settings/llm/test": () => ({
        ok: false,
        code: "auth",
        message: "openai answered HTTP 401: Incorrect API key provided: [redacted]",
      }),
      "PUT /api/v1/settings/llm": () => ({ ...saved, has_api_key: false }),
    });
    renderRoutes(routes, "/");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Test connection" }));
    expect(await screen.findByTestId("llm-test-result")).toHaveTextContent(
      "Incorrect API key provided",
    );
    const tested = calls.find((c) => c.method === "POST")!;
    expect(await tested.json()).not.toHaveProperty("api_key");

    await user.click(screen.getByRole("button", { name: "Remove" }));
    expect(screen.getByText(/will be removed when you save/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByLabelText("API key")).toHaveValue("");
    const put = calls.find((c) => c.method === "PUT")!;
    expect((await put.json()) as object).toMatchObject({ api_key: "" });
  });

  it("shows an error with a retry when the settings cannot load", async () => {
    mockApi({
      "GET /api/v1/auth/me": () => meAs("owner"),
      "GET /api/v1/settings/llm": () =>
        reply(500, { error: { code: "internal_error", message: "internal error" } }),
    });
    renderRoutes(routes, "/");
    expect(await screen.findByRole("button", { name: "Retry" })).toBeInTheDocument();
  });
});
