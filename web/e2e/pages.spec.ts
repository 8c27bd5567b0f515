import { expect, test, type Page } from "@playwright/test";
import { newAccount, signUpViaApi, useToken } from "./helpers";

const SECTIONS = [
  { label: "Inbox", path: "/inbox", built: true },
  { label: "Action center", path: "/actions", built: true },
  { label: "Calendar", path: "/calendar", built: true },
  { label: "Leads", path: "/leads", built: true },
  { label: "Pipeline", path: "/pipeline", built: true },
  { label: "Templates", path: "/templates", built: true },
  { label: "Broadcasts", path: "/broadcasts", built: true },
  { label: "Automations", path: "/automations", built: true },
  { label: "Analytics", path: "/analytics", built: true },
  { label: "Playground", path: "/playground", built: true },
];

const SETTINGS = [
  "Organisation",
  "Team",
  "Notifications",
  "Email",
  "WhatsApp",
  "Agent",
  "Rate card",
  "Follow-ups",
  "Custom fields",
  "Pipeline stages",
  "Knowledge base",
  "LLM provider",
  "Transcription",
  "Compliance",
  "Jobs",
  "Audit log",
];

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `e2e/screenshots/${name}.png`, fullPage: true });
}

/** Collects what the Content-Security-Policy blocked on `page`: nothing, if the dashboard runs
 * only its own bundled scripts. */
function cspViolations(page: Page): string[] {
  const blocked: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" && msg.text().includes("Content Security Policy")) {
      blocked.push(msg.text());
    }
  });
  return blocked;
}

test("every section is reachable from the sidebar and never hangs", async ({ page, request }) => {
  const blocked = cspViolations(page);
  await useToken(page, await signUpViaApi(request, newAccount()));
  const home = await page.goto("/");
  expect(home?.headers()["content-security-policy"]).toContain("script-src 'self'");
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const section of SECTIONS) {
    await nav.getByRole("link", { name: section.label }).click();
    await expect(page).toHaveURL(new RegExp(`${section.path}$`));
    await expect(page.getByRole("heading", { level: 1, name: section.label })).toBeVisible();
    if ("built" in section) {
      await expect(page.getByText("Coming in this release")).toHaveCount(0);
      // Nothing still loading (the board's drag-and-drop live region is always there).
      const loading = page.getByRole("status").and(page.locator(':not([id^="DndLiveRegion"])'));
      await expect(loading).toHaveCount(0, { timeout: 10_000 });
    } else {
      await expect(page.getByText("Coming in this release")).toBeVisible();
    }
  }
  await nav.getByRole("link", { name: "Settings" }).click();
  await expect(page).toHaveURL(/\/settings\/organisation$/);
  const settingsNav = page.getByRole("navigation", { name: "Settings" });
  for (const label of SETTINGS) {
    await settingsNav.getByRole("link", { name: label }).click();
    await expect(page.getByRole("heading", { level: 2, name: label, exact: true })).toBeVisible();
    await expect(page.getByRole("status")).toHaveCount(0, { timeout: 10_000 });
  }
  expect(blocked).toEqual([]);
});

test("the API docs page works under the Content-Security-Policy", async ({ page }) => {
  const blocked = cspViolations(page);
  await page.goto("/api/docs");
  // Swagger UI ran (its scripts are our own files): the document's title and its first
  // operations are drawn. (It draws the tags as they scroll in: the first ones are enough.)
  await expect(page.getByRole("heading", { name: /Closer API/ })).toBeVisible();
  await expect(page.locator(".opblock-summary-path").first()).toBeVisible();
  expect(blocked).toEqual([]);
});

test("an unknown route inside the app shows not found", async ({ page, request }) => {
  await useToken(page, await signUpViaApi(request, newAccount()));
  await page.goto("/no/such/page");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await page.getByRole("link", { name: "Back to the dashboard" }).click();
  await expect(page).toHaveURL(/\/$/);
});

