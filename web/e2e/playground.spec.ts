import { expect, test } from "@playwright/test";
import { bearer, newAccount, sandboxInbound, screenshot, signUpViaApi, useToken } from "./helpers";
import { completion, startLlmStub } from "./llm-stub";

test("a lead writes in the playground; a human answers from the inbox, live both ways", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  await useToken(page, token);

  // The playground: a fresh lead identity and an empty phone.
  await page.goto("/playground");
  await expect(page.getByRole("heading", { level: 1, name: "Playground" })).toBeVisible();

  // The inbox is open in a second tab of the same browser before anything happens (the tab
  // shares the session the first one stored).
  const inbox = await page.context().newPage();
  await inbox.goto("/inbox");
  await expect(inbox.getByText("No conversations yet")).toBeVisible();
  await expect(inbox.getByTestId("realtime-status")).toHaveText("Live");
  await expect(inbox.getByText("Select a conversation")).toBeVisible();

  const phone = page.getByTestId("simulator-phone");
  await expect(phone.getByText(/Write as the lead/)).toBeVisible();
  await expect(page.getByLabel("Lead's phone")).toHaveValue(/^\+1555\d{7}$/);
  await page.getByLabel("Name").fill("Priya Playground");
  await expect(page.getByTestId("realtime-status")).toHaveText("Live");

  await phone.getByLabel("Message as the lead").fill("Hi, I want to join the course");
  await phone.getByLabel("Message as the lead").press("Enter");
  await expect(phone.getByText("Hi, I want to join the course")).toBeVisible();
  await expect(phone.getByLabel("Message as the lead")).toHaveValue("");
  await expect(page).toHaveURL(/\/playground\?conversation=[0-9a-f-]{36}$/);
  const conversationId = new URL(page.url()).searchParams.get("conversation")!;
  await expect(page.getByTestId("business-conversation")).toContainText("Priya Playground");
  await expect(page.getByTestId("open-in-inbox")).toHaveAttribute(
    "href",
    `/inbox/${conversationId}`,
  );

  // The inbox shows the new conversation without a reload, unread.
  const row = inbox.getByTestId("conversation-item").filter({ hasText: "Priya Playground" });
  await expect(row).toBeVisible();
  await expect(row.getByTestId("unread-count")).toHaveText("1");
  await expect(row).toContainText("Sandbox");

  // A moment later the agent answers on the phone; the inbox previews its reply.
  const botReply = phone.locator('[data-testid="message"][data-author="bot"]');
  await expect(botReply).toHaveCount(1, { timeout: 15_000 });
  await expect(row).toContainText("Bot: ");
  await expect(row.getByTestId("unread-count")).toHaveText("1");

  // Opening it reads it.
  await row.click();
  await expect(inbox).toHaveURL(new RegExp(`/inbox/${conversationId}$`));
  const conversation = inbox.getByRole("region", { name: "Conversation", exact: true });
  await expect(conversation.getByTestId("conversation-title")).toHaveText("Priya Playground");
  await expect(conversation.getByText("Hi, I want to join the course")).toBeVisible();
  await expect(row.getByTestId("unread-count")).toHaveCount(0);
  const detail = await request.get(`/api/v1/conversations/${conversationId}`, {
    headers: bearer(token),
  });
  expect(((await detail.json()) as { unread_count: number }).unread_count).toBe(0);

  // The lead details: sandbox channel, an open window, the agent's memory and decision.
  const details = inbox.getByRole("complementary", { name: "Lead details" });
  await expect(details.getByTestId("window-status")).toHaveText(/^Window open until /);
  await expect(details.getByTestId("agent-memory")).toBeVisible();
  await expect(details.getByTestId("agent-memory-placeholder")).toHaveCount(0);
  await expect(details.getByTestId("decision")).toHaveCount(1);
  await expect(details.getByTestId("handoff-brief")).toHaveCount(0);
  await expect(conversation.getByText("Sending takes over from the bot")).toBeVisible();
  await expect(conversation.getByTestId("mode-badge")).toHaveText("Bot");

  // A human replies: that takes the conversation over.
  const composer = conversation.getByLabel("Message", { exact: true });
  await composer.fill("Hello from a human");
  await composer.press("Enter");
  await expect(composer).toHaveValue("");
  await expect(conversation.getByTestId("mode-badge")).toHaveText("Human");
  await expect(conversation.getByText("You're in control — the bot is silent")).toBeVisible();
  const reply = conversation.getByTestId("message").filter({ hasText: "Hello from a human" });
  await expect(reply).toBeVisible();
  await expect(reply).toHaveAttribute("data-author", "human");
  // The sandbox delivers at once: the ticks move on to delivered by themselves.
  await expect(reply.getByTestId("delivery-status")).toHaveAttribute("data-status", "delivered");
  await expect(reply.getByRole("img", { name: "Delivered" })).toBeVisible();
  await expect(row.getByTestId("mode-badge")).toHaveText("Human");

  // ... and the lead's phone shows the reply live.
  await expect(phone.getByText("Hello from a human")).toBeVisible();
  await expect(page.getByTestId("business-conversation").getByTestId("mode-badge")).toHaveText(
    "Human",
  );

  // Multi-line: Shift+Enter makes a new line, Enter sends.
  await composer.fill("Line one");
  await composer.press("Shift+Enter");
  await composer.pressSequentially("Line two");
  await expect(composer).toHaveValue("Line one\nLine two");
  await composer.press("Enter");
  await expect(phone.getByText(/Line one\s+Line two/)).toBeVisible();

  await inbox.bringToFront();
  await screenshot(inbox, "inbox-conversation");

  // Handed back: the bot answers again.
  await conversation.getByRole("button", { name: "Hand back to bot" }).click();
  await expect(conversation.getByTestId("mode-badge")).toHaveText("Bot");
  await expect(conversation.getByText("You're in control — the bot is silent")).toBeHidden();
  await expect(conversation.getByRole("button", { name: "Take over" })).toBeVisible();
  await expect(page.getByTestId("business-conversation").getByTestId("mode-badge")).toHaveText(
    "Bot",
  );

  // The lead writes again: it shows in the open conversation as it arrives.
  await phone.getByLabel("Message as the lead").fill("And do you deliver?");
  await phone.getByLabel("Message as the lead").press("Enter");
  await expect(conversation.getByText("And do you deliver?")).toBeVisible();

  await page.bringToFront();
  await screenshot(page, "playground");
});

