import { expect, test } from "@playwright/test";
import { GOOD_TOKEN, STUB_NUMBER } from "./graph-stub";
import { newAccount, signUpViaApi, useToken } from "./helpers";

test("connect, edit and disconnect WhatsApp", async ({ page, request }) => {
  await useToken(page, await signUpViaApi(request, newAccount()));
  await page.goto("/settings/whatsapp");
  await expect(page.getByText("Not connected")).toBeVisible();
  await expect(page.getByLabel("Callback URL", { exact: true })).toHaveValue(
    /\/webhooks\/whatsapp$/,
  );

  const phoneNumberId = String(100000000000000 + Math.floor(Math.random() * 1e12));
  await page.getByLabel("Phone number ID").fill(phoneNumberId);
  await page.getByLabel("WhatsApp Business Account ID").fill("200000000000001");
  await page.getByLabel("Access token").fill("EAAG-expired-token");
  await page.getByLabel("App secret").fill("app-secret-e2e");
  await expect(page.getByLabel("Verify token", { exact: true })).not.toHaveValue("");

  // Meta refuses the token: the message appears under the token field.
  await page.getByRole("button", { name: "Connect WhatsApp" }).click();
  await expect(page.getByLabel("Access token")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText(/refused this token/i)).toBeVisible();

  await page.getByLabel("Access token").fill(GOOD_TOKEN);
  await page.getByRole("button", { name: "Connect WhatsApp" }).click();
  await expect(page.getByText("Connected", { exact: true })).toBeVisible();
  await expect(page.getByText(STUB_NUMBER.display_phone_number)).toBeVisible();
  await expect(page.getByText(phoneNumberId)).toBeVisible();
  // The stand-in Graph API says "GREEN"; the server stores and returns "green".
  await expect(page.getByText("Green", { exact: true })).toBeVisible();
  await expect(page.getByLabel("Verify token", { exact: true })).not.toHaveValue("");
  // Secrets never come back.
  await expect(page.getByText(GOOD_TOKEN)).toHaveCount(0);

  // The status survives a reload.
  await page.reload();
  await expect(page.getByText("Connected", { exact: true })).toBeVisible();

  // Edit: change the verify token only.
  await page.getByRole("button", { name: "Edit connection" }).click();
  const form = page.getByRole("form", { name: "Edit WhatsApp connection" });
  await form.getByLabel("Verify token").fill("my-new-verify-token");
  await form.getByRole("button", { name: "Save and verify" }).click();
  await expect(form).toBeHidden();
  await expect(page.getByLabel("Verify token", { exact: true })).toHaveValue("my-new-verify-token");

  // Disconnect with confirmation.
  await page.getByRole("button", { name: "Disconnect" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Disconnect" }).click();
  await expect(page.getByText("Not connected")).toBeVisible();
  await expect(page.getByRole("button", { name: "Connect WhatsApp" })).toBeVisible();
});
