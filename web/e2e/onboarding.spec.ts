import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { bearer, newAccount, screenshot, signUpViaApi, useToken } from "./helpers";
import { startStandInSite } from "./stand-in-site";

async function get<T>(request: APIRequestContext, token: string, path: string): Promise<T> {
  const res = await request.get(path, { headers: bearer(token) });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()) as T;
}

function stepHeading(page: Page, name: string) {
  return page.getByRole("heading", { level: 2, name, exact: true });
}

async function next(page: Page, to: string) {
  await page.getByRole("button", { name: /^Continue/ }).click();
  await expect(stepHeading(page, to)).toBeVisible();
}

test("a new owner walks the wizard, generates the documents and starts the agent", async ({
  page,
  request,
}) => {
  const account = newAccount();
  const token = await signUpViaApi(request, account);
  await useToken(page, token);
  // The business's website: read into the knowledge base once the agent starts.
  const site = await startStandInSite(50);

  // The dashboard offers the wizard while the agent runs on the starter profile.
  await page.goto("/");
  await expect(page.getByRole("link", { name: /Set up your agent/ })).toBeVisible();
  await screenshot(page, "onboarding-dashboard");
  await page.getByRole("link", { name: /Set up your agent/ }).click();
  await expect(page).toHaveURL(/\/onboarding$/);

  // A. Business basics: the organisation's name is already there.
  await expect(stepHeading(page, "Business basics")).toBeVisible();
  const name = page.getByLabel("Business name");
  await expect(name).toHaveValue(account.orgName);
  await name.fill("JustStock Academy");
  await page.getByLabel("Website").fill(site.url);
  await page.getByLabel("Timezone").fill("Asia/Kolkata");
  await page.getByLabel(/Working hours/).fill("9 AM–9 PM, Monday to Saturday");
  await page.getByLabel(/City/).fill("Mumbai");
  await next(page, "Offer");
  await expect(page).toHaveURL(/step=offer/);

  // B. Offer.
  await page.getByLabel("Products and services").fill("Live trading courses\nMentorship");
  await page.getByLabel(/Pricing/).fill("₹2,999 / ₹5,999 / ₹9,999");
  await page.getByLabel(/What makes you different/).fill("Live market sessions with mentors");
  await page.getByLabel(/Refund policy/).fill("Full refund within 7 days");
  await next(page, "Ideal customer");

  // A reload mid-wizard resumes on the same step, with everything before it saved.
  await page.reload();
  await expect(stepHeading(page, "Ideal customer")).toBeVisible();
  await page.getByRole("button", { name: "Back" }).click();
  await expect(page.getByLabel("Products and services")).toHaveValue(
    "Live trading courses\nMentorship",
  );
  await next(page, "Ideal customer");

  // C. Ideal customer.
  await page
    .getByRole("textbox", { name: /Ideal customer/ })
    .fill("Working professionals who want a second income");
  await page.getByLabel(/Disqualifiers/).fill("Under 18\nOutside India");
  await next(page, "Sales process & CTAs");

  // D. Sales process: two CTAs, reordered, each with where it leads.
  const addCta = async (label: string) => {
    await page.getByRole("combobox", { name: "Call-to-action to add" }).click();
    await page.getByRole("option", { name: label, exact: true }).click();
    await page.getByRole("button", { name: "Add", exact: true }).click();
  };
  await addCta("App download");
  await addCta("Book a call");
  await page.getByLabel(/App download link/).fill("https://juststock.example/app");
  await page.getByLabel(/Book a call phone/).fill("+91 98765 43210");
  await page.getByRole("button", { name: "Move Book a call up" }).click();
  await expect(page.getByTestId("onboarding-cta").first()).toContainText("Book a call");
  await page.getByRole("button", { name: "Add a topic" }).click();
  await page.getByLabel("Topic 1", { exact: true }).fill("experience level");
  await page.getByLabel(/Question 1/).fill("Have you traded before?");
  await page
    .getByRole("radiogroup", { name: "When to ask about budget" })
    .getByRole("radio", { name: "Late" })
    .click();
  await page.getByLabel(/What makes a lead hot/).fill("Asks about fees twice");
  await screenshot(page, "onboarding-sales", true);
  await next(page, "FAQ upload");

  // Continuing created the CTAs, in the chosen order.
  const ctas = await get<{ items: { type: string; position: number; link?: string | null }[] }>(
    request,
    token,
    "/api/v1/ctas",
  );
  expect(ctas.items.map((c) => [c.type, c.position])).toEqual([
    ["book_call", 1],
    ["app_download", 2],
  ]);

  // E. FAQ upload, through a faq.txt.
  await expect(page.getByTestId("faq-status")).toContainText("No FAQ yet");
  await page.getByTestId("onboarding-faq-file").setInputFiles({
    name: "faq.txt",
    mimeType: "text/plain",
    buffer: Buffer.from(
      "Q: What are the fees?\nA: ₹2,999 for the starter course.\n\nQ: Is there a demo?\nA: Yes, every Monday.\n",
    ),
  });
  await expect(page.getByTestId("faq-added")).toHaveText("Added 2 entries from faq.txt.");
  await expect(page.getByTestId("faq-status")).toContainText("2 entries");
  await next(page, "Guardrails");

  // F. Guardrails.
  await page.getByLabel(/Claims the agent must never make/).fill("guaranteed returns\nrisk-free");
  await page.getByLabel(/Disclaimers the agent must include/).fill("Trading involves risk.");
  await next(page, "Tone");

  // G. Tone.
  await page
    .getByRole("radiogroup", { name: "Language" })
    .getByRole("radio", { name: "Hinglish" })
    .click();
  await page.getByLabel("Max words per message").fill("15");
  await page
    .getByRole("radiogroup", { name: "Persuasion" })
    .getByRole("radio", { name: "Soft" })
    .click();
  await screenshot(page, "onboarding-tone", true);
  await next(page, "WhatsApp connection");

  // WhatsApp: the true status, and the way to connect.
  await expect(page.getByTestId("whatsapp-connection")).toContainText("Not connected");
  await expect(page.getByRole("link", { name: "Connect WhatsApp" })).toHaveAttribute(
    "href",
    "/settings/whatsapp",
  );
  await page.getByRole("button", { name: "Continue to review" }).click();
  await expect(stepHeading(page, "Review & start")).toBeVisible();

  // Review: generate, look, save.
  await page.getByRole("button", { name: "Generate documents" }).click();
  await expect(page.getByTestId("generated-summary")).toContainText("Written by rules");
  await expect(page.getByTestId("generated-business_config")).toContainText(
    '"business_name": "JustStock Academy"',
  );
  await page
    .getByRole("tablist", { name: "Generated documents" })
    .getByRole("tab", { name: "Script library" })
    .click();
  await expect(page.getByTestId("generated-script_library")).toContainText(
    "Have you traded before?",
  );
  await screenshot(page, "onboarding-review", true);

  // What went where: each answer and the places it landed.
  const where = page.getByTestId("what-went-where");
  const row = (answer: string) => where.locator(`li[data-answer="${answer}"]`);
  await expect(row("business.name")).toContainText("name");
  await expect(row("business.name")).toContainText("Business config › business name");
  await expect(row("business.timezone")).toContainText("Organisation: timezone");
  await expect(row("offer.pricing")).toContainText("Business config › pricing summary");
  await expect(row("offer.pricing")).toContainText("“What are the fees and prices?”");
  await expect(row("offer.refund_policy")).toContainText("“What is the refund policy?”");
  await expect(row("tone.language")).toContainText("Tone profile › language");
  await where.scrollIntoViewIfNeeded();
  await screenshot(page, "onboarding-what-went-where", true);
  await page.getByRole("button", { name: "Save and start the agent" }).click();

  // Saved, and the website is being read: the knowledge tab shows the scan.
  await expect(page).toHaveURL(/\/settings\/agent\?tab=knowledge$/);
  await expect(page.getByTestId("scan-summary")).toHaveText(/^Checked 5 pages and stored/, {
    timeout: 30_000,
  });
  await expect(
    page.getByTestId("knowledge-entry").filter({ hasText: "Pricing — Stand-in Academy" }),
  ).toHaveCount(1);
  await site.close();
  await page.getByRole("tab", { name: "Documents" }).click();
  await expect(page.getByTestId("profile-version").first()).toContainText("Version 1");
  await expect(page.getByTestId("form-business_config").getByLabel("Business name")).toHaveValue(
    "JustStock Academy",
  );
  await screenshot(page, "onboarding-saved");
  // The answers' facts are in the knowledge base whole; the organisation has the answers.
  const kb = await get<{ items: { kind: string; title: string; content: string }[] }>(
    request,
    token,
    "/api/v1/knowledge?limit=100",
  );
  expect(kb.items).toContainEqual(
    expect.objectContaining({
      kind: "setup",
      title: "What is the refund policy?",
      content: "Full refund within 7 days",
    }),
  );
  const org = await get<{ name: string; city: string; timezone: string }>(
    request,
    token,
    "/api/v1/org",
  );
  expect(org).toMatchObject({
    name: "JustStock Academy",
    city: "Mumbai",
    timezone: "Asia/Kolkata",
  });
  const profile = await get<{
    version: number;
    business_config: { business_name: string; primary_ctas: string[] };
    tone_profile: { language: string; message_length_max_words: number };
  }>(request, token, "/api/v1/agent/profile");
  expect(profile.version).toBe(1);
  expect(profile.business_config.business_name).toBe("JustStock Academy");
  expect(profile.business_config.primary_ctas).toEqual(["book_call", "app_download"]);
  expect(profile.tone_profile).toMatchObject({ language: "hi-en", message_length_max_words: 15 });

  // The dashboard no longer nags.
  await page.goto("/");
  await expect(page.getByRole("heading", { name: /Welcome/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /Set up your agent/ })).toHaveCount(0);
});

