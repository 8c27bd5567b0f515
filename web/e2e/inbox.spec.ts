import { createHmac, randomBytes } from "node:crypto";
import { expect, test, type APIRequestContext } from "@playwright/test";
import { GOOD_TOKEN, recordedSends } from "./graph-stub";
import {
  bearer,
  leadPhone,
  newAccount,
  sandboxInbound,
  screenshot,
  signUpViaApi,
  useToken,
  waitForDecisions,
} from "./helpers";

test("filters and search narrow the list", async ({ page, request }) => {
  const token = await signUpViaApi(request, newAccount());
  const alpha = await sandboxInbound(request, token, {
    phone: leadPhone(),
    name: "Alpha Buyer",
    text: "Hi, I saw the villa listing",
  });
  const beta = await sandboxInbound(request, token, {
    phone: "+15550007777",
    name: "Beta Browser",
    text: "Just looking",
  });
  // Beta is taken over by a human; Alpha has been read.
  expect(
    (
      await request.post(`/api/v1/conversations/${beta.conversation_id}/takeover`, {
        headers: bearer(token),
      })
    ).status(),
  ).toBe(200);
  const read = await request.post(`/api/v1/conversations/${alpha.conversation_id}/read`, {
    headers: bearer(token),
  });
  expect(read.status()).toBe(200);
  expect(((await read.json()) as { unread_count: number }).unread_count).toBe(0);
  await sandboxInbound(request, token, {
    phone: leadPhone(),
    name: "Gamma Guest",
    text: "Hello, interested in a 2BHK",
  });

  await useToken(page, token);
  await page.goto("/inbox");
  const items = page.getByTestId("conversation-item");
  await expect(items).toHaveCount(3);
  // Newest activity first.
  await expect(items.first()).toContainText("Gamma Guest");

  // Search by name, then by phone digits.
  const search = page.getByRole("searchbox", { name: "Search conversations" });
  await search.fill("alpha");
  await expect(items).toHaveCount(1);
  await expect(items.first()).toContainText("Alpha Buyer");
  await search.fill("0007777");
  await expect(items).toHaveCount(1);
  await expect(items.first()).toContainText("Beta Browser");
  await search.fill("nobody-by-this-name");
  await expect(page.getByText("No conversations match")).toBeVisible();
  await search.fill("");
  await expect(items).toHaveCount(3);

  // Mode: only the conversation a human has.
  await page.getByRole("combobox", { name: "Mode" }).click();
  await page.getByRole("option", { name: "Human" }).click();
  await expect(items).toHaveCount(1);
  await expect(items.first()).toContainText("Beta Browser");
  await page.getByRole("combobox", { name: "Mode" }).click();
  await page.getByRole("option", { name: "Bot" }).click();
  await expect(items).toHaveCount(2);
  await page.getByRole("combobox", { name: "Mode" }).click();
  await page.getByRole("option", { name: "All modes" }).click();
  await expect(items).toHaveCount(3);

  // Unread: Alpha was read.
  await page.getByRole("button", { name: "Unread", pressed: false }).click();
  await expect(items).toHaveCount(2);
  await expect(items.filter({ hasText: "Alpha Buyer" })).toHaveCount(0);
  await page.getByRole("button", { name: "Unread", pressed: true }).click();
  await expect(items).toHaveCount(3);

  // Needs human: nobody yet; clearing the filters brings everything back.
  await page.getByRole("button", { name: "Needs human" }).click();
  await expect(page.getByText("No conversations match")).toBeVisible();
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(items).toHaveCount(3);
  await expect(page.getByRole("button", { name: "Needs human" })).toHaveAttribute(
    "aria-pressed",
    "false",
  );
});

