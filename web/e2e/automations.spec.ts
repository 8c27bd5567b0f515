import { expect, test } from "@playwright/test";
import {
  leadPhone,
  newAccount,
  sandboxInbound,
  screenshot,
  signUpViaApi,
  useToken,
} from "./helpers";

test("an automation is built, dry-run against a conversation, triggered and logged", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  const phone = leadPhone();
  await sandboxInbound(request, token, { phone, name: "Asha Rao", text: "hello" });
  await useToken(page, token);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/automations");
  await expect(page.getByRole("heading", { level: 1, name: "Automations" })).toBeVisible();
  await expect(page.getByText("No automations yet")).toBeVisible();

  // Build it: when a message mentions the price, answer and tag the lead.
  await page.getByRole("button", { name: "New automation" }).click();
  const form = page.getByRole("form", { name: "Automation" });
  await form.getByLabel("Name").fill("Pricing questions");
  await form.getByRole("button", { name: "Add condition" }).click();
  await form.getByLabel("Condition 1 value").fill("price");
  await form.getByLabel("Action 1 text").fill("Our price list is on its way.");
  await form.getByRole("button", { name: "Add action" }).click();
  await form.getByLabel("Action 2 tag").fill("pricing");
  await screenshot(page, "automations-editor-1280", true);
  await form.getByRole("button", { name: "Create automation" }).click();
  const rule = page.getByTestId("automation");
  await expect(rule).toHaveCount(1);
  await expect(rule).toContainText("Pricing questions");
  await expect(rule).toContainText("A message is received");

  // Dry run against the real conversation: which conditions match, what each action would do.
  await page.getByRole("combobox", { name: "Conversation" }).click();
  await page.getByRole("option", { name: "Asha Rao" }).click();
  await page.getByLabel("Pretend the lead wrote").fill("What's the PRICE?");
  await page.getByRole("button", { name: "Try it" }).click();
  const result = page.getByTestId("dry-run-result");
  await expect(result).toContainText("It would run now");
  await expect(result.getByTestId("condition-result")).toContainText("had What's the PRICE?");
  await expect(result.getByTestId("action-result").nth(0)).toContainText("would send the text");
  await expect(result.getByTestId("action-result").nth(1)).toContainText("would tag pricing");
  // Nothing ran for real.
  await expect(page.getByText("No runs yet")).toBeVisible();

  // Triggered by the lead: the run log shows what matched and what each action did.
  await sandboxInbound(request, token, { phone, name: "Asha Rao", text: "price please" });
  const run = page.locator('[data-testid="run"][data-status="executed"]');
  await expect(run).toHaveCount(1, { timeout: 20_000 });
  await expect(run.getByTestId("action-result").nth(1)).toContainText("tagged pricing", {
    timeout: 10_000,
  });
  await expect(run.getByTestId("condition-result")).toContainText("had price please");
  await expect(run.getByTestId("action-result").nth(0)).toContainText("queued message");
  await screenshot(page, "automations-1280", true);

  // The toggle turns it off.
  const toggle = page.getByRole("switch", { name: "Enable Pricing questions" });
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-checked", "false");

  await page.setViewportSize({ width: 390, height: 844 });
  await expect(rule).toBeVisible();
  await screenshot(page, "automations-390", true);
});
