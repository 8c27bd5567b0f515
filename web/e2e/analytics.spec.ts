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

test("the dashboard and the Analytics page count what happened", async ({ page, request }) => {
  const token = await signUpViaApi(request, newAccount());
  // Three leads write; the agent answers each.
  for (const text of ["hello", "what are your prices?", "hi there"]) {
    const { conversation_id } = await sandboxInbound(request, token, {
      phone: leadPhone(),
      name: "Lee Lead",
      text,
    });
    await waitForDecisions(request, token, conversation_id);
  }
  // A lead a member adds and wins.
  const lead = await request.post("/api/v1/leads", {
    headers: bearer(token),
    data: { phone: leadPhone(), name: "Mina Won" },
  });
  expect(lead.status()).toBe(201);
  const { id } = (await lead.json()) as { id: string };
  const stages = (await (
    await request.get("/api/v1/pipeline/stages", { headers: bearer(token) })
  ).json()) as {
    items: { id: string; name: string }[];
  };
  for (const name of ["Engaged", "Paid"]) {
    const stage = stages.items.find((s) => s.name === name)!;
    const moved = await request.put(`/api/v1/pipeline/${id}/move`, {
      headers: bearer(token),
      data: { stage_id: stage.id },
    });
    expect(moved.status()).toBe(200);
  }

  await useToken(page, token);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/");
  const numbers = page.getByRole("region", { name: "Last 30 days" });
  const newLeads = numbers.getByRole("link", { name: /^New leads/ });
  await expect(newLeads).toContainText("4");
  await expect(newLeads).toHaveAttribute("href", "/leads");
  await expect(numbers.getByRole("link", { name: /^Conversations/ })).toContainText("3");
  await expect(numbers.getByRole("link", { name: /^Won/ })).toContainText("1");
  await expect(numbers.getByRole("link", { name: /^Won/ })).toHaveAttribute("href", "/pipeline");
  await expect(
    page.getByRole("region", { name: "Chats per day" }).locator("svg").first(),
  ).toBeVisible();
  await expect(page.getByRole("list", { name: "Pipeline funnel" })).toContainText("Paid");
  await expect(page.getByRole("region", { name: "Waiting for a person" })).toBeVisible();
  await screenshot(page, "analytics-dashboard-1280", true);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "analytics-dashboard-390", true);

  await page.setViewportSize({ width: 1280, height: 900 });
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Analytics" })
    .click();
  await expect(page.getByRole("heading", { level: 1, name: "Analytics" })).toBeVisible();
  const volume = page.getByRole("region", { name: "Volume" });
  await expect(volume.locator(".recharts-surface").first()).toBeVisible();
  const csv = volume.getByRole("link", { name: "CSV of Volume" });
  await expect(csv).toHaveAttribute(
    "href",
    /\/api\/v1\/analytics\/volume\.csv\?from=.*interval=day/,
  );
  // The CSV link works with the dashboard's session.
  const download = await page.request.get((await csv.getAttribute("href"))!);
  expect(download.status()).toBe(200);
  expect(await download.text()).toContain(
    "at,day,leads,conversations,messages_in,messages_out,bookings",
  );
  // The table alternative carries the same figures.
  await volume.getByText("Show as a table").click();
  await expect(volume.getByRole("table", { name: "Volume" })).toBeVisible();
  const sources = page.getByRole("region", { name: "Lead sources and ads" });
  await expect(sources.getByRole("table", { name: "Lead sources" })).toContainText("Manual");
  await expect(
    page.getByRole("table", { name: "Lead messages by weekday and hour" }),
  ).toBeVisible();
  const agent = page.getByRole("region", { name: "The agent's work" });
  await expect(agent).toContainText("Decisions");
  await expect(page.getByRole("status")).toHaveCount(0, { timeout: 10_000 });

  await page.getByRole("combobox", { name: "Interval" }).click();
  await page.getByRole("option", { name: "By week" }).click();
  await expect(csv).toHaveAttribute("href", /interval=week/);
  await screenshot(page, "analytics-page-1280", true);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "analytics-page-390", true);
});
