import { expect, test } from "@playwright/test";
import { bearer, newAccount, screenshot, signUpViaApi, useToken } from "./helpers";

const FAQ =
  "Q: Do you have weekend batches?\nA: Yes, batches run every Saturday and Sunday at 10 AM.\n\n" +
  "Q: What are the fees?\nA: The course costs ₹2999 for three months. EMI is available.";

test("agent tests: add the suggested tests, write one, run them, see a failure and fix it", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  const faq = await request.post("/api/v1/knowledge", {
    headers: bearer(token),
    data: { kind: "faq", content: FAQ },
  });
  expect(faq.status(), await faq.text()).toBe(201);

  await useToken(page, token);
  await page.goto("/settings/agent?tab=tests");
  await expect(page.getByText("No tests yet")).toBeVisible();

  // The FAQ suggests one test per answer; the owner takes them all.
  const suggested = page.getByRole("list", { name: "Suggested tests" });
  await expect(suggested.getByText("FAQ: What are the fees?")).toBeVisible();
  await page.getByRole("button", { name: "Add all 2" }).click();
  const table = page.getByRole("table", { name: "Agent tests" });
  await expect(table.getByRole("row")).toHaveCount(3);
  await expect(suggested).toHaveCount(0);

  // A test of the owner's own, in Hinglish, expecting something the agent will not say.
  await page.getByRole("button", { name: "New test" }).click();
  const dialog = page.getByRole("dialog", { name: "New agent test" });
  await dialog.getByLabel("Name").fill("Hostel question");
  await dialog.getByLabel("Lead's message 1").fill("hello sir, hostel milega kya?");
  await dialog.getByLabel("Expectation 1 text").fill("hostel is available");
  await dialog.getByRole("button", { name: "Add test" }).click();
  await expect(dialog).toBeHidden();
  await expect(table.getByRole("row")).toHaveCount(4);

  await page.getByRole("button", { name: "Run all tests" }).click();
  const summary = page.getByTestId("run-summary");
  await expect(summary).toContainText("2 passed", { timeout: 20_000 });
  await expect(summary).toContainText("1 failed");
  // The failed case is open: its transcript and what the agent said instead.
  const failed = page.locator("details[open]");
  await expect(failed).toHaveCount(1);
  await expect(failed).toContainText("Hostel question");
  await expect(failed.getByRole("list", { name: "Hostel question transcript" })).toContainText(
    "hostel milega kya?",
  );
  await expect(failed).toContainText("Reply contains “hostel is available”");
  await screenshot(page, "agent-tests-failed", true);

  // Nothing reached the inbox.
  const convs = await request.get("/api/v1/conversations", { headers: bearer(token) });
  expect(((await convs.json()) as { items: unknown[] }).items).toHaveLength(0);

  // The owner decides the expectation was wrong: the agent should hand it to the team.
  await table.getByRole("button", { name: "Actions for Hostel question" }).click();
  await page.getByRole("menuitem", { name: "Edit" }).click();
  const edit = page.getByRole("dialog", { name: "Edit Hostel question" });
  await edit.getByRole("combobox", { name: "Expectation 1 kind" }).click();
  await page.getByRole("option", { name: "Reply does not contain" }).click();
  await edit.getByLabel("Expectation 1 text").fill("guarantee");
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(edit).toBeHidden();

  await page.getByRole("button", { name: "Run all tests" }).click();
  await expect(summary).toContainText("3 passed", { timeout: 20_000 });
  await expect(page.getByTestId("run-changes")).toContainText("Hostel question: now passes");
  await screenshot(page, "agent-tests-passed", true);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "agent-tests-phone", true);
});

test("agent tests: a draft of the documents is tested before it is saved", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  const created = await request.post("/api/v1/agent/tests", {
    headers: bearer(token),
    data: {
      name: "Greets",
      turns: [{ text: "Hi" }],
      expect: [{ kind: "reply_not_contains", value: "guarantee" }],
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  await useToken(page, token);
  await page.goto("/settings/agent");
  const docs = page.getByRole("tablist", { name: "Documents" });
  await docs.getByRole("tab", { name: "Tone profile" }).click();
  await page.getByLabel("Max words per message").fill("40");
  await page.getByRole("button", { name: "Test this draft" }).click();
  await expect(page).toHaveURL(/tab=tests/);
  const summary = page.getByTestId("run-summary");
  await expect(summary).toContainText("1 passed", { timeout: 20_000 });
  await expect(summary).toContainText("Unsaved draft");
  // Nothing was saved: still the starter profile.
  const p = await request.get("/api/v1/agent/profile", { headers: bearer(token) });
  expect(((await p.json()) as { version: number }).version).toBe(0);
});