test("playground: validation, new lead, and picking up an earlier lead", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  const earlier = await sandboxInbound(request, token, {
    phone: "+15550001234",
    name: "Earlier Lead",
    text: "Are you open on Sundays?",
  });
  await useToken(page, token);
  await page.goto("/playground");
  const phone = page.getByTestId("simulator-phone");
  const leads = page.getByRole("list", { name: "Sandbox leads" });
  await expect(leads.getByText("Earlier Lead")).toBeVisible();

  // A bad number is refused before anything is sent.
  await page.getByLabel("Lead's phone").fill("12ab");
  await phone.getByLabel("Message as the lead").fill("Hello?");
  await phone.getByLabel("Send as the lead").click();
  await expect(page.getByLabel("Lead's phone")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByText("Use digits only, like +15551234567.")).toBeVisible();
  await expect(phone.getByLabel("Message as the lead")).toHaveValue("Hello?");

  // "New lead" picks a fresh valid number.
  await page.getByRole("button", { name: "New lead" }).click();
  await expect(page.getByLabel("Lead's phone")).toHaveValue(/^\+1555\d{7}$/);
  await expect(page.getByLabel("Lead's phone")).not.toHaveAttribute("aria-invalid", "true");

  // Continue as the earlier lead: their conversation comes back on the phone.
  await page.getByRole("button", { name: "Continue as Earlier Lead" }).click();
  await expect(page).toHaveURL(new RegExp(`conversation=${earlier.conversation_id}`));
  await expect(phone.getByText("Are you open on Sundays?")).toBeVisible();
  await expect(page.getByLabel("Lead's phone")).toHaveValue("+15550001234");
  await expect(page.getByLabel("Name")).toHaveValue("Earlier Lead");
  await expect(leads.getByText("On the phone")).toBeVisible();

  // A reload keeps the lead (the conversation is in the address).
  await page.reload();
  await expect(phone.getByText("Are you open on Sundays?")).toBeVisible();
  await expect(page.getByLabel("Name")).toHaveValue("Earlier Lead");

  await phone.getByLabel("Message as the lead").fill("Hello?");
  await phone.getByLabel("Message as the lead").press("Enter");
  await expect(phone.getByText("Hello?")).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`conversation=${earlier.conversation_id}`));
});

