import { expect, test } from "@playwright/test";
import {
  bearer,
  newAccount,
  sandboxInbound,
  screenshot,
  signUpViaApi,
  useToken,
  waitForDecisions,
} from "./helpers";

test("compliance: opt a lead out with a reason, see it on the list, opt it back in, erase a lead and read the redacted transcript", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  await useToken(page, token);
  await page.setViewportSize({ width: 1280, height: 900 });

  // Priya talks to the agent; Rahul is a lead the team added.
  const priya = await sandboxInbound(request, token, {
    phone: "+91 98765 43210",
    name: "Priya Shah",
    text: "Hi, I am Priya Shah. Mail me at priya@example.com or call 98765 43210",
  });
  await waitForDecisions(request, token, priya.conversation_id);
  const rahul = await request.post("/api/v1/leads", {
    headers: bearer(token),
    data: { phone: "+91 91234 56789", name: "Rahul Verma" },
  });
  expect(rahul.status(), await rahul.text()).toBe(201);
  const rahulId = ((await rahul.json()) as { id: string }).id;

  // Opt Rahul out from his page, with the reason he gave.
  await page.goto(`/leads/${rahulId}`);
  await expect(page.getByTestId("opt-out-status")).toHaveText(/May be messaged/);
  await page.getByRole("button", { name: "Opt out" }).click();
  const out = page.getByRole("dialog", { name: "Opt this lead out?" });
  await out.getByLabel(/Reason/).fill("Asked on a call not to be messaged");
  await out.getByRole("button", { name: "Opt out" }).click();
  await expect(out).toBeHidden();
  await expect(page.getByTestId("opt-out-status")).toContainText("Opted out");
  await expect(page.getByTestId("opt-out-status")).toContainText(
    "Asked on a call not to be messaged",
  );
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Opted out");

  // The Compliance page lists him: who, how, by whom, why.
  await page.goto("/settings/compliance");
  const table = page.getByRole("table", { name: "Opt-out list" });
  const row = table.getByRole("row", { name: /Rahul Verma/ });
  await expect(row).toContainText("+919123456789");
  await expect(row).toContainText("By a member");
  await expect(row).toContainText("Asked on a call not to be messaged");
  await page.getByLabel("Search the opt-out list").fill("91234 56789");
  await expect(table.getByRole("row")).toHaveCount(2);
  await page.getByLabel("Search the opt-out list").fill("");
  await screenshot(page, "compliance-list");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole("list", { name: "Opt-out list" })).toContainText("Rahul Verma");
  await screenshot(page, "compliance-list-mobile", true);
  await page.setViewportSize({ width: 1280, height: 900 });

  // Opted back in, with how he asked: off the list.
  await page.goto(`/leads/${rahulId}`);
  await page.getByRole("button", { name: "Opt in" }).click();
  const back = page.getByRole("dialog", { name: "Opt this lead back in?" });
  await expect(back.getByRole("button", { name: "Opt in" })).toBeDisabled();
  await back.getByLabel("How did they ask?").fill("Wrote to us asking for the new offers");
  await back.getByRole("button", { name: "Opt in" }).click();
  await expect(page.getByTestId("opt-out-status")).toHaveText(/May be messaged/);
  await expect(page.getByRole("list", { name: "Timeline" })).toContainText(
    "Wrote to us asking for the new offers",
  );
  await page.goto("/settings/compliance");
  await expect(page.getByText("Nobody has opted out")).toBeVisible();

  // Erase Priya: the dialog says what goes and wants her name (or ERASE) typed.
  await page.goto("/leads");
  await page
    .getByRole("table", { name: "Leads" })
    .getByRole("link", { name: "Priya Shah" })
    .click();
  await page.getByRole("button", { name: "Erase personal data" }).click();
  const erase = page.getByRole("dialog", { name: "Erase this lead's personal data?" });
  await expect(erase.getByRole("list", { name: "Removed" })).toContainText(
    "Their name, phone number and email",
  );
  const confirm = erase.getByRole("button", { name: "Erase personal data" });
  await expect(confirm).toBeDisabled();
  await erase.getByLabel(/to confirm/).fill("priya");
  await expect(confirm).toBeDisabled();
  await erase.getByLabel(/to confirm/).fill("priya shah");
  await screenshot(page, "compliance-erase-dialog");
  await confirm.click();
  await expect(erase).toBeHidden();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Erased lead");
  await expect(page.getByText("Personal data erased", { exact: true }).first()).toBeVisible();
  await expect(page.getByLabel("Phone")).toHaveValue("");
  await screenshot(page, "compliance-erased-lead", true);

  // The transcript keeps its messages, without her name, number or email.
  await page.getByRole("link", { name: "Conversation" }).click();
  const transcript = page.getByRole("log");
  await expect(transcript).toContainText("[redacted]");
  await expect(page.getByRole("heading", { name: "Erased lead" }).first()).toBeVisible();
  await expect(transcript).not.toContainText("Priya");
  await expect(transcript).not.toContainText("98765 43210");
  await expect(transcript).not.toContainText("priya@example.com");
  await screenshot(page, "compliance-redacted-transcript");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "compliance-redacted-transcript-mobile");
  await page.setViewportSize({ width: 1280, height: 900 });

  // The list keeps her number, as a hash only.
  await page.goto("/settings/compliance");
  const erased = table.getByRole("row", { name: /Erased lead/ });
  await expect(erased).toContainText("Data erased");
  await expect(erased).toContainText("Kept as a hash");
  await screenshot(page, "compliance-list-erased");
});