test("screenshots of the main pages", async ({ page, request, browser }) => {
  await page.goto("/login");
  await expect(page.getByRole("heading", { name: "Log in to Closer" })).toBeVisible();
  await shot(page, "login");
  await page.getByRole("button", { name: "Log in" }).click();
  await shot(page, "login-empty-submit");

  await page.goto("/signup");
  await expect(page.getByRole("heading", { name: "Create your organisation" })).toBeVisible();
  await shot(page, "signup");

  const account = newAccount();
  const token = await signUpViaApi(request, account);
  const invite = await request.post("/api/v1/invites", {
    headers: { Authorization: `Bearer ${token}` },
    data: { role: "agent" },
  });
  expect(invite.status()).toBe(201);
  const { url } = (await invite.json()) as { url: string };
  await page.goto(url);
  await expect(page.getByRole("heading", { name: /^Join / })).toBeVisible();
  await shot(page, "signup-invite");

  await useToken(page, token);
  const pages: Array<[string, string, string]> = [
    ["dashboard", "/", "Welcome"],
    ["inbox", "/inbox", "Inbox"],
    ["playground-empty", "/playground", "Playground"],
    ["leads", "/leads", "Leads"],
    ["settings-organisation", "/settings/organisation", "Organisation"],
    ["settings-team", "/settings/team", "Team"],
    ["settings-whatsapp", "/settings/whatsapp", "WhatsApp"],
    ["settings-agent", "/settings/agent", "Agent"],
    ["settings-agent-versions", "/settings/agent?tab=versions", "History"],
    ["settings-knowledge", "/settings/knowledge", "Knowledge base"],
    ["settings-audit-log", "/settings/audit-log", "Audit log"],
    ["settings-jobs", "/settings/jobs", "Jobs"],
    ["not-found", "/nowhere", "Page not found"],
  ];
  for (const [name, path, heading] of pages) {
    await page.goto(path);
    await expect(page.getByRole("heading", { name: heading }).first()).toBeVisible();
    await expect(page.getByRole("status")).toHaveCount(0);
    await shot(page, name);
  }

  await page.goto("/settings/team");
  await page.getByRole("button", { name: "Invite", exact: true }).click();
  await expect(page.getByRole("dialog")).toBeVisible();
  await shot(page, "settings-team-invite-dialog");
  await page.getByRole("button", { name: "Create invite link" }).click();
  await expect(page.getByLabel("Invite link")).toBeVisible();
  await shot(page, "settings-team-invite-created");

  // Phone width: the sidebar becomes a top bar with a drawer menu.
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    const mobile = await phone.newPage();
    await useToken(mobile, token);
    await mobile.goto("/");
    await expect(mobile.getByRole("button", { name: "Open menu" })).toBeVisible();
    await expect(mobile.getByRole("navigation", { name: "Main" })).toBeHidden();
    await mobile.screenshot({ path: "e2e/screenshots/mobile-dashboard.png", fullPage: true });
    await mobile.getByRole("button", { name: "Open menu" }).click();
    const drawer = mobile.getByRole("dialog", { name: "Menu" });
    await expect(drawer.getByRole("navigation", { name: "Main" })).toBeVisible();
    await mobile.screenshot({ path: "e2e/screenshots/mobile-menu.png", animations: "disabled" });
    await drawer.getByRole("link", { name: "Settings" }).click();
    await expect(drawer).toBeHidden();
    await expect(mobile).toHaveURL(/\/settings\/organisation$/);
    await mobile.goto("/settings/team");
    await expect(mobile.getByRole("table", { name: "Team members" })).toBeVisible();
    // Wide tables scroll inside their card; the page itself never scrolls sideways.
    expect(await mobile.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await mobile.screenshot({ path: "e2e/screenshots/mobile-team.png", fullPage: true });
    await mobile.goto("/playground");
    await expect(mobile.getByTestId("simulator-phone")).toBeVisible();
    expect(await mobile.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await mobile.screenshot({ path: "e2e/screenshots/mobile-playground.png", fullPage: true });
    await mobile.goto("/settings/agent");
    await expect(mobile.getByTestId("form-business_config")).toBeVisible();
    expect(await mobile.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await mobile.screenshot({ path: "e2e/screenshots/mobile-agent.png", fullPage: true });
  } finally {
    await phone.close();
  }
});
