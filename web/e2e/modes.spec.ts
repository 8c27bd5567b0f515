import { expect, test, type APIRequestContext, type Locator, type Page } from "@playwright/test";
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

async function setMode(request: APIRequestContext, token: string, id: string, mode: string) {
  const res = await request.put(`/api/v1/conversations/${id}/mode`, {
    headers: bearer(token),
    data: { mode },
  });
  expect(res.status()).toBe(200);
}

/** Picks a mode from the header: a button when the header has room, else the "⋯" menu. */
async function changeMode(page: Page, conversation: Locator, label: string) {
  const button = conversation
    .getByTestId("mode-controls")
    .getByRole("button", { name: label, exact: true });
  if (await button.isVisible()) return button.click();
  await conversation.getByRole("button", { name: "More conversation actions" }).click();
  await page.getByRole("menuitem", { name: label }).click();
}

const botMessages = (conversation: Locator) =>
  conversation.locator('[data-testid="message"][data-author="bot"]');

test("pause and close a conversation; the lead's next message reopens it for the bot", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  await useToken(page, token);
  const phone = leadPhone();
  const lead = await sandboxInbound(request, token, {
    phone,
    name: "Asha Traveller",
    text: "hello",
  });
  await waitForDecisions(request, token, lead.conversation_id, 1);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`/inbox/${lead.conversation_id}`);
  const conversation = page.getByRole("region", { name: "Conversation", exact: true });
  const badge = conversation.getByTestId("mode-badge");
  await expect(badge).toHaveText("Bot");
  await expect(botMessages(conversation)).toHaveCount(1, { timeout: 15_000 });

  // Paused: nobody owns it, the bot stays silent when the lead writes.
  await changeMode(page, conversation, "Pause");
  await expect(badge).toHaveText("Paused");
  await expect(conversation.getByTestId("paused-banner")).toBeVisible();
  await sandboxInbound(request, token, { phone, text: "Travelling, back next week" });
  await waitForDecisions(request, token, lead.conversation_id, 2);
  await expect(
    conversation.getByTestId("message").filter({ hasText: "Travelling, back next week" }),
  ).toBeVisible();
  // The lead waits for a person now: the list says since when.
  await expect(page.getByTestId("conversation-item").getByTestId("waiting")).toBeVisible();
  await screenshot(page, "modes-paused-1280");
  await expect(botMessages(conversation)).toHaveCount(1);

  // Closed: resolved; it offers to reopen or take over, never to pause.
  await changeMode(page, conversation, "Close");
  await expect(badge).toHaveText("Closed");
  await expect(conversation.getByTestId("closed-banner")).toBeVisible();
  const controls = conversation.getByTestId("mode-controls");
  await expect(controls.getByRole("button", { name: "Reopen" })).toBeVisible();
  await controls.getByRole("button", { name: "More conversation actions" }).click();
  await expect(page.getByRole("menuitem", { name: "Take over" })).toBeVisible();
  await expect(page.getByRole("menuitem", { name: "Pause" })).toHaveCount(0);
  await page.keyboard.press("Escape");
  await screenshot(page, "modes-closed-1280");

  // The lead writes again: the conversation reopens live in bot mode and the agent answers.
  await sandboxInbound(request, token, { phone, text: "hello again" });
  await expect(badge).toHaveText("Bot", { timeout: 15_000 });
  await expect(conversation.getByTestId("closed-banner")).toBeHidden();
  await expect(botMessages(conversation)).toHaveCount(2, { timeout: 20_000 });
  await screenshot(page, "modes-reopened-1280");

  // On a phone: the next step as a button, the other modes in the "⋯" menu.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(controls.getByRole("button", { name: "Take over" })).toBeVisible();
  await controls.getByRole("button", { name: "More conversation actions" }).click();
  await page.getByRole("menuitem", { name: "Pause" }).click();
  await expect(badge).toHaveText("Paused");
  await screenshot(page, "modes-paused-390");
  await conversation.getByRole("button", { name: "Hand back to bot" }).click();
  await expect(badge).toHaveText("Bot");

  // A wide screen has room for every mode as a button.
  await page.setViewportSize({ width: 1600, height: 900 });
  await expect(controls.getByRole("button", { name: "Pause" })).toBeVisible();
  await expect(controls.getByRole("button", { name: "Close" })).toBeVisible();
  await expect(controls.getByRole("button", { name: "More conversation actions" })).toBeHidden();
  await screenshot(page, "modes-bot-1600");
});

test("filter the inbox by mode and source, and sort the waiting leads first", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  await useToken(page, token);
  const names = ["Ravi Waiting", "Sara Closed", "Tom Bot"];
  const phones = names.map(() => leadPhone());
  const ids: string[] = [];
  for (const [i, name] of names.entries()) {
    const lead = await sandboxInbound(request, token, { phone: phones[i]!, name, text: "hello" });
    await waitForDecisions(request, token, lead.conversation_id, 1);
    ids.push(lead.conversation_id);
  }
  // Ravi's conversation is paused and he writes again: he waits for a person.
  await setMode(request, token, ids[0]!, "paused");
  await sandboxInbound(request, token, { phone: phones[0]!, text: "anyone there?" });
  await waitForDecisions(request, token, ids[0]!, 2);
  await setMode(request, token, ids[1]!, "closed");
  // Tom's activity is the newest.
  await sandboxInbound(request, token, { phone: phones[2]!, text: "thanks" });
  await waitForDecisions(request, token, ids[2]!, 2);

  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/inbox");
  const list = page.getByRole("list", { name: "Conversations" });
  const rows = list.getByTestId("conversation-item");
  await expect(rows).toHaveCount(3);
  await expect(rows.first()).toContainText("Tom Bot");

  // Waiting longest first: Ravi wrote last and nobody answered.
  await page.getByRole("combobox", { name: "Sort" }).click();
  await page.getByRole("option", { name: "Waiting longest" }).click();
  await expect(rows.first()).toContainText("Ravi Waiting");
  await expect(rows.first().getByTestId("waiting")).toBeVisible();

  await page.getByRole("combobox", { name: "Mode" }).click();
  await page.getByRole("option", { name: "Closed" }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Sara Closed");
  await page.getByRole("combobox", { name: "Mode" }).click();
  await page.getByRole("option", { name: "All modes" }).click();
  await expect(rows).toHaveCount(3);

  // More filters: the lead's source.
  await page.getByRole("button", { name: "More filters" }).click();
  await page.getByRole("combobox", { name: "Source" }).click();
  await page.getByRole("option", { name: "Wrote in" }).click();
  await expect(rows).toHaveCount(3);
  await page.getByRole("combobox", { name: "Source" }).click();
  await page.getByRole("option", { name: "WhatsApp ad" }).click();
  await expect(page.getByText("No conversations match")).toBeVisible();
  await expect(page.getByRole("button", { name: /More filters/ })).toContainText("1");
  await screenshot(page, "modes-filters-1280");
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(rows).toHaveCount(3);

  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByTestId("more-filters")).toBeVisible();
  await screenshot(page, "modes-filters-390");
});
