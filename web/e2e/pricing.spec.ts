import { expect, test } from "@playwright/test";
import { newAccount, screenshot, signUpViaApi, useToken } from "./helpers";

test("an owner edits the rate card: a mistake is marked on its cell, a fix is saved", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  await useToken(page, token);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/settings/rate-card");

  // Seeded with Meta's published rates, in US dollars.
  const india = (category: string) => page.getByLabel(`${category} price for India`);
  await expect(india("Marketing")).toHaveValue("0.0118");
  await expect(page.getByLabel("Currency of the prices")).toHaveValue("USD");
  await page.getByLabel("Find a country").fill("ind");
  await expect(page.locator("tr[data-country]")).toHaveCount(2); // India, Indonesia
  await screenshot(page, "rate-card-1280", true);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "rate-card-390", true);
  await page.setViewportSize({ width: 1280, height: 900 });

  // The business is billed in rupees: a typo is refused and marked where it is.
  await page.getByLabel("Currency of the prices").fill("INR");
  await india("Marketing").fill("0,86");
  await page.getByRole("button", { name: "Save rate card" }).click();
  await expect(india("Marketing")).toHaveAttribute("aria-invalid", "true");
  await india("Marketing").fill("0.8631");
  await page.getByRole("button", { name: "Save rate card" }).click();
  await expect(page.getByText("Rate card saved", { exact: true })).toBeVisible();

  // A country of its own, kept after a reload.
  await page.getByLabel("Country code to add").fill("ke");
  await page.getByRole("button", { name: "Add country" }).click();
  await page.getByLabel("Marketing price for Kenya").fill("0.0386");
  const saved = page.waitForResponse(
    (r) => r.url().endsWith("/api/v1/settings/rate-card") && r.request().method() === "PUT",
  );
  await page.getByRole("button", { name: "Save rate card" }).click();
  expect((await saved).status()).toBe(200);
  await page.reload();
  await expect(page.getByLabel("Currency of the prices")).toHaveValue("INR");
  await expect(page.getByLabel("Marketing price for Kenya")).toHaveValue("0.0386");
  await expect(india("Marketing")).toHaveValue("0.8631");
});
