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
  await expect(newLeads).toHaveAttribute("href", /^\/leads\?created_after=.*&created_before=/);
  await expect(numbers.getByRole("link", { name: /^Conversations/ })).toContainText("3");
  await expect(numbers.getByRole("link", { name: /^Won/ })).toContainText("1");
  await expect(numbers.getByRole("link", { name: /^Won/ })).toHaveAttribute(
    "href",
    "/leads?lead_status=won",
  );
  await expect(numbers.getByRole("link", { name: /^Hand-offs/ })).toHaveAttribute(
    "href",
    "/inbox?needs_human=true",
  );
  await expect(numbers.getByRole("link", { name: /^Booked/ })).toHaveAttribute(
    "href",
    /^\/calendar\?view=list&date=/,
  );
  await expect(
    page.getByRole("region", { name: "Chats per day" }).locator("svg").first(),
  ).toBeVisible();
  await expect(page.getByRole("list", { name: "Pipeline funnel" })).toContainText("Paid");
  await expect(page.getByRole("region", { name: "Waiting for a person" })).toBeVisible();
  await screenshot(page, "analytics-dashboard-1280", true);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "analytics-dashboard-390", true);

  await page.setViewportSize({ width: 1280, height: 900 });
  // A number opens the list behind it, filtered to it.
  await numbers.getByRole("link", { name: /^Won/ }).click();
  await expect(page.getByRole("combobox", { name: "Status" })).toContainText("Won");
  await expect(page.getByRole("link", { name: "Mina Won" })).toBeVisible();
  await page.goto("/");
  await numbers.getByRole("link", { name: /^New leads/ }).click();
  await expect(page.getByText(/^Created from/)).toBeVisible();
  await expect(page.getByRole("link", { name: "Mina Won" })).toBeVisible();
  await page.goto("/");
  await numbers.getByRole("link", { name: /^Hand-offs/ }).click();
  await expect(page.getByRole("button", { name: "Needs human", pressed: true })).toBeVisible();
  await page.goto("/");

  // A saved view of Mina alone, for the funnel.
  const view = await request.post("/api/v1/views", {
    headers: bearer(token),
    data: {
      name: "Mina only",
      filter: [{ field: "name", operator: "equal_to", value: "Mina Won" }],
    },
  });
  expect(view.status()).toBe(201);
  const { id: viewId } = (await view.json()) as { id: string };

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

  // The funnel of a saved view's leads: Mina alone went New → Engaged → Paid.
  const funnel = page.getByRole("region", { name: "Pipeline funnel" });
  await funnel.getByRole("combobox", { name: "Leads counted" }).click();
  await page.getByRole("option", { name: "Mina only" }).click();
  await expect(funnel.getByRole("link", { name: "CSV of Pipeline funnel" })).toHaveAttribute(
    "href",
    new RegExp(`view_id=${viewId}`),
  );
  await expect(funnel).toContainText("Won 1 · Lost 0");
  await funnel.getByText("Show as a table").click();
  const rows = funnel.getByRole("table", { name: "Funnel by stage" }).getByRole("row");
  // Stage, entered, moved on: Mina entered New and moved on; nobody else is counted.
  await expect(rows.filter({ hasText: /^New/ }).getByRole("cell").nth(1)).toHaveText("1");
  await expect(rows.filter({ hasText: /^New/ }).getByRole("cell").nth(2)).toHaveText("1");

  await page.getByRole("combobox", { name: "Interval" }).click();
  await page.getByRole("option", { name: "By week" }).click();
  await expect(csv).toHaveAttribute("href", /interval=week/);
  await screenshot(page, "analytics-page-1280", true);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "analytics-page-390", true);
});
