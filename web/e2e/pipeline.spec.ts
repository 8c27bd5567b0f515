import { expect, test, type Locator, type Page } from "@playwright/test";
import { bearer, newAccount, screenshot, signUpViaApi, useToken } from "./helpers";

const column = (page: Page, stage: string) =>
  page.locator(`[data-testid="pipeline-column"][data-stage="${stage}"]`);
const count = (col: Locator) => col.getByTestId("column-count");

/** A mouse drag dnd-kit sees: press, move past the activation distance in steps, release. */
async function drag(page: Page, from: Locator, to: Locator) {
  const a = (await from.boundingBox())!;
  const b = (await to.boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2 + 10, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + 40, { steps: 15 });
  await page.mouse.up();
}

test("pipeline: default columns, drag a card by mouse and by keyboard, counts and history follow", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  await useToken(page, token);
  await page.setViewportSize({ width: 1280, height: 900 });

  for (const [phone, name, value] of [
    ["+91 98111 00001", "Meera Iyer", 250000],
    ["+91 98111 00002", "Arjun Rao", 99900],
  ] as const) {
    const r = await request.post("/api/v1/leads", {
      headers: bearer(token),
      data: { phone, name, value_minor: value, tags: ["Demo"] },
    });
    expect(r.status(), await r.text()).toBe(201);
  }

  await page.goto("/pipeline");
  await expect(page.getByRole("heading", { level: 1, name: "Pipeline" })).toBeVisible();
  const columns = page.getByTestId("pipeline-column");
  await expect(columns).toHaveCount(5);
  await expect(columns.locator("h2")).toHaveText(["New", "Engaged", "Interested", "Paid", "Lost"]);
  const newCol = column(page, "New");
  await expect(count(newCol)).toHaveText("2");
  await expect(newCol.getByTestId("column-value")).toHaveText("₹3,499.00");
  // Newest on top.
  await expect(newCol.getByTestId("pipeline-card").first()).toContainText("Arjun Rao");
  await screenshot(page, "pipeline-1280");

  // Drag Meera to Interested with the mouse.
  const meera = newCol.getByTestId("pipeline-card").filter({ hasText: "Meera Iyer" });
  await drag(page, meera, column(page, "Interested").getByRole("list"));
  await expect(count(column(page, "Interested"))).toHaveText("1");
  await expect(count(newCol)).toHaveText("1");
  await expect(column(page, "Interested")).toContainText("Meera Iyer");
  await expect(column(page, "Interested").getByTestId("column-value")).toHaveText("₹2,500.00");

  // Move Arjun one column right with the keyboard: focus, space, arrow right, space.
  const arjun = newCol.getByTestId("pipeline-card").filter({ hasText: "Arjun Rao" });
  await arjun.focus();
  // Each key waits for what it did: picked up, then over the next column (never a fixed pause,
  // which a loaded machine outruns).
  await page.keyboard.press("Space");
  await expect(arjun).toHaveAttribute("aria-pressed", "true");
  await page.keyboard.press("ArrowRight");
  await expect(column(page, "Engaged")).toHaveAttribute("data-over", "true");
  await page.keyboard.press("Space");
  await expect(count(column(page, "Engaged"))).toHaveText("1");
  await expect(count(newCol)).toHaveText("0");
  // It stays after a reload: the server has it.
  await page.reload();
  await expect(column(page, "Engaged")).toContainText("Arjun Rao");

  // A card opens the lead beside the board; from there, its page with the history.
  await column(page, "Interested").getByTestId("pipeline-card").click();
  const panel = page.getByRole("dialog", { name: "Meera Iyer" });
  await expect(panel).toContainText("Interested");
  await screenshot(page, "pipeline-panel-1280");
  await panel.getByRole("link", { name: "Lead page" }).click();
  await expect(page).toHaveURL(/\/leads\/[0-9a-f-]{36}$/);
  const history = page.getByRole("list", { name: "Stage history" });
  await expect(history).toContainText("New → Interested");
  await expect(history).toContainText("Entered New");
  await history.scrollIntoViewIfNeeded();
  await screenshot(page, "pipeline-lead-history-1280");

  // Phone width: the columns scroll sideways.
  await page.goto("/pipeline");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(column(page, "New")).toBeVisible();
  const region = page.getByRole("region", { name: "Pipeline board" });
  const scrolls = await region.evaluate((el) => el.scrollWidth > el.clientWidth);
  expect(scrolls).toBe(true);
  await screenshot(page, "pipeline-390");
  await page.setViewportSize({ width: 1280, height: 900 });

  // Settings → Pipeline stages: add one; it becomes a column.
  await page.goto("/settings/pipeline-stages");
  await page.getByLabel("Name", { exact: true }).fill("Demo booked");
  await page.getByRole("button", { name: "Add stage" }).click();
  await expect(page.getByRole("textbox", { name: "Name of Demo booked" })).toHaveValue(
    "Demo booked",
  );
  await page.getByRole("button", { name: "Move Demo booked up" }).click();
  await expect(page.getByTestId("stage-row").nth(4)).toContainText("0 leads");
  await expect(page.getByRole("textbox", { name: "Name of Demo booked" })).toBeVisible();
  await screenshot(page, "pipeline-stages-1280");
  await page.goto("/pipeline");
  await expect(columns).toHaveCount(6);
  await expect(columns.nth(4).locator("h2")).toHaveText("Demo booked");
});

test("pipeline: the board and the leads list follow a teammate's changes without a reload", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  await useToken(page, token);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto("/pipeline");
  const newCol = column(page, "New");
  await expect(count(newCol)).toHaveText("0");

  // A teammate adds a lead and moves it on: this open board hears both.
  const created = await request.post("/api/v1/leads", {
    headers: bearer(token),
    data: { phone: "+91 98111 00009", name: "Kavya Joshi" },
  });
  expect(created.status(), await created.text()).toBe(201);
  const lead = (await created.json()) as { id: string };
  await expect(newCol).toContainText("Kavya Joshi");
  await expect(count(newCol)).toHaveText("1");

  const stages = (await (
    await request.get("/api/v1/pipeline/stages", { headers: bearer(token) })
  ).json()) as { items: { id: string; name: string }[] };
  const interested = stages.items.find((s) => s.name === "Interested")!;
  const moved = await request.put(`/api/v1/pipeline/${lead.id}/move`, {
    headers: bearer(token),
    data: { stage_id: interested.id },
  });
  expect(moved.status(), await moved.text()).toBe(200);
  await expect(column(page, "Interested")).toContainText("Kavya Joshi");
  await expect(count(newCol)).toHaveText("0");

  // The leads list hears an edit and a deletion.
  await page.goto("/leads");
  await expect(page.getByRole("row").filter({ hasText: "Kavya Joshi" })).toBeVisible();
  await request.put(`/api/v1/leads/${lead.id}`, {
    headers: bearer(token),
    data: { name: "Kavya J. Joshi" },
  });
  await expect(page.getByRole("row").filter({ hasText: "Kavya J. Joshi" })).toBeVisible();
  await request.delete(`/api/v1/leads/${lead.id}`, { headers: bearer(token) });
  await expect(page.getByRole("row").filter({ hasText: "Kavya" })).toHaveCount(0);
});
