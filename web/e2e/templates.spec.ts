import { createHmac, randomBytes } from "node:crypto";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { GOOD_TOKEN, recordedSends, recordedTemplates } from "./graph-stub";
import { bearer, newAccount, screenshot, signUpViaApi, useToken } from "./helpers";

function webhookUrl(): string {
  return new URL("/webhooks/whatsapp", process.env.CLOSER_E2E_SERVER_URL).toString();
}

async function postWebhook(request: APIRequestContext, secret: string, payload: unknown) {
  const raw = JSON.stringify(payload);
  const signature = `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`;
  const res = await request.post(webhookUrl(), {
    data: raw,
    headers: { "Content-Type": "application/json", "X-Hub-Signature-256": signature },
  });
  expect(res.status(), await res.text()).toBe(200);
}

/** Picks `option` in the Radix select named `name`. */
async function choose(page: Page, name: string, option: string) {
  await page.getByRole("combobox", { name }).click();
  await page.getByRole("option", { name: option }).click();
}

test("a template built with its preview is approved by Meta and sent from a closed window", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  const id = () => String(100000000000000 + Math.floor(Math.random() * 1e12));
  // The account's own WABA: Meta's template webhooks are routed by it.
  const [phoneNumberId, wabaId] = [id(), id()];
  const appSecret = `e2e-secret-${randomBytes(6).toString("hex")}`;
  const connect = await request.post("/api/v1/settings/whatsapp/connect", {
    headers: bearer(token),
    data: {
      phone_number_id: phoneNumberId,
      waba_id: wabaId,
      access_token: GOOD_TOKEN,
      app_secret: appSecret,
      verify_token: "e2e-verify",
    },
  });
  expect(connect.status(), await connect.text()).toBe(200);

  // Maria wrote two days ago: her window is closed.
  const waId = `1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
  const twoDaysAgo = Math.floor(Date.now() / 1000) - 2 * 24 * 3600;
  await postWebhook(request, appSecret, {
    object: "whatsapp_business_account",
    entry: [
      {
        id: wabaId,
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550100199", phone_number_id: phoneNumberId },
              contacts: [{ profile: { name: "Maria Template" }, wa_id: waId }],
              messages: [
                {
                  from: waId,
                  id: `wamid.in${randomBytes(10).toString("hex")}`,
                  timestamp: String(twoDaysAgo),
                  type: "text",
                  text: { body: "Is my order ready?" },
                },
              ],
            },
          },
        ],
      },
    ],
  });

  // Build the template; the preview fills it with Maria's values as it is typed.
  await useToken(page, token);
  await page.goto("/templates");
  await page.getByRole("button", { name: "New template" }).click();
  await page.getByLabel("Name", { exact: true }).fill("order_ready");
  await page
    .getByLabel("Body", { exact: true })
    .fill("Hi {{first_name}}, your order {{order_number}} is ready for pickup.");
  await page.getByLabel("Sample for first_name").fill("Ana");
  await page.getByLabel("Sample for order_number").fill("ORD-1001");
  await choose(page, "Source for first_name", "Lead field");
  await page.getByLabel("Footer").fill("Acme Store");
  await page.getByRole("button", { name: "Quick reply" }).click();
  await page.getByLabel("Label").fill("Thanks!");
  await choose(page, "Fill with a lead's values", "Maria Template");
  const preview = page.getByTestId("template-preview-body");
  await expect(preview).toHaveText("Hi Maria, your order ORD-1001 is ready for pickup.");
  await expect(page.getByTestId("template-preview-missing")).toContainText("order_number");
  await page.setViewportSize({ width: 1280, height: 900 });
  await screenshot(page, "templates-editor-1280", true);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "templates-editor-390", true);
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page.getByTestId("template-status").first()).toHaveText("Draft");
  await page.getByRole("button", { name: "Submit to Meta" }).click();
  await expect(page.getByTestId("template-status").first()).toHaveText("In review");
  const submitted = (await recordedTemplates()).find(
    (t) => t.waba_id === wabaId && t.body.name === "order_ready",
  );
  expect(submitted?.body.category).toBe("UTILITY");

  // Meta approves it, by signed webhook for the account.
  await postWebhook(request, appSecret, {
    object: "whatsapp_business_account",
    entry: [
      {
        id: wabaId,
        time: Math.floor(Date.now() / 1000),
        changes: [
          {
            field: "message_template_status_update",
            value: {
              event: "APPROVED",
              message_template_id: Number(submitted!.id),
              message_template_name: "order_ready",
              message_template_language: "en_US",
              reason: "NONE",
            },
          },
        ],
      },
    ],
  });
  await page.reload();
  await expect(page.getByTestId("template-status").first()).toHaveText("Approved");
  await screenshot(page, "templates-list-1280");

  // From the inbox: the closed window offers the approved template, filled from Maria.
  await page.goto("/inbox");
  await page.getByTestId("conversation-item").filter({ hasText: "Maria Template" }).click();
  const conversation = page.getByRole("region", { name: "Conversation", exact: true });
  const sender = conversation.getByTestId("template-sender");
  await choose(page, "Template", "order_ready · en_US");
  await sender.getByLabel("Value for {{order_number}}").fill("ORD-2042");
  await expect(sender.getByTestId("template-preview-body")).toHaveText(
    "Hi Maria, your order ORD-2042 is ready for pickup.",
  );
  await screenshot(page, "templates-inbox-1280");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "templates-inbox-390");
  await page.setViewportSize({ width: 1280, height: 900 });
  await sender.getByRole("button", { name: "Send template" }).click();
  await expect(
    conversation.getByText("Hi Maria, your order ORD-2042 is ready for pickup.", { exact: false }),
  ).toBeVisible();
  await expect
    .poll(async () => (await recordedSends(phoneNumberId)).map((s) => s.body.type))
    .toContain("template");
  const sent = (await recordedSends(phoneNumberId)).find((s) => s.body.type === "template")!;
  expect(sent.body).toMatchObject({
    to: `+${waId}`,
    template: {
      name: "order_ready",
      language: { code: "en_US" },
      components: [
        {
          type: "body",
          parameters: [
            { type: "text", parameter_name: "first_name", text: "Maria" },
            { type: "text", parameter_name: "order_number", text: "ORD-2042" },
          ],
        },
      ],
    },
  });

  // Meta delivers it and bills it as utility: the bubble and the conversation show the price
  // from the rate card (Meta's published "every other country" rate for this +1 555 number).
  const conversationId = new URL(page.url()).pathname.split("/").pop()!;
  const templateWamid = async () => {
    const res = await request.get(`/api/v1/conversations/${conversationId}/messages`, {
      headers: bearer(token),
    });
    const items = (await res.json()).items as { type: string; provider_message_id?: string }[];
    return items.find((m) => m.type === "template")?.provider_message_id ?? "";
  };
  await expect.poll(templateWamid).not.toBe("");
  const wamid = await templateWamid();
  await postWebhook(request, appSecret, {
    object: "whatsapp_business_account",
    entry: [
      {
        id: wabaId,
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550100199", phone_number_id: phoneNumberId },
              statuses: [
                {
                  id: wamid,
                  status: "delivered",
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  recipient_id: waId,
                  pricing: {
                    billable: true,
                    pricing_model: "PMP",
                    type: "regular",
                    category: "utility",
                  },
                },
              ],
            },
          },
        ],
      },
    ],
  });
  await page.reload();
  await expect(conversation.getByTestId("message-cost")).toHaveText("$0.0077");
  await expect(page.getByTestId("conversation-cost")).toContainText("$0.0077");
  await screenshot(page, "pricing-inbox-1280");
});