test("the agent answers from the FAQ; the decision panel says why", async ({ page, request }) => {
  const token = await signUpViaApi(request, newAccount());
  const faq = await request.post("/api/v1/knowledge", {
    headers: bearer(token),
    data: { kind: "faq", content: "Q: What are the fees?\nA: The course costs ₹2999." },
  });
  expect(faq.status(), await faq.text()).toBe(201);

  await useToken(page, token);
  await page.goto("/playground");
  const decisions = page.getByRole("region", { name: "Agent decisions" });
  await expect(decisions.getByText("No decisions yet")).toBeVisible();
  const phone = page.getByTestId("simulator-phone");
  await expect(page.getByTestId("realtime-status")).toHaveText("Live");
  await phone.getByLabel("Message as the lead").fill("Hi, what are your fees?");
  await phone.getByLabel("Message as the lead").press("Enter");

  // The bot's reply arrives on the phone, live, quoting the FAQ.
  const reply = phone.locator('[data-testid="message"][data-author="bot"]');
  await expect(reply).toHaveCount(1, { timeout: 15_000 });
  await expect(reply).toContainText("₹2999");

  // Its decision: why (pricing_discussion), which engine (rules), and the guardrails.
  const decision = decisions.getByTestId("decision");
  await expect(decision).toHaveCount(1);
  await expect(decision.getByTestId("decision-reason")).toHaveText("pricing_discussion");
  await expect(decision.getByTestId("decision-engine")).toHaveAttribute("data-engine", "rules");
  await expect(decision.getByTestId("decision-engine")).toHaveText("Rules");
  await expect(decision).toContainText("₹2999");
  await expect(decision).toContainText("used the knowledge base");
  await expect(decision.getByTestId("decision-guardrails")).toContainText(
    /\d+ passed · 0 repaired · 0 blocked/,
  );
  await expect(decision.getByTestId("decision-send")).toHaveText("Delivered");
  // The decision is the one that produced the reply on the phone.
  const detail = await request.get(
    `/api/v1/conversations/${new URL(page.url()).searchParams.get("conversation")}/messages`,
    { headers: bearer(token) },
  );
  const botMessage = (
    (await detail.json()) as { items: Array<{ id: string; author: string }> }
  ).items.find((m) => m.author === "bot");
  await expect(decision).toHaveAttribute("data-message-id", botMessage!.id);
  await screenshot(page, "playground-decision", true);
});

