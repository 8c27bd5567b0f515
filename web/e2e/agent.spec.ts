import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { bearer, newAccount, screenshot, signUpViaApi, useToken } from "./helpers";

interface Profile {
  version: number;
  mode: string;
  business_config: Record<string, unknown>;
  tone_profile: Record<string, unknown>;
}

async function profile(request: APIRequestContext, token: string): Promise<Profile> {
  const res = await request.get("/api/v1/agent/profile", { headers: bearer(token) });
  expect(res.status()).toBe(200);
  return (await res.json()) as Profile;
}

async function openAgentSettings(page: Page) {
  await page.goto("/settings");
  await page
    .getByRole("navigation", { name: "Settings" })
    .getByRole("link", { name: "Agent" })
    .click();
  await expect(page).toHaveURL(/\/settings\/agent$/);
  await expect(page.getByRole("heading", { level: 2, name: "Agent", exact: true })).toBeVisible();
}

test("agent documents: edit the tone, see the version and its diff, roll back", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  // A new organisation runs on the starter profile (version 0); its first save is version 1.
  const starter = await profile(request, token);
  expect(starter.version).toBe(0);
  const first = await request.put("/api/v1/agent/profile", {
    headers: bearer(token),
    data: {
      business_config: { ...starter.business_config, offer_summary: "A 12-week sales course" },
    },
  });
  expect(first.status(), await first.text()).toBe(200);
  const oldWords = starter.tone_profile.message_length_max_words;
  expect(oldWords).toBe(25);

  await useToken(page, token);
  await openAgentSettings(page);
  const version = page.getByTestId("profile-version").first();
  await expect(version).toContainText("Version 1");
  await expect(page.getByRole("radio", { name: "Rules", exact: true })).toHaveAttribute(
    "aria-checked",
    "true",
  );

  // The tone profile's friendly controls edit its JSON.
  const docs = page.getByRole("tablist", { name: "Documents" });
  await docs.getByRole("tab", { name: "Tone profile" }).click();
  const maxWords = page.getByLabel("Max words per message");
  await expect(maxWords).toHaveValue("25");
  const editor = page.getByTestId("editor-tone_profile");
  await maxWords.fill("40");
  await expect(editor).toHaveValue(/"message_length_max_words": 40/);
  const saveState = page.getByTestId("save-state");
  await expect(saveState).toHaveText("Unsaved changes: Tone profile");
  await screenshot(page, "agent-documents-tone", true);

  const save = page.getByRole("button", { name: "Save changes" });
  await save.click();
  await expect(version).toContainText("Version 2");
  await expect(saveState).toHaveText(
    "Saved as version 2. The agent uses it from its next reply. Run the agent tests to see what changed.",
  );
  await expect(maxWords).toHaveValue("40");
  const saved = await profile(request, token);
  expect(saved.version).toBe(2);
  expect(saved.tone_profile.message_length_max_words).toBe(40);
  // Only the changed document was sent: the business config is version 1's.
  expect(saved.business_config.offer_summary).toBe("A 12-week sales course");

  // Invalid JSON: the error shows under the editor (the advanced JSON view) and nothing is saved.
  await page.locator("summary:visible", { hasText: "JSON (advanced)" }).click();
  await editor.fill('{ "language": "en", ');
  await expect(editor).toHaveAccessibleDescription(/^Invalid JSON/);
  await expect(maxWords).toBeHidden();
  await expect(page.getByText("Fix the JSON to use the form")).toBeVisible();
  await expect(docs.getByRole("tab", { name: "Tone profile (invalid JSON)" })).toBeVisible();
  await save.click();
  await expect(saveState).toContainText("Nothing was saved: Tone profile is not valid JSON.");
  expect((await profile(request, token)).version).toBe(2);
  await screenshot(page, "agent-documents-invalid-json");
  await page.getByRole("button", { name: "Discard" }).click();
  await expect(maxWords).toHaveValue("40");

  // Out of range: the server's 422 names the field, under the control and the editor.
  await maxWords.fill("500");
  await save.click();
  await expect(saveState).toContainText(
    "Not saved. tone_profile.message_length_max_words: must be between 5 and 60",
  );
  await expect(editor).toHaveAccessibleDescription(
    "tone_profile.message_length_max_words: must be between 5 and 60",
  );
  await expect(page.getByText("must be between 5 and 60", { exact: true })).toBeVisible();
  await expect(maxWords).toHaveAttribute("aria-invalid", "true");
  expect((await profile(request, token)).version).toBe(2);
  await screenshot(page, "agent-documents-422");
  await page.getByRole("button", { name: "Discard" }).click();

  // Versions: the history, a diff against the current version, and a rollback.
  const tabs = page.getByRole("tablist", { name: "Agent settings" });
  await tabs.getByRole("tab", { name: "Versions" }).click();
  await expect(page).toHaveURL(/\/settings\/agent\?tab=versions$/);
  const items = page.getByTestId("version-item");
  await expect(items).toHaveCount(2);
  await expect(items.first()).toContainText("Version 2");
  await expect(items.first()).toContainText("Current");
  await expect(items.first()).toContainText("Tone profile");
  await expect(items.nth(1)).toContainText("Version 1");
  await expect(items.nth(1)).toContainText("Business config");

  await page.getByRole("button", { name: "Version 1", exact: true }).click();
  const diff = page.getByRole("region", { name: "Tone profile changes" });
  await expect(diff).toBeVisible();
  await expect(diff.locator('[data-kind="remove"]')).toHaveText(
    /"message_length_max_words": 25,?$/,
  );
  await expect(diff.locator('[data-kind="add"]')).toHaveText(/"message_length_max_words": 40,?$/);
  await expect(page.getByTestId("document-diff")).toHaveCount(1);
  await screenshot(page, "agent-versions-diff", true);

  await page.getByRole("button", { name: "Roll back to this version" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Roll back to version 1?" });
  await expect(confirm).toContainText("new version (3)");
  await confirm.getByRole("button", { name: "Roll back" }).click();
  await expect(confirm).toBeHidden();
  await expect(page.getByTestId("profile-version").first()).toContainText("Version 3");
  await expect(items).toHaveCount(3);
  await expect(items.first()).toContainText("Version 3");
  await expect(items.first()).toContainText("Current");
  await expect(items.first()).toContainText("Rolled back to version 1");
  await expect(page.getByTestId("no-differences")).toHaveText(
    "Version 1 is identical to the current version 3.",
  );
  const rolledBack = await profile(request, token);
  expect(rolledBack.version).toBe(3);
  expect(rolledBack.tone_profile.message_length_max_words).toBe(25);
  await screenshot(page, "agent-versions-rolled-back", true);

  // The documents tab shows the rolled-back value.
  await page.getByRole("button", { name: "Dismiss" }).click();
  await tabs.getByRole("tab", { name: "Documents" }).click();
  await expect(page.getByTestId("profile-version").first()).toContainText("Version 3");
  await expect(maxWords).toHaveValue("25");

  // The engine switch is saved like a document.
  await page.getByRole("radio", { name: "LLM", exact: true }).click();
  await expect(saveState).toHaveText("Unsaved changes: engine");
  await save.click();
  await expect(page.getByTestId("profile-version").first()).toContainText("Version 4");
  expect((await profile(request, token)).mode).toBe("llm");
});

test("document forms: the seeds' documents as written, edited field by field, seen in the JSON, saved", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  // seeds/001 §3's example documents, exactly as the seed writes them (UPPER_SNAKE CTAs).
  const seeded = await request.put("/api/v1/agent/profile", {
    headers: bearer(token),
    data: {
      business_config: {
        business_name: "JustStock Academy",
        offer_summary: "Live trading courses, 3-tier pricing",
        pricing_summary: "₹2999/₹5999/₹9999",
        primary_ctas: ["APP_DOWNLOAD", "BOOK_CALL", "PAYMENT"],
        disqualifiers: ["under 18", "outside India", "no capital"],
        working_hours: "9 AM-9 PM IST Mon-Sat",
        contact_links: { app_url: "https://x.example/app", website_url: "https://x.example" },
        timezone: "Asia/Kolkata",
      },
      sales_rules: {
        qualification_checklist: {
          experience_level: "required",
          interest_category: "required",
          goal: "required",
          app_download_status: "required",
          budget: "ask_late",
        },
        objection_playbook: {
          no_time: "Offer weekend batch, recorded sessions",
          too_expensive: "Break down per-day cost, mention EMI",
        },
        cta_sequencing: { first: "APP_DOWNLOAD", fallback: "BOOK_CALL" },
        escalation_triggers: ["payment_failure", "angry_sentiment", "complex_question_3x"],
      },
      tone_profile: {
        language: "hi-en",
        message_length_max_words: 15,
        questions_per_message: 1,
        honorifics: true,
        emoji_policy: "never",
        formality: "professional",
        persuasion_level: "moderate",
        examples: ["Namaste sir! App download kar liya?", "Demo class book karein?"],
      },
      guardrails: {
        system_guardrails: [
          "Never claim to be human",
          "Respect opt-out immediately",
          "No spam if user unresponsive >72h",
        ],
        business_guardrails: ["Never guarantee trading profits", "Always mention risk disclaimer"],
        forbidden_phrases: ["guaranteed returns", "risk-free"],
        required_disclaimers: ["Trading involves risk. Past performance ≠ future results."],
      },
      script_library: {
        openers: { new_lead: "Hi! Interest in trading courses dekha. Help kar sakta hun!" },
        qualification: { experience_check: "Pehle trading ki hai?" },
        objection_handlers: { no_time: "Weekend batches + recorded sessions available!" },
        cta_scripts: { app_download: "App download: [LINK]" },
        exits: { graceful: "No problem! Jab ready ho, message karna." },
      },
    },
  });
  expect(seeded.status(), await seeded.text()).toBe(200);

  await useToken(page, token);
  await openAgentSettings(page);
  const form = page.getByTestId("form-business_config");
  await expect(form.getByLabel("Business name")).toHaveValue("JustStock Academy");
  await expect(form.getByTestId("cta-list")).toContainText("App download");
  await screenshot(page, "agent-documents-form-business", true);

  // A field in the form is the same edit as in the JSON view.
  await form.getByLabel("Business name").fill("Pune Success Academy");
  await page.locator("summary:visible", { hasText: "JSON (advanced)" }).click();
  await expect(page.getByTestId("editor-business_config")).toHaveValue(
    /"business_name": "Pune Success Academy"/,
  );
  // Working hours as days and times: outside them a handed-over lead hears when the team is back.
  const schedule = form.getByTestId("working-schedule");
  await schedule.getByRole("button", { name: "Add opening hours" }).click();
  await expect(schedule.getByLabel("Mon (hours 1)")).toBeChecked();
  await schedule.getByLabel("Sat (hours 1)").uncheck();
  await schedule.getByLabel("Closes (hours 1)").fill("18:30");
  await expect(page.getByTestId("editor-business_config")).toHaveValue(
    /"working_schedule": \[\s*\{\s*"days": \[\s*"Mon",\s*"Tue",\s*"Wed",\s*"Thu",\s*"Fri"\s*\],\s*"open": "09:00",\s*"close": "18:30"/,
  );
  // The currency budgets are said back in, typed in any case.
  await form.getByLabel("Currency").fill("aed");
  await expect(page.getByTestId("editor-business_config")).toHaveValue(/"currency": "AED"/);

  // Sales rules: a slot's requirement from the enum's dropdown, an objection, the triggers.
  const docs = page.getByRole("tablist", { name: "Documents" });
  await docs.getByRole("tab", { name: "Sales rules" }).click();
  const sales = page.getByTestId("form-sales_rules");
  await sales.getByRole("combobox", { name: "goal requirement" }).click();
  await page.getByRole("option", { name: "Ask late" }).click();
  await sales.getByRole("checkbox", { name: /confused three times/ }).uncheck();
  await expect(sales.getByRole("checkbox", { name: /asks for a person/ })).toBeChecked();
  await expect(sales.getByRole("checkbox", { name: /asks for a person/ })).toBeDisabled();
  await sales.getByLabel("Your own triggers").fill("Lead asks for a discount above 20%");
  await expect(sales.getByTestId("model-only-triggers")).toContainText(
    "model only Lead asks for a discount above 20%",
  );
  const editor = page.getByTestId("editor-sales_rules");
  await expect(editor).toHaveValue(/"goal": "ask_late"/);
  await expect(editor).not.toHaveValue(/complex_question_3x/);
  await screenshot(page, "agent-documents-form-sales", true);

  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByTestId("save-state")).toContainText("Saved as version 2");
  const saved = (await profile(request, token)) as Profile & {
    sales_rules: { qualification_checklist: Record<string, string>; escalation_triggers: string[] };
  };
  expect(saved.business_config.business_name).toBe("Pune Success Academy");
  expect((saved.business_config as { working_schedule?: unknown }).working_schedule).toEqual([
    { days: ["Mon", "Tue", "Wed", "Thu", "Fri"], open: "09:00", close: "18:30" },
  ]);
  expect((saved.business_config as { currency?: string }).currency).toBe("AED");
  expect(saved.business_config.primary_ctas).toEqual(["app_download", "book_call", "payment"]);
  expect(Object.keys(saved.sales_rules.qualification_checklist)).toEqual([
    "experience_level",
    "interest_category",
    "goal",
    "app_download_status",
    "budget",
  ]);
  expect(saved.sales_rules.qualification_checklist.goal).toBe("ask_late");
  expect(saved.sales_rules.escalation_triggers).toEqual([
    "payment_failure",
    "angry_sentiment",
    "Lead asks for a discount above 20%",
  ]);
});

test("calls-to-action: add, edit, toggle and delete", async ({ page, request }) => {
  const token = await signUpViaApi(request, newAccount());
  await useToken(page, token);
  await page.goto("/settings/agent?tab=ctas");
  await expect(page.getByText("No calls-to-action yet")).toBeVisible();

  // Add the first: the type defaults to the first free one and names itself.
  await page.getByRole("button", { name: "Add a CTA" }).click();
  let dialog = page.getByRole("dialog", { name: "Add a call-to-action" });
  await expect(dialog.getByRole("combobox", { name: "Type" })).toHaveText("Book a call");
  await expect(dialog.getByLabel("Name")).toHaveValue("Book a call");
  await dialog.getByLabel("Link").fill("https://cal.com/acme/intro");
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await expect(dialog).toBeHidden();
  const table = page.getByRole("table", { name: "Calls-to-action" });
  const rows = table.getByTestId("cta-row");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("https://cal.com/acme/intro");

  // A second one, with a link the server refuses first.
  await page.getByRole("button", { name: "Add a CTA" }).click();
  dialog = page.getByRole("dialog", { name: "Add a call-to-action" });
  await dialog.getByRole("combobox", { name: "Type" }).click();
  await page.getByRole("option", { name: /^Payment/ }).click();
  await expect(dialog.getByLabel("Name")).toHaveValue("Payment");
  await dialog.getByLabel("Link").fill("not a url");
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await expect(dialog.getByText("is not a web address, e.g. https://example.com")).toBeVisible();
  await expect(dialog.getByLabel("Link")).toHaveAttribute("aria-invalid", "true");
  await dialog.getByLabel("Link").fill("https://pay.example.com/acme");
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(rows).toHaveCount(2);

  // One per type: a second "Book a call" is refused on the type.
  await page.getByRole("button", { name: "Add a CTA" }).click();
  dialog = page.getByRole("dialog", { name: "Add a call-to-action" });
  await dialog.getByRole("combobox", { name: "Type" }).click();
  await page.getByRole("option", { name: /^Book a call/ }).click();
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await expect(dialog.getByText("There is already a Book a call CTA")).toBeVisible();
  await screenshot(page, "agent-cta-dialog-conflict");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();

  // Edit the payment one.
  await page.getByRole("button", { name: "Actions for Payment" }).click();
  await page.getByRole("menuitem", { name: "Edit" }).click();
  dialog = page.getByRole("dialog", { name: "Edit Payment" });
  await dialog.getByLabel("Name").fill("Pay the course fee");
  await dialog.getByLabel("Position").fill("0");
  await dialog.getByRole("button", { name: "Save", exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(rows.filter({ hasText: "Pay the course fee" })).toHaveCount(1);

  // Switch the call off from the table.
  const bookSwitch = page.getByRole("switch", { name: "Book a call enabled" });
  await expect(bookSwitch).toHaveAttribute("aria-checked", "true");
  await bookSwitch.click();
  await expect(bookSwitch).toHaveAttribute("aria-checked", "false");
  await expect
    .poll(async () => {
      const res = await request.get("/api/v1/ctas", { headers: bearer(token) });
      const { items } = (await res.json()) as {
        items: Array<{ type: string; name: string; enabled: boolean }>;
      };
      return items.map((c) => `${c.type}:${c.name}:${c.enabled}`).sort();
    })
    .toEqual(["book_call:Book a call:false", "payment:Pay the course fee:true"]);
  await screenshot(page, "agent-ctas", true);

  // Delete it.
  await page.getByRole("button", { name: "Actions for Pay the course fee" }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Delete Pay the course fee?" });
  await confirm.getByRole("button", { name: "Delete" }).click();
  await expect(confirm).toBeHidden();
  await expect(rows).toHaveCount(1);
  const after = await request.get("/api/v1/ctas", { headers: bearer(token) });
  expect(((await after.json()) as { items: unknown[] }).items).toHaveLength(1);
});

test("knowledge base: paste an FAQ, upload faq.txt, delete an entry", async ({ page, request }) => {
  const token = await signUpViaApi(request, newAccount());
  await useToken(page, token);
  await page.goto("/settings/agent?tab=knowledge");
  await expect(page.getByText("The knowledge base is empty")).toBeVisible();

  const paste = page.getByLabel("Paste questions and answers");
  await paste.fill(
    "Q: What are the fees?\nA: The course costs ₹2999.\n\nQ: Do you offer EMI?\nA: Yes, over 3 months.",
  );
  await expect(page.getByText("2 questions found.")).toBeVisible();
  await page.getByRole("button", { name: "Add 2 entries" }).click();
  await expect(page.getByTestId("faq-created")).toHaveText(
    "Created 2 entries from the pasted text.",
  );
  await expect(paste).toHaveValue("");
  const entries = page.getByTestId("knowledge-entry");
  await expect(entries).toHaveCount(2);
  await expect(entries.filter({ hasText: "What are the fees?" })).toContainText("₹2999");

  // Text that holds no pairs: the server says so.
  await paste.fill("just some words");
  await expect(page.getByText("No Q:/A: pairs found yet.")).toBeVisible();
  await page.getByRole("button", { name: "Add entries" }).click();
  await expect(page.getByRole("alert")).toContainText("No question and answer pairs were found");
  await paste.fill("");

  // Upload a faq.txt.
  await page.getByTestId("faq-file").setInputFiles({
    name: "faq.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("Q: Where are you?\nA: Andheri, Mumbai.\n"),
  });
  await expect(page.getByTestId("faq-created")).toHaveText("Created 1 entry from faq.txt.");
  await expect(entries).toHaveCount(3);
  await screenshot(page, "agent-knowledge", true);

  // Delete one.
  await page.getByRole("button", { name: "Delete Do you offer EMI?" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Delete this entry?" });
  await confirm.getByRole("button", { name: "Delete" }).click();
  await expect(confirm).toBeHidden();
  await expect(entries).toHaveCount(2);
  await expect(entries.filter({ hasText: "Do you offer EMI?" })).toHaveCount(0);
  const res = await request.get("/api/v1/knowledge", { headers: bearer(token) });
  const titles = ((await res.json()) as { items: Array<{ title: string }> }).items.map(
    (e) => e.title,
  );
  expect(titles.sort()).toEqual(["What are the fees?", "Where are you?"]);

  // Settings → Knowledge base is the same list.
  await page
    .getByRole("navigation", { name: "Settings" })
    .getByRole("link", { name: "Knowledge base" })
    .click();
  await expect(
    page.getByRole("heading", { level: 2, name: "Knowledge base", exact: true }),
  ).toBeVisible();
  await expect(entries).toHaveCount(2);
});