test("take over and release from the conversation header", async ({ page, request }) => {
  const token = await signUpViaApi(request, newAccount());
  const { conversation_id } = await sandboxInbound(request, token, {
    phone: leadPhone(),
    name: "Takeover Lead",
    text: "Hi, interested in the weekend batch",
  });
  // Let the agent answer first, so its reply can't change the mode under the test.
  await waitForDecisions(request, token, conversation_id);
  await useToken(page, token);
  await page.goto(`/inbox/${conversation_id}`);
  const conversation = page.getByRole("region", { name: "Conversation", exact: true });
  const row = page.getByTestId("conversation-item").filter({ hasText: "Takeover Lead" });
  await expect(row).toHaveAttribute("aria-current", "page");
  await expect(conversation.getByTestId("mode-badge")).toHaveText("Bot");

  await conversation.getByRole("button", { name: "Take over" }).click();
  await expect(conversation.getByTestId("mode-badge")).toHaveText("Human");
  await expect(conversation.getByTestId("human-banner")).toHaveText(
    "You're in control — the bot is silent",
  );
  await expect(conversation.getByText("Sending takes over from the bot")).toBeHidden();
  await expect(row.getByTestId("mode-badge")).toHaveText("Human");
  const detail = await request.get(`/api/v1/conversations/${conversation_id}`, {
    headers: bearer(token),
  });
  expect(((await detail.json()) as { mode: string }).mode).toBe("human");

  // The state survives a reload.
  await page.reload();
  await expect(conversation.getByTestId("mode-badge")).toHaveText("Human");

  await conversation.getByRole("button", { name: "Hand back to bot" }).click();
  await expect(conversation.getByTestId("mode-badge")).toHaveText("Bot");
  await expect(conversation.getByTestId("human-banner")).toBeHidden();
  await expect(row.getByTestId("mode-badge")).toHaveCount(0);

  // A change made elsewhere (another teammate, here the API) shows up live.
  await request.post(`/api/v1/conversations/${conversation_id}/takeover`, {
    headers: bearer(token),
  });
  await expect(conversation.getByTestId("mode-badge")).toHaveText("Human");

  // An unknown conversation explains itself.
  await page.goto("/inbox/00000000-0000-7000-8000-000000000000");
  await expect(page.getByText("Conversation not found")).toBeVisible();
});

test("long transcripts load older messages when scrolled to the top", async ({ page, request }) => {
  const token = await signUpViaApi(request, newAccount());
  const phone = leadPhone();
  let conversationId = "";
  for (let i = 1; i <= 60; i += 1) {
    const r = await sandboxInbound(request, token, {
      phone,
      name: "Chatty Lead",
      text: `Message number ${i}`,
    });
    conversationId = r.conversation_id;
  }
  await useToken(page, token);
  await page.goto(`/inbox/${conversationId}`);
  const log = page.getByRole("log", { name: "Messages with Chatty Lead" });
  // Opens at the newest message.
  await expect(log.getByText("Message number 60", { exact: true })).toBeInViewport();
  await expect(log.getByText("Message number 1", { exact: true })).toHaveCount(0);
  await expect(log.getByTestId("day-separator").first()).toHaveText("Today");

  // Scrolling to the top fetches the older page and keeps the reader in place.
  await log.evaluate((el) => el.scrollTo({ top: 0 }));
  await expect(log.getByText("Message number 1", { exact: true })).toBeAttached();
  // (The page above holds 1–10; the reader still sees the messages they were reading.)
  await expect(log.getByText("Message number 12", { exact: true })).toBeInViewport();
  // The reader stays where they were: the older page sits above, not under their eyes.
  await expect(log.getByText("Message number 1", { exact: true })).not.toBeInViewport();
  await expect(log.getByText("Message number 60", { exact: true })).not.toBeInViewport();
  // Every one of the lead's 60, once (the agent's replies, however many the timing gave, aside).
  await expect(log.locator('[data-testid="message"][data-author="lead"]')).toHaveCount(60);
  await expect(log.getByTestId("day-separator")).toHaveCount(1);
});

// --- WhatsApp: signed webhooks in, Graph API stub out -------------------------------------

/** Meta posts webhooks to the server itself (vite preview, when used, only proxies /api). */
function webhookUrl(): string {
  return new URL("/webhooks/whatsapp", process.env.CLOSER_E2E_SERVER_URL).toString();
}

function sign(secret: string, raw: string): string {
  return `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`;
}

async function postWebhook(request: APIRequestContext, secret: string, payload: unknown) {
  const raw = JSON.stringify(payload);
  const res = await request.post(webhookUrl(), {
    data: raw,
    headers: { "Content-Type": "application/json", "X-Hub-Signature-256": sign(secret, raw) },
  });
  expect(res.status(), await res.text()).toBe(200);
}

