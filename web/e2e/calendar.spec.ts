import { expect, test, type APIRequestContext } from "@playwright/test";
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

/** A meeting a person sets up on the conversation's lead, through the API. */
async function bookOnLead(
  request: APIRequestContext,
  token: string,
  conversationId: string,
  body: { kind: string; title: string; starts_at: string },
): Promise<{ id: string; contact: { id: string } }> {
  const conv = await request.get(`/api/v1/conversations/${conversationId}`, {
    headers: bearer(token),
  });
  const leadId = ((await conv.json()) as { contact: { id: string } }).contact.id;
  const res = await request.post("/api/v1/calendar", {
    headers: bearer(token),
    data: { lead_id: leadId, ...body },
  });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as { id: string; contact: { id: string } };
}

/** Today at `hour`:00 in Kolkata (UTC+05:30, no DST), `days` days on. */
function kolkata(days: number, hour: number): string {
  const now = new Date(Date.now() + 5.5 * 3600 * 1000);
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days, hour);
  return new Date(day - 5.5 * 3600 * 1000).toISOString();
}

test("the week, the list, rescheduling and cancelling with the lead told, and the feed", async ({
  page,
  request,
}) => {
  const account = newAccount();
  const token = await signUpViaApi(request, account);
  const org = await request.put("/api/v1/org", {
    headers: bearer(token),
    data: { name: account.orgName, timezone: "Asia/Kolkata" },
  });
  expect(org.status(), await org.text()).toBe(200);
  const lead = await sandboxInbound(request, token, {
    phone: leadPhone(),
    name: "Asha Rao",
    text: "Hi, can we talk about the course?",
  });
  await waitForDecisions(request, token, lead.conversation_id);
  const demo = await bookOnLead(request, token, lead.conversation_id, {
    kind: "demo",
    title: "Demo with Asha",
    starts_at: kolkata(0, 23),
  });

  await useToken(page, token);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/calendar");
  await expect(page.getByRole("heading", { level: 1, name: "Calendar" })).toBeVisible();
  await expect(page.getByText("in Asia/Kolkata")).toBeVisible();
  // The week: today's column holds the demo at 23:00 Kolkata time, whatever the browser's zone.
  const chip = page.getByTestId("event-chip");
  await expect(chip).toHaveCount(1);
  await expect(chip).toContainText("23:00");
  await expect(chip).toContainText("Demo with Asha");
  await screenshot(page, "calendar-week-1280", true);

  // It links to its lead and its conversation.
  await chip.click();
  const details = page.getByRole("dialog", { name: "Demo with Asha" });
  await expect(details.getByRole("link", { name: "Asha Rao" })).toHaveAttribute(
    "href",
    `/leads/${demo.contact.id}`,
  );
  await expect(details.getByRole("link", { name: "Conversation" })).toHaveAttribute(
    "href",
    `/inbox/${lead.conversation_id}`,
  );
  await page.keyboard.press("Escape");

  // Moved to tomorrow 10:00 (Kolkata) from the list: the lead is told on WhatsApp.
  await page.getByRole("tab", { name: "List" }).click();
  const card = page.getByTestId("event");
  await expect(card).toHaveCount(1);
  await card.getByRole("button", { name: "Reschedule" }).click();
  const dialog = page.getByRole("dialog", { name: "Reschedule" });
  const tomorrow = kolkata(1, 10);
  const local = new Date(new Date(tomorrow).getTime() + 5.5 * 3600 * 1000)
    .toISOString()
    .slice(0, 16);
  await dialog.getByLabel("Starts (Asia/Kolkata)").fill(local);
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Rescheduled; the lead was told.", { exact: true })).toBeVisible();
  await expect(card).toHaveAttribute("data-status", "rescheduled");
  await expect(card).toContainText("10:00–10:30");
  const messages = await request.get(`/api/v1/conversations/${lead.conversation_id}/messages`, {
    headers: bearer(token),
  });
  const texts = ((await messages.json()) as { items: { text: string | null }[] }).items.map(
    (m) => m.text ?? "",
  );
  expect(texts.some((t) => t.includes("has been moved to") && t.includes("10:00"))).toBe(true);

  // A booking made elsewhere arrives live.
  await bookOnLead(request, token, lead.conversation_id, {
    kind: "call",
    title: "Follow-up call with Asha",
    starts_at: kolkata(2, 12),
  });
  await expect(card).toHaveCount(2);

  // Cancelled from the page: the lead is told too.
  await card.first().getByRole("button", { name: "Cancel event" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Cancel event" }).click();
  await expect(page.getByText("Cancelled; the lead was told.", { exact: true })).toBeVisible();
  await expect(card.first()).toHaveAttribute("data-status", "cancelled");

  // The feed: made, copied, fetched without signing in, replaced.
  await page.getByRole("button", { name: "Make my feed URL" }).click();
  const feedField = page.getByRole("textbox", { name: "Feed URL" });
  await expect(feedField).toHaveValue(/\/calendar\/.+\.ics$/);
  const first = await feedField.inputValue();
  const ics = await request.get(first, { headers: {} });
  expect(ics.status()).toBe(200);
  const body = await ics.text();
  expect(body).toContain("BEGIN:VCALENDAR");
  expect(body).toContain("SUMMARY:Follow-up call with Asha");
  expect(body).toContain("X-WR-TIMEZONE:Asia/Kolkata");
  await page.getByRole("button", { name: "Replace the feed URL" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Replace" }).click();
  await expect(feedField).not.toHaveValue(first);
  expect((await request.get(first)).status()).toBe(404);
  expect((await request.get(await feedField.inputValue())).status()).toBe(200);
  await screenshot(page, "calendar-list-1280", true);

  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "calendar-list-390", true);
  await page.getByRole("tab", { name: "Week" }).click();
  await screenshot(page, "calendar-week-390", true);
});

test("a booking without a time waits as 'time to be agreed' until a person sets it", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  const headers = bearer(token);
  const cta = await request.post("/api/v1/ctas", {
    headers,
    data: { type: "book_call", name: "Discovery call", link: "https://cal.example/acme" },
  });
  expect(cta.status(), await cta.text()).toBe(201);
  const profile = await request.put("/api/v1/agent/profile", {
    headers,
    data: {
      sales_rules: {
        qualification_checklist: { name: "required" },
        cta_sequencing: { first: "book_call" },
      },
    },
  });
  expect(profile.status(), await profile.text()).toBe(200);
  const phone = leadPhone();
  const { conversation_id } = await sandboxInbound(request, token, { phone, text: "hello" });
  await waitForDecisions(request, token, conversation_id, 1);
  await sandboxInbound(request, token, { phone, text: "I'm Priya" });
  await waitForDecisions(request, token, conversation_id, 2);

  await useToken(page, token);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/calendar");
  await expect(page.getByRole("heading", { level: 1, name: "Calendar" })).toBeVisible();
  const waiting = page.getByRole("region", { name: "Time to be agreed" });
  await expect(waiting).toHaveCount(0);
  // She says yes without a time: the booking arrives live, waiting for one.
  const yes = await request.post("/api/v1/sandbox/inbound", {
    headers,
    data: { phone, text: "Yes, let's do it", reply_id: "cta:book_call:yes" },
  });
  expect(yes.status()).toBe(202);
  await expect(waiting).toBeVisible({ timeout: 20_000 });
  const card = waiting.getByTestId("event");
  await expect(card).toContainText("Time to be agreed");
  await expect(card).toContainText("Priya");
  await screenshot(page, "calendar-to-be-agreed-1280", true);

  await card.getByRole("button", { name: "Set time" }).click();
  const dialog = page.getByRole("dialog", { name: "Set the time" });
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Time set; the lead was told.", { exact: true })).toBeVisible();
  await expect(waiting).toHaveCount(0);
  await page.getByRole("tab", { name: "List" }).click();
  await expect(page.getByTestId("event")).toHaveCount(1);
  await expect(page.getByTestId("event")).toContainText("10:00–10:30");
});
