import { expect, test } from "@playwright/test";
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

interface Followup {
  id: string;
  status: string;
  step: number;
}

test("follow-ups: configure them, see a conversation's scheduled one, send it now", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  await useToken(page, token);
  await page.setViewportSize({ width: 1280, height: 900 });

  // Settings → Follow-ups: defaults shown, a change saved, a refused value named beside it.
  await page.goto("/settings/follow-ups");
  await expect(
    page.getByRole("heading", { level: 2, name: "Follow-ups", exact: true }),
  ).toBeVisible();
  const perSilence = page.getByLabel("Follow-ups per silence");
  await expect(perSilence).toHaveValue("3");
  await expect(page.getByLabel("From")).toHaveValue("21:00");
  await perSilence.fill("12");
  await page.getByRole("button", { name: "Save follow-ups" }).click();
  await expect(page.getByText("must be at most 10")).toBeVisible();
  await perSilence.fill("2");
  await page.getByRole("button", { name: "Save follow-ups" }).click();
  await expect(page.getByText("Follow-ups saved").first()).toBeVisible();
  await screenshot(page, "settings-followups", true);
  const saved = await request.get("/api/v1/settings/followups", { headers: bearer(token) });
  expect(((await saved.json()) as { max_followups: number }).max_followups).toBe(2);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(perSilence).toHaveValue("2");
  await screenshot(page, "settings-followups-mobile", true);
  await page.setViewportSize({ width: 1280, height: 900 });

  // A lead writes, the agent answers, a follow-up is scheduled.
  const phone = leadPhone();
  const { conversation_id } = await sandboxInbound(request, token, {
    phone,
    name: "Priya Shah",
    text: "Hi, I saw your ad",
  });
  await waitForDecisions(request, token, conversation_id, 1);
  const list = async () => {
    const res = await request.get(`/api/v1/conversations/${conversation_id}/followups`, {
      headers: bearer(token),
    });
    return ((await res.json()) as { items: Followup[] }).items;
  };
  await expect.poll(async () => (await list())[0]?.status, { timeout: 15_000 }).toBe("pending");

  await page.goto(`/inbox/${conversation_id}`);
  const panel = page.getByTestId("contact-panel");
  const scheduled = panel.getByTestId("scheduled-followup");
  await expect(scheduled).toContainText("Agent follow-up #1");
  await expect(scheduled).toContainText("The lead went quiet after the agent's reply");
  await screenshot(page, "inbox-followup");

  // Send it now: the agent writes the nudge within seconds. Two unanswered messages are all
  // a longer silence allows, and no template step is set: nothing more is planned.
  await scheduled.getByRole("button", { name: "Send now" }).click();
  await expect(panel.getByTestId("last-followup")).toContainText("Sent", { timeout: 15_000 });
  await expect(panel.getByText("No follow-up scheduled.")).toBeVisible();
  // The lead's WhatsApp name is taken as theirs: the nudge asks what the agent still needs.
  await expect(
    page
      .getByText("whenever you get a moment: What are you looking for?", { exact: false })
      .first(),
  ).toBeVisible();
  await screenshot(page, "inbox-followup-sent");

  // The lead writes again, the agent answers, a new one is planned; a person cancels it.
  await sandboxInbound(request, token, { phone, text: "ok, noted" });
  await expect(scheduled).toContainText("Agent follow-up #1", { timeout: 15_000 });
  await scheduled.getByRole("button", { name: "Cancel" }).click();
  await expect(panel.getByText("No follow-up scheduled.")).toBeVisible();
  await expect(panel.getByTestId("last-followup")).toContainText("Cancelled (User)");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByRole("button", { name: "Lead details" }).click();
  const dialog = page.getByRole("dialog", { name: "Lead details" });
  await expect(dialog.getByText("No follow-up scheduled.")).toBeVisible();
  await dialog.getByText("No follow-up scheduled.").scrollIntoViewIfNeeded();
  await screenshot(page, "inbox-followup-mobile");
  expect((await list()).map((f) => f.status)).toEqual(["cancelled", "sent"]);
});