function change(phoneNumberId: string, value: Record<string, unknown>) {
  return {
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
              ...value,
            },
          },
        ],
      },
    ],
  };
}

function inboundText(
  phoneNumberId: string,
  lead: { waId: string; name: string },
  text: string,
  at = new Date(),
) {
  return change(phoneNumberId, {
    contacts: [{ profile: { name: lead.name }, wa_id: lead.waId }],
    messages: [
      {
        from: lead.waId,
        id: `wamid.in${randomBytes(10).toString("hex")}`,
        timestamp: String(Math.floor(at.getTime() / 1000)),
        type: "text",
        text: { body: text },
      },
    ],
  });
}

function statusUpdate(phoneNumberId: string, wamid: string, status: string, to: string) {
  return change(phoneNumberId, {
    statuses: [
      {
        id: wamid,
        status,
        timestamp: String(Math.floor(Date.now() / 1000)),
        recipient_id: to,
      },
    ],
  });
}

test("WhatsApp: a webhook message arrives live, the reply goes to Meta, ticks follow statuses", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  await useToken(page, token);
  const phoneNumberId = String(100000000000000 + Math.floor(Math.random() * 1e12));
  const appSecret = `e2e-secret-${randomBytes(6).toString("hex")}`;

  // Connect WhatsApp in Settings, against the Graph stub.
  await page.goto("/settings/whatsapp");
  await page.getByLabel("Phone number ID").fill(phoneNumberId);
  await page.getByLabel("WhatsApp Business Account ID").fill("200000000000001");
  await page.getByLabel("Access token").fill(GOOD_TOKEN);
  await page.getByLabel("App secret").fill(appSecret);
  await page.getByRole("button", { name: "Connect WhatsApp" }).click();
  await expect(page.getByText("Connected", { exact: true })).toBeVisible();

  // The inbox is open when the lead writes.
  await page.goto("/inbox");
  await expect(page.getByTestId("realtime-status")).toHaveText("Live");
  await expect(page.getByText("No conversations yet")).toBeVisible();

  const lead = {
    waId: `1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`,
    name: "Maria WhatsApp",
  };
  // A forged signature is refused and changes nothing.
  const forged = JSON.stringify(inboundText(phoneNumberId, lead, "forged"));
  const refused = await request.post(webhookUrl(), {
    data: forged,
    headers: { "Content-Type": "application/json", "X-Hub-Signature-256": sign("wrong", forged) },
  });
  expect(refused.status()).toBe(401);

  await postWebhook(
    request,
    appSecret,
    inboundText(phoneNumberId, lead, "Hi! Is the blue jacket still available in size M?"),
  );
  const row = page.getByTestId("conversation-item").filter({ hasText: "Maria WhatsApp" });
  await expect(row).toBeVisible();
  await expect(row.getByTestId("unread-count")).toHaveText("1");
  await expect(row).not.toContainText("Sandbox");
  await expect(page.getByText("forged")).toHaveCount(0);

  await row.click();
  const conversation = page.getByRole("region", { name: "Conversation", exact: true });
  await expect(
    conversation.getByText("Hi! Is the blue jacket still available in size M?"),
  ).toBeVisible();
  await expect(row.getByTestId("unread-count")).toHaveCount(0);
  const details = page.getByRole("complementary", { name: "Lead details" });
  await expect(details).toContainText("WhatsApp");
  await expect(details).toContainText(lead.waId);

  // The human replies: the server sends it through the Graph API.
  const composer = conversation.getByLabel("Message", { exact: true });
  await composer.fill("Yes, size M is in stock.");
  await composer.press("Enter");
  const reply = conversation.getByTestId("message").filter({ hasText: "Yes, size M is in stock." });
  await expect(reply).toBeVisible();
  await expect(reply.getByTestId("delivery-status")).toHaveAttribute("data-status", "sent");
  await expect(reply.getByRole("img", { name: "Sent" })).toBeVisible();

  // The agent may have answered the lead first; the person's reply is sent once.
  const sends = (await recordedSends(phoneNumberId)).filter(
    (s) => s.body.type === "text" && s.body.text?.body === "Yes, size M is in stock.",
  );
  expect(sends).toHaveLength(1);
  const sent = sends[0]!;
  // Meta accepts the number with or without its "+".
  expect(sent.body.to?.replace(/^\+/, "")).toBe(lead.waId);
  expect(sent.body.text?.body).toBe("Yes, size M is in stock.");
  expect(sent.authorization).toBe(`Bearer ${GOOD_TOKEN}`);

  // The message carries Meta's id.
  const messages = await request.get(
    `/api/v1/conversations/${await row.getAttribute("data-conversation-id")}/messages`,
    { headers: bearer(token) },
  );
  const items = ((await messages.json()) as { items: { provider_message_id: string | null }[] })
    .items;
  expect(items.some((m) => m.provider_message_id === sent.wamid)).toBe(true);

  // Meta reports delivery, then the read: the ticks follow live.
  await postWebhook(
    request,
    appSecret,
    statusUpdate(phoneNumberId, sent.wamid, "delivered", lead.waId),
  );
  await expect(reply.getByTestId("delivery-status")).toHaveAttribute("data-status", "delivered");
  await postWebhook(request, appSecret, statusUpdate(phoneNumberId, sent.wamid, "read", lead.waId));
  await expect(reply.getByTestId("delivery-status")).toHaveAttribute("data-status", "read");
  await expect(reply.getByRole("img", { name: "Read" })).toBeVisible();
  await screenshot(page, "inbox-whatsapp-read");
});

