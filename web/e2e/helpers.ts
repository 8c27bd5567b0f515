import { expect, type APIRequestContext, type Page } from "@playwright/test";

export const PASSWORD = "correct horse battery";

let counter = 0;
/** A string unique to this run and call, for emails and organisation names. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 7)}`;
}

export function uniqueEmail(prefix = "user"): string {
  return `${unique(prefix)}@example.com`;
}

export interface Account {
  orgName: string;
  name: string;
  email: string;
  password: string;
}

export function newAccount(label = "owner"): Account {
  return {
    orgName: `${unique("Acme")} Ltd`,
    name: `${label.charAt(0).toUpperCase()}${label.slice(1)} ${unique("Tester").slice(-5)}`,
    email: uniqueEmail(label),
    password: PASSWORD,
  };
}

/** Signs up through the UI and waits for the dashboard. */
export async function signUpViaUi(page: Page, account: Account): Promise<void> {
  await page.goto("/signup");
  await page.getByLabel("Organisation name").fill(account.orgName);
  await page.getByLabel("Your name").fill(account.name);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Create organisation" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("current-user-name")).toHaveText(account.name);
}

/** Signs up through the API (faster) and returns the session token. */
export async function signUpViaApi(request: APIRequestContext, account: Account): Promise<string> {
  const res = await request.post("/api/v1/auth/signup", {
    data: {
      org_name: account.orgName,
      name: account.name,
      email: account.email,
      password: account.password,
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  const body = (await res.json()) as { token: string };
  return body.token;
}

/**
 * Makes the page start signed in with this token: the server's HttpOnly session cookie, which
 * is all the dashboard keeps (nothing in browser storage).
 */
export async function useToken(page: Page, token: string): Promise<void> {
  const url = process.env.CLOSER_E2E_BASE_URL;
  if (!url) throw new Error("CLOSER_E2E_BASE_URL is not set (see e2e/global-setup.ts)");
  await page
    .context()
    .addCookies([
      { name: "closer_session", value: token, url, httpOnly: true, sameSite: "Strict" },
    ]);
}

/** Authorization header for API calls made by a test. */
export function bearer(token: string): { Authorization: string } {
  return { Authorization: `Bearer ${token}` };
}

/** A fresh "+1555…" number for a pretend lead. */
export function leadPhone(): string {
  return `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
}

/** A lead's message through the simulator; returns the ids the server answers. */
export async function sandboxInbound(
  request: APIRequestContext,
  token: string,
  lead: { phone: string; name?: string; text: string },
): Promise<{ conversation_id: string; message_id: string }> {
  const res = await request.post("/api/v1/sandbox/inbound", { headers: bearer(token), data: lead });
  expect(res.status(), await res.text()).toBe(202);
  return (await res.json()) as { conversation_id: string; message_id: string };
}

/** Waits until the agent has made `count` decisions on a conversation (it runs after a short debounce). */
export async function waitForDecisions(
  request: APIRequestContext,
  token: string,
  conversationId: string,
  count = 1,
): Promise<void> {
  await expect
    .poll(
      async () => {
        const res = await request.get(`/api/v1/conversations/${conversationId}/decisions`, {
          headers: bearer(token),
        });
        return ((await res.json()) as { items: unknown[] }).items.length;
      },
      { timeout: 15_000 },
    )
    .toBeGreaterThanOrEqual(count);
}

/** Screenshots land in e2e/screenshots (git-ignored). */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage, animations: "disabled" });
}
