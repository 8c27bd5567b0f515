/**
 * Settings → LLM provider against the OpenAI-compatible stand-in (e2e/llm-stub.ts): it answers
 * a chat completion for the one key it knows, and the OpenAI-style 401 (echoing the key it got,
 * as OpenAI does) for any other.
 */
import { expect, test } from "@playwright/test";
import { newAccount, screenshot, signUpViaApi, useToken } from "./helpers";
import { completion, startLlmStub, type LlmStub } from "./llm-stub";

const GOOD_KEY = "sk-e2e-good-key-0123456789";
const WRONG_KEY = "sk-e2e-wrong-key-9876543210";
const ANSWERING_MODEL = "e2e-mini-2026-01-01";

let stub: LlmStub;
let baseUrl: string;

test.beforeAll(async () => {
  stub = await startLlmStub((r) => {
    if (r.authorization !== `Bearer ${GOOD_KEY}`) {
      // OpenAI echoes the key it got; the server must not pass it on.
      const given = r.authorization.replace(/^Bearer /, "");
      return {
        status: 401,
        body: {
          error: {
            message: `Incorrect API key provided: ${given}.`,
            type: "invalid_request_error",
            code: "invalid_api_key",
          },
        },
      };
    }
    return completion("OK", ANSWERING_MODEL);
  });
  baseUrl = stub.baseUrl;
});

test.afterAll(async () => {
  await stub.close();
});

test("configure, test and save the LLM provider", async ({ page, request }) => {
  await useToken(page, await signUpViaApi(request, newAccount()));
  await page.goto("/settings/llm");
  await expect(page.getByRole("heading", { name: "LLM provider" })).toBeVisible();
  await expect(page.getByText("Not configured")).toBeVisible();
  const form = page.getByRole("form", { name: "LLM provider" });
  const baseUrlField = form.getByLabel("Base URL");
  await expect(baseUrlField).toHaveValue("https://api.openai.com/v1");
  await screenshot(page, "llm-settings-new", true);

  // Switching provider suggests its endpoint while the field holds the other default.
  await form.getByLabel("Provider").click();
  await page.getByRole("option", { name: /Anthropic/ }).click();
  await expect(baseUrlField).toHaveValue("https://api.anthropic.com");
  await form.getByLabel("Provider").click();
  await page.getByRole("option", { name: /OpenAI-compatible/ }).click();
  await expect(baseUrlField).toHaveValue("https://api.openai.com/v1");

  await baseUrlField.fill(baseUrl);
  await form.getByLabel("Model").fill("e2e-mini");
  await form.getByLabel("API key").fill(GOOD_KEY);
  await form.getByLabel("Input price (USD / 1M tokens)").fill("0.15");
  await form.getByLabel("Output price (USD / 1M tokens)").fill("0.6");

  // Tested before it is saved.
  await form.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("llm-test-result")).toHaveText(
    new RegExp(`^${ANSWERING_MODEL} answered in \\d+ ms\\.$`),
  );
  expect(stub.requests.at(-1)).toMatchObject({
    path: "/v1/chat/completions",
    authorization: `Bearer ${GOOD_KEY}`,
    model: "e2e-mini",
  });

  await form.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("LLM provider saved").first()).toBeVisible();
  await expect(page.getByTestId("llm-key-state")).toHaveText(/A key is saved/);

  // After a reload: saved, the key shown only as "saved", its text nowhere on the page.
  await page.reload();
  await expect(page.getByText("Configured", { exact: true })).toBeVisible();
  await expect(form.getByLabel("Model")).toHaveValue("e2e-mini");
  await expect(form.getByLabel("Base URL")).toHaveValue(baseUrl);
  await expect(page.getByTestId("llm-key-state")).toHaveText(/A key is saved/);
  await expect(form.getByLabel("API key")).toHaveCount(0);
  expect(await page.content()).not.toContain(GOOD_KEY);

  // The saved settings work.
  await form.getByRole("button", { name: "Test connection" }).click();
  await expect(page.getByTestId("llm-test-result")).toHaveText(
    new RegExp(`^${ANSWERING_MODEL} answered in \\d+ ms\\.$`),
  );
  await screenshot(page, "llm-settings");

  // A wrong key: the provider's refusal is shown, without the key it echoed.
  await form.getByRole("button", { name: "Replace" }).click();
  await form.getByLabel("API key").fill(WRONG_KEY);
  await form.getByRole("button", { name: "Test connection" }).click();
  const failure = page.getByTestId("llm-test-result");
  await expect(failure).toContainText("401");
  await expect(failure).toContainText("Incorrect API key provided");
  await expect(page.getByText("(auth)")).toBeVisible();
  expect(await failure.textContent()).not.toContain(WRONG_KEY);
  expect(stub.requests.at(-1)?.authorization).toBe(`Bearer ${WRONG_KEY}`);
  await screenshot(page, "llm-settings-wrong-key");

  // A bad base URL: the server's message under the field, nothing saved.
  await form.getByRole("button", { name: "Cancel" }).click();
  await form.getByLabel("Base URL").fill("not a url");
  await form.getByRole("button", { name: "Save" }).click();
  await expect(form.getByLabel("Base URL")).toHaveAttribute("aria-invalid", "true");
  await expect(form.getByText(/must be an http:\/\/ or https:\/\/ URL/)).toBeVisible();
  await page.reload();
  await expect(form.getByLabel("Base URL")).toHaveValue(baseUrl);
});

test("members who are not owners or admins see the settings read-only", async ({
  page,
  request,
}) => {
  const ownerToken = await signUpViaApi(request, newAccount());
  const headers = { Authorization: `Bearer ${ownerToken}` };
  const saved = await request.put("/api/v1/settings/llm", {
    headers,
    data: { provider: "openai", base_url: baseUrl, model: "e2e-mini", api_key: GOOD_KEY },
  });
  expect(saved.status(), await saved.text()).toBe(200);
  const invite = await request.post("/api/v1/invites", { headers, data: { role: "agent" } });
  expect(invite.status()).toBe(201);
  const agent = newAccount("agent");
  const joined = await request.post("/api/v1/auth/signup", {
    data: {
      invite_token: ((await invite.json()) as { token: string }).token,
      name: agent.name,
      email: agent.email,
      password: agent.password,
    },
  });
  expect(joined.status(), await joined.text()).toBe(201);
  await useToken(page, ((await joined.json()) as { token: string }).token);

  await page.goto("/settings/llm");
  await expect(page.getByText(/only owners and admins/i)).toBeVisible();
  await expect(page.getByLabel("Model")).toHaveValue("e2e-mini");
  await expect(page.getByLabel("Model")).toHaveAttribute("readonly");
  await expect(page.getByTestId("llm-key-state")).toHaveText(/A key is saved/);
  await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Test connection" })).toHaveCount(0);
});
