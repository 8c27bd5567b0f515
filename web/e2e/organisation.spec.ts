import { expect, test } from "@playwright/test";
import { newAccount, signUpViaApi, useToken } from "./helpers";

test("edit the organisation details and see them persist after reload", async ({
  page,
  request,
}) => {
  const account = newAccount();
  await useToken(page, await signUpViaApi(request, account));

  await page.goto("/settings/organisation");
  await expect(page.getByLabel("Organisation name")).toHaveValue(account.orgName);

  const renamed = `${account.orgName} Renamed`;
  const values: Record<string, string> = {
    "Organisation name": renamed,
    Industry: "Real estate",
    Website: "https://acme.example.com",
    Timezone: "Asia/Kolkata",
    City: "Pune",
    "Support email": "help@acme.example.com",
    "Support phone": "+91 98765 43210",
  };
  for (const [label, value] of Object.entries(values)) {
    await page.getByLabel(label).fill(value);
  }
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Organisation details saved").first()).toBeVisible();

  await page.reload();
  // Phones come back in E.164, however they were typed.
  const saved = { ...values, "Support phone": "+919876543210" };
  for (const [label, value] of Object.entries(saved)) {
    await expect(page.getByLabel(label)).toHaveValue(value);
  }
  // The shell shows the new name too.
  await expect(page.getByText(renamed).first()).toBeVisible();

  // Clearing an optional field stores it as empty.
  await page.getByLabel("City").fill("");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByText("Organisation details saved").first()).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("City")).toHaveValue("");
  await expect(page.getByLabel("Industry")).toHaveValue("Real estate");
});

test("an invalid value shows its message under the field", async ({ page, request }) => {
  await useToken(page, await signUpViaApi(request, newAccount()));
  await page.goto("/settings/organisation");
  await page.getByLabel("Support email").fill("not-an-email");
  await page.getByLabel("Timezone").fill("Mars/Olympus_Mons");
  await page.getByRole("button", { name: "Save changes" }).click();
  // A 422 names the fields; each message appears next to its input.
  const email = page.getByLabel("Support email");
  await expect(email).toHaveAttribute("aria-invalid", "true");
});