test("WhatsApp: a conversation whose 24-hour window has closed offers templates instead", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
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
  const lead = { waId: "15557654321", name: "Old Lead" };
  const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
  await postWebhook(
    request,
    appSecret,
    inboundText(phoneNumberId, lead, "Hello from last week", twoDaysAgo),
  );
  // Media arrive as labelled placeholders with their captions.
  const media = (type: string, body: Record<string, unknown>, minutes: number) =>
    change(phoneNumberId, {
      contacts: [{ profile: { name: lead.name }, wa_id: lead.waId }],
      messages: [
        {
          from: lead.waId,
          id: `wamid.in${randomBytes(10).toString("hex")}`,
          timestamp: String(Math.floor(twoDaysAgo.getTime() / 1000) + minutes * 60),
          type,
          [type]: body,
        },
      ],
    });
  await postWebhook(
    request,
    appSecret,
    media("image", { id: "400000000000001", mime_type: "image/jpeg", caption: "This one?" }, 1),
  );
  await postWebhook(
    request,
    appSecret,
    media(
      "document",
      { id: "400000000000002", mime_type: "application/pdf", filename: "price-list.pdf" },
      2,
    ),
  );
  await postWebhook(
    request,
    appSecret,
    media("audio", { id: "400000000000003", mime_type: "audio/ogg; codecs=opus", voice: true }, 3),
  );

  await useToken(page, token);
  await page.goto("/inbox");
  await page.getByTestId("conversation-item").filter({ hasText: "Old Lead" }).click();
  const conversation = page.getByRole("region", { name: "Conversation", exact: true });
  await expect(conversation.getByText("Hello from last week")).toBeVisible();
  await expect(conversation.getByTestId("window-closed")).toContainText(
    "The 24-hour window is closed. You can only send an approved template.",
  );
  await expect(conversation.getByLabel("Message", { exact: true })).toHaveCount(0);
  await expect(page.getByTestId("window-status")).toHaveText("Window closed");
  await expect(conversation.getByTestId("day-separator").first()).not.toHaveText("Today");
  const placeholders = conversation.getByTestId("media-placeholder");
  await expect(placeholders).toHaveText(["Image", "Document: price-list.pdf", "Voice message"]);
  await expect(conversation.getByText("This one?")).toBeVisible();
  await screenshot(page, "inbox-window-closed");
});

