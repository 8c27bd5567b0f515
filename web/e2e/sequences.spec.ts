import { expect, test, type APIRequestContext } from "@playwright/test";
import { createHmac, randomBytes } from "node:crypto";
import { GOOD_TOKEN, recordedSends } from "./graph-stub";
import { bearer, newAccount, screenshot, signUpViaApi, useToken } from "./helpers";

/** Meta posts webhooks to the server itself. */
function webhookUrl(): string {
  return new URL("/webhooks/whatsapp", process.env.CLOSER_E2E_SERVER_URL).toString();
}

/** The lead writes on WhatsApp (a signed webhook), which opens the 24-hour window. */
async function leadWrites(
  request: APIRequestContext,
  secret: string,
  phoneNumberId: string,
  lead: { waId: string; name: string },
  text: string,
) {
  const payload = {
    object: "whatsapp_business_account",
    entry: [
      {
        id: "100000000000001",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550100199", phone_number_id: phoneNumberId },
              contacts: [{ profile: { name: lead.name }, wa_id: lead.waId }],
              messages: [
                {
                  from: lead.waId,
                  id: `wamid.in${randomBytes(10).toString("hex")}`,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: "text",
                  text: { body: text },
                },
              ],
            },
          },
        ],
      },
    ],
  };
  const raw = JSON.stringify(payload);
  const sig = `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`;
  const res = await request.post(webhookUrl(), {
    data: raw,
    headers: { "Content-Type": "application/json", "X-Hub-Signature-256": sig },
  });
  expect(res.status(), await res.text()).toBe(200);
}

test("sequences: build one, enrol a lead who wrote, see the step go to WhatsApp", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  await useToken(page, token);
  await page.setViewportSize({ width: 1280, height: 900 });
  const phoneNumberId = String(100000000000000 + Math.floor(Math.random() * 1e12));
  const appSecret = `e2e-secret-${randomBytes(6).toString("hex")}`;
  const connect = await request.post("/api/v1/settings/whatsapp/connect", {
    headers: bearer(token),
    data: {
      phone_number_id: phoneNumberId,
      waba_id: "200000000000001",
      access_token: GOOD_TOKEN,
      app_secret: appSecret,
      verify_token: "e2e-verify",
    },
  });
  expect(connect.status(), await connect.text()).toBe(200);
  const lead = {
    waId: `1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`,
    name: "Sam Sequence",
  };
  await leadWrites(request, appSecret, phoneNumberId, lead, "Hi, I saw your ad");

  // Build a sequence: a name, a first step that goes at once, a second a day later.
  await page.goto("/automations/sequences");
  await expect(page.getByRole("heading", { level: 1, name: "Sequences" })).toBeVisible();
  await expect(page.getByText("No sequences yet")).toBeVisible();
  await page.getByRole("button", { name: "New sequence" }).click();
  const editor = page.getByRole("form", { name: "Sequence editor" });
  // A step without text is refused, named beside the field.
  await editor.getByLabel("Name").fill("Welcome drip");
  await editor.getByRole("button", { name: "Save sequence" }).click();
  await expect(editor.getByText("must not be empty").first()).toBeVisible();
  await editor.getByLabel("Step 1 text").fill("Thanks for writing! Here is our catalogue.");
  await editor.getByRole("button", { name: "Add a step" }).click();
  await editor.getByLabel("Step 2 text").fill("Any questions about sizes?");
  await editor.getByRole("button", { name: "Add a stop condition" }).click();
  await editor.getByRole("button", { name: "Save sequence" }).click();
  await expect(page.getByRole("list", { name: "Sequences" })).toContainText("Welcome drip");
  await expect(page.getByRole("list", { name: "Sequences" })).toContainText("2 steps");

  // Enrol the lead by hand: the first step goes, the enrolment waits for the second.
  await page.getByLabel("Find a lead to enrol").fill("Sam");
  await page
    .getByRole("list", { name: "Leads found" })
    .getByRole("button", { name: "Enrol" })
    .click();
  await expect(page.getByText("Enrolled", { exact: true }).first()).toBeVisible();
  const sequences = await request.get("/api/v1/sequences", { headers: bearer(token) });
  const seqId = ((await sequences.json()) as { items: { id: string }[] }).items[0].id;
  await expect
    .poll(
      async () => {
        const r = await request.get(`/api/v1/sequences/${seqId}/enrollments`, {
          headers: bearer(token),
        });
        return JSON.stringify(((await r.json()) as { items: unknown[] }).items[0]);
      },
      { timeout: 20_000 },
    )
    .toContain('"step":1');
  const row = page.getByTestId("enrollment").first();
  await expect(row).toContainText("Sam Sequence");
  await expect(row.getByTestId("enrollment-step")).toHaveText("1 of 2 done", { timeout: 20_000 });
  await expect(row).toContainText("Active");
  await expect
    .poll(async () => (await recordedSends(phoneNumberId)).map((s) => s.body.text?.body ?? ""))
    .toContain("Thanks for writing! Here is our catalogue.");
  await screenshot(page, "sequences", true);

  // The step is in the lead's conversation.
  const conversations = await request.get("/api/v1/conversations", { headers: bearer(token) });
  const conv = ((await conversations.json()) as { items: { id: string }[] }).items[0];
  await page.goto(`/inbox/${conv.id}`);
  await expect(page.getByText("Thanks for writing! Here is our catalogue.")).toBeVisible();

  // A person stops the enrolment.
  await page.goto("/automations/sequences");
  await page.getByRole("button", { name: /Welcome drip/ }).click();
  await page.getByTestId("enrollment").first().getByRole("button", { name: "Stop" }).click();
  await expect(page.getByTestId("enrollment").first()).toContainText("Stopped");
  await expect(page.getByTestId("enrollment").first()).toContainText("Manual");

  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await page.getByRole("button", { name: /Welcome drip/ }).click();
  await expect(page.getByTestId("enrollment").first()).toBeVisible();
  await screenshot(page, "sequences-mobile", true);
});
