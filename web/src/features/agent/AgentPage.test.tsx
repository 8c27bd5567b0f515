import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { AgentProfile, Role } from "../../api/models";
import { RequireAuth } from "../auth";
import { mockApi, renderRoutes, reply } from "../../test/utils";
import { AgentPage } from "./AgentPage";

const routes = [{ element: <RequireAuth />, children: [{ index: true, element: <AgentPage /> }] }];

function meAs(role: Role) {
  return {
    user: { id: "u1", name: "Sam", email: "sam@acme.test", role },
    org: { id: "o", name: "Acme" },
  };
}

const profile: AgentProfile = {
  version: 1,
  mode: "rules",
  business_config: { business_name: "Acme" },
  sales_rules: { qualification_checklist: { name: "required" } },
  tone_profile: { language: "en", message_length_max_words: 25, honorifics: false },
  guardrails: { forbidden_phrases: ["guaranteed"] },
  script_library: {},
  updated_at: "2026-05-18T10:00:00Z",
  updated_by: { id: "u1", name: "Sam" },
};

async function openTone() {
  await userEvent.click(await screen.findByRole("tab", { name: "Tone profile" }));
  return screen.getByTestId("editor-tone_profile");
}

describe("AgentPage documents", () => {
  it("saves only the changed document", async () => {
    const bodies: unknown[] = [];
    mockApi({
      "GET /api/v1/auth/me": () => meAs("owner"),
      "GET /api/v1/agent/profile": () => profile,
      "PUT /api/v1/agent/profile": async (req) => {
        const body = (await req.json()) as Record<string, unknown>;
        bodies.push(body);
        return { ...profile, ...body, version: 2 };
      },
    });
    renderRoutes(routes, "/");
    expect(await screen.findByTestId("profile-version")).toHaveTextContent(
      "Version 1Rules enginesaved by Sam",
    );
    await openTone();
    const maxWords = screen.getByLabelText("Max words per message");
    fireEvent.change(maxWords, { target: { value: "40" } });
    expect(screen.getByTestId("save-state")).toHaveTextContent("Unsaved changes: Tone profile");
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    await waitFor(() =>
      expect(screen.getByTestId("profile-version")).toHaveTextContent("Version 2"),
    );
    expect(bodies).toEqual([
      { tone_profile: { language: "en", message_length_max_words: 40, honorifics: false } },
    ]);
    expect(screen.getByTestId("save-state")).toHaveTextContent("Saved as version 2.");
  });

  it("refuses to save invalid JSON and shows the server's field error", async () => {
    let puts = 0;
    mockApi({
      "GET /api/v1/auth/me": () => meAs("admin"),
      "GET /api/v1/agent/profile": () => profile,
      "PUT /api/v1/agent/profile": () => {
        puts += 1;
        return reply(422, {
          error: {
            code: "invalid_document",
            message: "tone_profile.message_length_max_words: must be between 5 and 60",
            details: {
              field: "tone_profile.message_length_max_words",
              message: "must be between 5 and 60",
            },
          },
        });
      },
    });
    renderRoutes(routes, "/");
    const editor = await openTone();
    fireEvent.change(editor, { target: { value: "{ nope" } });
    expect(editor).toHaveAccessibleDescription(/^Invalid JSON/);
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    expect(screen.getByRole("alert")).toHaveTextContent(
      "Nothing was saved: Tone profile is not valid JSON.",
    );
    expect(puts).toBe(0);

    await userEvent.click(screen.getByRole("button", { name: "Discard" }));
    fireEvent.change(screen.getByLabelText("Max words per message"), {
      target: { value: "500" },
    });
    await userEvent.click(screen.getByRole("button", { name: "Save changes" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Not saved. tone_profile.message_length_max_words: must be between 5 and 60",
    );
    expect(puts).toBe(1);
    expect(screen.getByLabelText("Max words per message")).toHaveAccessibleDescription(
      "must be between 5 and 60",
    );
    expect(editor).toHaveAccessibleDescription(
      "tone_profile.message_length_max_words: must be between 5 and 60",
    );
  });

  it("is read-only for agents", async () => {
    mockApi({
      "GET /api/v1/auth/me": () => meAs("agent"),
      "GET /api/v1/agent/profile": () => profile,
    });
    renderRoutes(routes, "/");
    const editor = await openTone();
    expect(editor).toHaveAttribute("readonly");
    expect(screen.queryByRole("button", { name: "Save changes" })).toBeNull();
    expect(screen.getByRole("radio", { name: "LLM" })).toBeDisabled();
  });
});

describe("AgentPage engine notice", () => {
  const llmSettings = (configured: boolean, has_api_key: boolean) => ({
    configured,
    provider: "openai",
    base_url: "https://api.openai.com/v1",
    model: configured ? "gpt-x" : "",
    has_api_key,
    timeout_ms: 60000,
    input_usd_per_mtok: 0,
    output_usd_per_mtok: 0,
    updated_at: null,
    default_base_urls: {},
  });

  it.each([
    [false, false, true],
    [true, false, true],
    [true, true, false],
  ])(
    "with the LLM engine, configured %s and a key %s, warns: %s",
    async (configured, key, warns) => {
      mockApi({
        "GET /api/v1/auth/me": () => meAs("owner"),
        "GET /api/v1/agent/profile": () => ({ ...profile, mode: "llm" }),
        "GET /api/v1/settings/llm": () => llmSettings(configured, key),
      });
      renderRoutes(routes, "/");
      expect(await screen.findByTestId("profile-version")).toHaveTextContent("LLM engine");
      if (warns) {
        expect(await screen.findByText("No language model yet")).toBeInTheDocument();
        expect(screen.getByRole("link", { name: "Set up the LLM provider" })).toHaveAttribute(
          "href",
          "/settings/llm",
        );
      } else {
        await waitFor(() => expect(screen.queryByText("No language model yet")).toBeNull());
      }
    },
  );

  it("says nothing with the rules engine", async () => {
    let asked = false;
    mockApi({
      "GET /api/v1/auth/me": () => meAs("owner"),
      "GET /api/v1/agent/profile": () => profile,
      "GET /api/v1/settings/llm": () => {
        asked = true;
        return llmSettings(false, false);
      },
    });
    renderRoutes(routes, "/");
    expect(await screen.findByTestId("profile-version")).toHaveTextContent("Rules engine");
    expect(screen.queryByText("No language model yet")).toBeNull();
    expect(asked).toBe(false);
  });
});