test("a wrong answer is shown at its field and nothing moves on", async ({ page, request }) => {
  const token = await signUpViaApi(request, newAccount());
  await useToken(page, token);
  await page.goto("/onboarding");
  await expect(stepHeading(page, "Business basics")).toBeVisible();
  await page.getByLabel("Website").fill("example.com");
  const timezone = page.getByLabel("Timezone");
  await timezone.fill("Mars/Olympus");
  await page.getByRole("button", { name: /^Continue/ }).click();
  await expect(timezone).toHaveAttribute("aria-invalid", "true");
  await expect(timezone).toHaveAccessibleDescription(
    "must be an IANA time zone such as Asia/Kolkata",
  );
  await expect(page.getByRole("alert").first()).toContainText("need a fix");
  await expect(stepHeading(page, "Business basics")).toBeVisible();
  await screenshot(page, "onboarding-field-error");
  const saved = await get<{ answers: Record<string, unknown> }>(
    request,
    token,
    "/api/v1/onboarding",
  );
  expect(saved.answers).toEqual({});

  // Fixed, it saves; generating too early names what is missing.
  await timezone.fill("Europe/London");
  await expect(timezone).not.toHaveAttribute("aria-invalid", "true");
  await page.getByRole("button", { name: /^Continue/ }).click();
  await expect(stepHeading(page, "Offer")).toBeVisible();
  await page.getByRole("button", { name: /Review & start/ }).click();
  await expect(page.getByTestId("missing-answers").first()).toContainText(
    "At least one product or service",
  );
  await page.getByRole("button", { name: "Generate documents" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Products and services" })).toBeVisible();
});

test("returning to the wizard picks up at the first unanswered step", async ({ page, request }) => {
  const token = await signUpViaApi(request, newAccount());
  const res = await request.put("/api/v1/onboarding", {
    headers: bearer(token),
    data: {
      business: { name: "Acme", website_url: "acme.example", timezone: "Asia/Kolkata" },
      offer: { products: ["Widgets"] },
    },
  });
  expect(res.status(), await res.text()).toBe(200);
  await useToken(page, token);
  await page.goto("/onboarding");
  await expect(stepHeading(page, "Sales process & CTAs")).toBeVisible();
  const steps = page.getByRole("navigation", { name: "Setup steps" });
  await steps.getByRole("button", { name: /Offer/ }).click();
  await expect(page.getByLabel("Products and services")).toHaveValue("Widgets");
  await steps.getByRole("button", { name: /Business basics/ }).click();
  await expect(page.getByLabel("Website")).toHaveValue("https://acme.example");
});

test("a step with a required answer empty gets no ✓", async ({ page, request }) => {
  const token = await signUpViaApi(request, newAccount());
  const res = await request.put("/api/v1/onboarding", {
    headers: bearer(token),
    data: {
      business: { name: "Acme", timezone: "Asia/Kolkata" },
      offer: { products: ["Widgets"] },
    },
  });
  expect(res.status(), await res.text()).toBe(200);
  await useToken(page, token);
  await page.goto("/onboarding?step=customer");
  const steps = page.getByRole("navigation", { name: "Setup steps" });
  // The website is required: Business basics is saved but not done; Offer is done.
  await expect(
    steps.getByRole("button", { name: /Business basics/ }).getByLabel("done"),
  ).toHaveCount(0);
  await expect(steps.getByRole("button", { name: /Offer/ }).getByLabel("done")).toHaveCount(1);
});
