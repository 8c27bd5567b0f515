import { createHmac, randomBytes } from "node:crypto";
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { GOOD_TOKEN, recordedSends, recordedTemplates } from "./graph-stub";
import { bearer, newAccount, screenshot, signUpViaApi, useToken } from "./helpers";

async function postWebhook(request: APIRequestContext, secret: string, payload: unknown) {
  const url = new URL("/webhooks/whatsapp", process.env.CLOSER_E2E_SERVER_URL).toString();
  const raw = JSON.stringify(payload);
  const signature = `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`;
  const res = await request.post(url, {
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

test("a broadcast goes from a saved view through its pre-flight to its stats", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  const auth = { headers: bearer(token) };
  const id = () => String(100000000000000 + Math.floor(Math.random() * 1e12));
  const [phoneNumberId, wabaId] = [id(), id()];
  const appSecret = `e2e-secret-${randomBytes(6).toString("hex")}`;
  const connect = await request.post("/api/v1/settings/whatsapp/connect", {
    ...auth,
    data: {
      phone_number_id: phoneNumberId,
      waba_id: wabaId,
      access_token: GOOD_TOKEN,
      app_secret: appSecret,
      verify_token: "e2e-verify",
    },
  });
  expect(connect.status(), await connect.text()).toBe(200);

  // An approved template (Meta's webhook says so).
  const created = await request.post("/api/v1/templates", {
    ...auth,
    data: {
      name: "spring_offer",
      language: "en_US",
      category: "UTILITY",
      parameter_format: "NAMED",
      body: {
        text: "Hi {{first_name}}, your spring offer is ready.",
        examples: { first_name: "Maria" },
      },
      variables: { first_name: { source: "contact", key: "first_name", fallback: "there" } },
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const templateId = (await created.json()).id as string;
  const submitted = await request.post(`/api/v1/templates/${templateId}/submit`, auth);
  expect(submitted.status(), await submitted.text()).toBe(200);
  const providerId = (await recordedTemplates()).find(
    (t) => t.waba_id === wabaId && t.body.name === "spring_offer",
  )!.id;
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
              message_template_id: Number(providerId),
              message_template_name: "spring_offer",
              message_template_language: "en_US",
              reason: "NONE",
            },
          },
        ],
      },
    ],
  });

  // Four leads in Pune (one opted out) and one elsewhere; a saved view of Pune.
  const suffix = String(Math.floor(Math.random() * 1e5)).padStart(5, "0");
  const phones = [1, 2, 3, 4, 5].map((i) => `+9198${suffix}${i}00`.slice(0, 13));
  for (const [i, phone] of phones.entries()) {
    const res = await request.post("/api/v1/leads", {
      ...auth,
      data: { phone, name: `Lead ${i + 1}`, city: i < 4 ? "Pune" : "Goa" },
    });
    expect(res.status(), await res.text()).toBe(201);
    if (i === 3) {
      const lead = await res.json();
      const out = await request.post(`/api/v1/leads/${lead.id}/opt-out`, { ...auth, data: {} });
      expect([200, 201, 204]).toContain(out.status());
    }
  }
  const view = await request.post("/api/v1/views", {
    ...auth,
    data: {
      name: "Pune leads",
      filter: [{ field: "city", operator: "equal_to", value: "Pune" }],
      shared: true,
    },
  });
  expect(view.status(), await view.text()).toBe(201);

  // The number's pace, from Settings → WhatsApp: 80 until Meta raises it; 100 now.
  await useToken(page, token);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/settings/whatsapp");
  const pace = page.getByRole("form", { name: "Sending pace" });
  const rate = pace.getByRole("spinbutton", { name: "Messages per second" });
  await expect(rate).toHaveValue("80");
  await rate.fill("2000");
  await expect(pace.getByText("A whole number from 1 to 1000.")).toBeVisible();
  await rate.fill("100");
  await pace.getByRole("button", { name: "Save pace" }).click();
  await expect(
    page.getByText("Sending pace set to 100 messages a second", { exact: true }),
  ).toBeVisible();
  await screenshot(page, "whatsapp-pace-1280", true);
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(rate).toBeVisible();
  await screenshot(page, "whatsapp-pace-390", true);
  await page.setViewportSize({ width: 1280, height: 900 });
  const status = await request.get("/api/v1/settings/whatsapp/status", auth);
  expect((await status.json()).send_rate_per_second).toBe(100);

  // The builder: a saved view, the template, at 5 messages a second.
  await page.goto("/broadcasts");
  await expect(page.getByRole("heading", { name: "Broadcasts" })).toBeVisible();
  await page.getByRole("button", { name: "New broadcast" }).click();
  await page.getByLabel("Name").fill("Spring in Pune");
  await choose(page, "Template", "spring_offer (en_US)");
  await choose(page, "Saved view", "Pune leads");
  await page.getByLabel("Messages per second").fill("5");
  await screenshot(page, "campaigns-builder-1280");
  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page.getByRole("heading", { name: /Spring in Pune/ })).toBeVisible();

  // The pre-flight: three recipients, one excluded because she opted out, nothing sent.
  await page.getByRole("button", { name: "Run pre-flight" }).click();
  const panel = page.getByLabel("Pre-flight");
  await expect(panel.getByText("Recipients")).toBeVisible();
  await expect(panel).toContainText("Excluded: Opted out");
  await expect(panel).toContainText("1000 left");
  await expect(panel).toContainText("spring_offer");
  await screenshot(page, "campaigns-preflight-1280", true);
  expect((await recordedSends(phoneNumberId)).length).toBe(0);

  // Start: the stats fill in live until it is completed.
  await page.getByRole("button", { name: "Start" }).click();
  await expect(page.getByText("Completed", { exact: true })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole("progressbar", { name: "Sent" })).toHaveAttribute(
    "aria-valuenow",
    "3",
  );
  const sends = await recordedSends(phoneNumberId);
  expect(sends.length).toBe(3);
  expect(sends.every((s) => typeof s.body.biz_opaque_callback_data === "string")).toBe(true);
  const recipients = page.getByRole("table", { name: "Recipients" });
  await expect(recipients.getByRole("cell", { name: "Sent", exact: true })).toHaveCount(3);
  await expect(recipients.getByText("Opted out")).toBeVisible();
  await expect(page.getByRole("img", { name: "Recipients by status" })).toBeVisible();
  const csv = page.getByRole("link", { name: "CSV" });
  await expect(csv).toHaveAttribute("href", /recipients\?format=csv$/);
  await screenshot(page, "campaigns-stats-1280", true);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "campaigns-stats-390", true);
  await page.goto("/broadcasts");
  await expect(page.getByRole("link", { name: "Spring in Pune" })).toBeVisible();
  await screenshot(page, "campaigns-list-390");

  // A recipient's conversation says which broadcast it came from, linked to its stats.
  await page.setViewportSize({ width: 1280, height: 900 });
  const list = await request.get("/api/v1/conversations?limit=10", auth);
  const conversation = (await list.json()).items[0] as { id: string };
  await page.goto(`/inbox/${conversation.id}`);
  const broadcast = page.getByTestId("broadcast");
  await expect(broadcast).toContainText("Spring in Pune");
  await expect(broadcast).toContainText("Not yet");
  await screenshot(page, "inbox-broadcast-1280");
  await broadcast.getByRole("link", { name: "Spring in Pune" }).click();
  await expect(page.getByRole("heading", { name: /Spring in Pune/ })).toBeVisible();
});