test("on a phone the list and the conversation each take the screen", async ({
  browser,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  await sandboxInbound(request, token, {
    phone: leadPhone(),
    name: "Mobile Lead",
    text: "Hello from my phone",
  });
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  try {
    const page = await context.newPage();
    await useToken(page, token);
    await page.goto("/inbox");
    const row = page.getByTestId("conversation-item").filter({ hasText: "Mobile Lead" });
    await expect(row).toBeVisible();
    await expect(page.getByText("Select a conversation")).toBeHidden();
    await screenshot(page, "mobile-inbox-list");

    await row.click();
    const conversation = page.getByRole("region", { name: "Conversation", exact: true });
    await expect(conversation.getByText("Hello from my phone")).toBeVisible();
    await expect(row).toBeHidden();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await screenshot(page, "mobile-inbox-conversation");

    // The lead's details open in a dialog.
    await conversation.getByRole("button", { name: "Lead details" }).click();
    const dialog = page.getByRole("dialog", { name: "Lead details" });
    // Before or after the agent's first reply (it answers within seconds): either way the
    // memory section is there.
    await expect(dialog.getByRole("heading", { name: "Agent memory" })).toBeVisible();
    await screenshot(page, "mobile-inbox-details");
    await dialog.getByRole("button", { name: "Close" }).click();

    await conversation.getByRole("link", { name: "Back to conversations" }).click();
    await expect(page).toHaveURL(/\/inbox$/);
    await expect(row).toBeVisible();
  } finally {
    await context.close();
  }
});

test("a lead who asks for a human: the right pane opens on the handoff brief", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  await useToken(page, token);

  // The lead writes in the playground.
  await page.goto("/playground");
  await page.getByLabel("Name").fill("Handoff Lead");
  const phone = page.getByTestId("simulator-phone");
  await expect(page.getByTestId("realtime-status")).toHaveText("Live");
  await phone.getByLabel("Message as the lead").fill("I want to talk to a human");
  await phone.getByLabel("Message as the lead").press("Enter");
  await expect(page).toHaveURL(/conversation=[0-9a-f-]{36}$/);
  const conversationId = new URL(page.url()).searchParams.get("conversation")!;
  // The agent says a person is coming and hands over.
  await expect(phone.locator('[data-testid="message"][data-author="bot"]')).toHaveCount(1, {
    timeout: 15_000,
  });
  await expect(page.getByTestId("business-conversation").getByTestId("mode-badge")).toHaveText(
    "Human",
  );

  await page.getByTestId("open-in-inbox").click();
  await expect(page).toHaveURL(new RegExp(`/inbox/${conversationId}$`));
  const conversation = page.getByRole("region", { name: "Conversation", exact: true });
  await expect(conversation.getByTestId("mode-badge")).toHaveAttribute("data-mode", "human");
  await expect(conversation.getByTestId("human-banner")).toBeVisible();

  const details = page.getByRole("complementary", { name: "Lead details" });
  const brief = details.getByTestId("handoff-brief");
  await expect(brief).toBeVisible();
  await expect(brief.getByTestId("handoff-priority")).toHaveAttribute("data-priority", "high");
  await expect(brief.getByTestId("handoff-priority")).toHaveText("High priority");
  await expect(brief.getByTestId("handoff-reason")).toHaveText("The lead asks for a person");
  await expect(brief).toContainText("Recommended:");
  await expect(brief.getByTestId("handoff-value")).toHaveText(/^\d+\/100$/);
  // The brief comes first, before the status.
  const sections = await details
    .locator("section")
    .evaluateAll((els) => els.map((el) => el.getAttribute("aria-label")));
  expect(sections[0]).toBe("Handoff brief");
  expect(sections.indexOf("Status")).toBeGreaterThan(0);
  const status = details.getByRole("region", { name: "Status" });
  await expect(status.getByTestId("mode-badge")).toHaveAttribute("data-mode", "human");
  await expect(status).toContainText("AttentionNeeds human");

  // The memory and the decision behind the handoff.
  const memory = details.getByTestId("agent-memory");
  await expect(memory).toBeVisible();
  await expect(memory.getByTestId("sentiment-timeline")).toBeVisible();
  const decision = details.getByTestId("decision").first();
  await expect(decision.getByTestId("decision-reason")).toHaveText("needs_human");
  await expect(decision.getByTestId("decision-engine")).toHaveText("Rules");
  await expect(decision).toContainText("High");
  await screenshot(page, "inbox-handoff-brief", true);
  await details.screenshot({ path: "e2e/screenshots/inbox-handoff-pane.png" });
  await decision.scrollIntoViewIfNeeded();
  await decision.screenshot({ path: "e2e/screenshots/inbox-handoff-decision.png" });
});