test("with the LLM engine on, the model's reply goes out; when the model fails, the safe reply does", async ({
  page,
  request,
}) => {
  let down = false;
  const stub = await startLlmStub((r) => {
    if (down)
      return { status: 500, body: { error: { message: "overloaded", type: "server_error" } } };
    if (r.system.startsWith("You plan")) {
      return completion(
        JSON.stringify({
          reason_code: "pricing_discussion",
          cta_type: null,
          ask: "name",
          key_points: ["₹2999"],
          confidence: 0.8,
        }),
      );
    }
    if (r.system.startsWith("You write")) {
      return completion(
        JSON.stringify({ message_text: "The course is ₹2999 with EMI. May I have your name?" }),
      );
    }
    return completion(JSON.stringify({ verdict: "approve", issues: [] }));
  });
  try {
    const token = await signUpViaApi(request, newAccount());
    const settings = await request.put("/api/v1/settings/llm", {
      headers: bearer(token),
      data: {
        provider: "openai",
        base_url: stub.baseUrl,
        model: "e2e-model",
        api_key: "sk-e2e-playground",
        timeout_ms: 5000,
        input_usd_per_mtok: 2,
        output_usd_per_mtok: 8,
      },
    });
    expect(settings.status(), await settings.text()).toBe(200);
    const profile = await request.put("/api/v1/agent/profile", {
      headers: bearer(token),
      data: { mode: "llm" },
    });
    expect(profile.status(), await profile.text()).toBe(200);

    await useToken(page, token);
    await page.goto("/playground");
    const phone = page.getByTestId("simulator-phone");
    const decisions = page.getByRole("region", { name: "Agent decisions" });
    await expect(page.getByTestId("realtime-status")).toHaveText("Live");
    await phone.getByLabel("Message as the lead").fill("Hi, what are your fees?");
    await phone.getByLabel("Message as the lead").press("Enter");

    const replies = phone.locator('[data-testid="message"][data-author="bot"]');
    await expect(replies).toHaveCount(1, { timeout: 15_000 });
    await expect(replies.first()).toContainText(
      "The course is ₹2999 with EMI. May I have your name?",
    );
    const decision = decisions.getByTestId("decision").first();
    await expect(decision.getByTestId("decision-engine")).toHaveAttribute("data-engine", "llm");
    await expect(decision.getByTestId("decision-reason")).toHaveText("pricing_discussion");
    // Three calls of 100 in and 20 out (the stub's usage), priced by the settings.
    await expect(decision).toContainText("300 in · 60 out · $0.0011");
    expect(stub.requests).toHaveLength(3);
    expect(stub.requests[0].authorization).toBe("Bearer sk-e2e-playground");

    // The provider goes down: the lead still gets an answer, and the card says why.
    down = true;
    await phone.getByLabel("Message as the lead").fill("Priya");
    await phone.getByLabel("Message as the lead").press("Enter");
    await expect(replies).toHaveCount(2, { timeout: 20_000 });
    const fallback = decisions.getByTestId("decision").first();
    await expect(fallback.getByTestId("decision-engine")).toHaveAttribute(
      "data-engine",
      "fallback",
    );
    await expect(fallback).toContainText("planner:");
    await expect(fallback.getByTestId("decision-send")).not.toHaveText("Send failed");
    await screenshot(page, "playground-llm-fallback", true);
  } finally {
    await stub.close();
  }
});

test("the agent's offer comes with reply buttons; tapping one books the call", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  const cta = await request.post("/api/v1/ctas", {
    headers: bearer(token),
    data: { type: "book_call", name: "Discovery call", link: "https://cal.example/acme" },
  });
  expect(cta.status(), await cta.text()).toBe(201);
  // Nothing to qualify: the agent greets, then offers the call.
  const profile = await request.put("/api/v1/agent/profile", {
    headers: bearer(token),
    data: {
      sales_rules: { qualification_checklist: {}, cta_sequencing: { first: "book_call" } },
    },
  });
  expect(profile.status(), await profile.text()).toBe(200);

  await useToken(page, token);
  await page.goto("/playground");
  const phone = page.getByTestId("simulator-phone");
  await expect(page.getByTestId("realtime-status")).toHaveText("Live");
  const say = async (text: string) => {
    await phone.getByLabel("Message as the lead").fill(text);
    await phone.getByLabel("Message as the lead").press("Enter");
  };
  const replies = phone.locator('[data-testid="message"][data-author="bot"]');
  await say("hello");
  await expect(replies).toHaveCount(1, { timeout: 15_000 });
  await say("ok");
  await expect(replies).toHaveCount(2, { timeout: 15_000 });
  const offer = replies.nth(1);
  await expect(offer).toContainText("https://cal.example/acme");
  await expect(offer.getByRole("button", { name: "Not now" })).toBeVisible();
  await screenshot(page, "playground-offer-buttons", true);

  await offer.getByRole("button", { name: "Yes, let's do it" }).click();
  // The tap arrives as the lead's message, and the agent asks when.
  await expect(
    phone.locator('[data-testid="message"][data-author="lead"]').getByText("Yes, let's do it"),
  ).toBeVisible();
  await expect(replies).toHaveCount(3, { timeout: 15_000 });
  await expect(replies.nth(2)).toContainText("What day and time suits you?");
  await say("tomorrow 5pm");
  await expect(replies).toHaveCount(4, { timeout: 15_000 });
  await expect(replies.nth(3)).toContainText("you're booked");

  // The team sees the buttons it sent, not tappable.
  await page.getByTestId("open-in-inbox").click();
  const sent = page.getByRole("list", { name: "Reply buttons" });
  await expect(sent).toContainText("Yes, let's do it");
  await expect(sent.getByRole("button")).toHaveCount(0);
});
