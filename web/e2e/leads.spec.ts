import { expect, test } from "@playwright/test";
import { bearer, newAccount, screenshot, signUpViaApi, useToken } from "./helpers";

test("leads: create one, find it by another spelling of its phone, filter by tag, note it, set a custom field", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  await useToken(page, token);
  await page.setViewportSize({ width: 1280, height: 900 });

  // Settings → Custom fields: an amount field the lead page then offers.
  await page.goto("/settings/custom-fields");
  await page.getByLabel("Label").fill("Budget");
  await expect(page.getByLabel("Key")).toHaveValue("budget");
  await page.getByRole("combobox", { name: "Type" }).click();
  await page.getByRole("option", { name: "Amount" }).click();
  await page.getByLabel("Currency").fill("INR");
  await page.getByRole("button", { name: "Add field" }).click();
  await expect(page.getByRole("list", { name: "Custom fields" })).toContainText("budget");

  // Another lead, through the API, so the tag filter has something to leave out.
  const other = await request.post("/api/v1/leads", {
    headers: bearer(token),
    data: { phone: "+91 91234 56789", name: "Rahul Verma", tags: ["Walk-in"] },
  });
  expect(other.status(), await other.text()).toBe(201);

  // New lead from the list, written the local way.
  await page.goto("/leads");
  await page.getByRole("button", { name: "New lead" }).click();
  const dialog = page.getByRole("dialog", { name: "New lead" });
  await dialog.getByLabel("Phone").fill("098765 43210");
  await dialog.getByLabel("Name").fill("Priya Shah");
  await dialog.getByLabel("Tags").fill("VIP, Pune");
  await dialog.getByRole("button", { name: "Add lead" }).click();
  await expect(page).toHaveURL(/\/leads\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Priya Shah");
  await expect(page.getByLabel("Phone")).toHaveValue("+919876543210");

  // The same number again is refused with a way to the existing lead.
  await page.goto("/leads");
  await page.getByRole("button", { name: "New lead" }).click();
  await dialog.getByLabel("Phone").fill("+91 98765-43210");
  await dialog.getByRole("button", { name: "Add lead" }).click();
  await expect(dialog.getByText("A lead with this number already exists.")).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();

  // Search by the phone in another spelling.
  const table = page.getByRole("table", { name: "Leads" });
  await expect(table.getByRole("row")).toHaveCount(3);
  await page.getByLabel("Search leads").fill("9876543210");
  await expect(table.getByRole("row")).toHaveCount(2);
  await expect(table).toContainText("Priya Shah");
  await expect(table).not.toContainText("Rahul Verma");
  await page.getByLabel("Search leads").fill("");
  await expect(table.getByRole("row")).toHaveCount(3);

  // Filter by tag.
  await page.getByRole("combobox", { name: "Tag" }).click();
  await page.getByRole("option", { name: /^Walk-in/ }).click();
  await expect(table.getByRole("row")).toHaveCount(2);
  await expect(table).toContainText("Rahul Verma");
  await page.getByRole("combobox", { name: "Tag" }).click();
  await page.getByRole("option", { name: /^VIP/ }).click();
  await expect(table).toContainText("Priya Shah");
  await expect(table).not.toContainText("Rahul Verma");
  await screenshot(page, "leads-list");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.getByRole("list", { name: "Leads" })).toContainText("Priya Shah");
  await screenshot(page, "leads-list-mobile", true);
  await page.setViewportSize({ width: 1280, height: 900 });

  // The lead's page: a note, then a custom field — a bad amount is named beside the field.
  await table.getByRole("link", { name: "Priya Shah" }).click();
  await page.getByLabel("New note").fill("Wants a site visit on Saturday");
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(page.getByRole("list", { name: "Notes" })).toContainText(
    "Wants a site visit on Saturday",
  );
  await expect(page.getByRole("list", { name: "Timeline" })).toContainText("Note");
  const budget = page.getByLabel("Budget (INR)");
  await budget.fill("lots");
  await page.getByRole("button", { name: "Save custom fields" }).click();
  await expect(page.getByText(/must be an amount/)).toBeVisible();
  await budget.fill("2999.5");
  await page.getByRole("button", { name: "Save custom fields" }).click();
  await expect(page.getByLabel("Budget (INR)")).toHaveValue("2999.50");
  await expect(page.getByText(/must be an amount/)).toHaveCount(0);

  // Tags from the page: one added, one removed.
  await page.getByLabel("Add a tag").fill("Hot");
  await page.getByLabel("Add a tag").press("Enter");
  const tags = page.getByRole("list", { name: "Tags of this lead" });
  await expect(tags).toContainText("Hot");
  await page.getByRole("button", { name: "Remove tag Pune" }).click();
  await expect(tags).not.toContainText("Pune");
  await screenshot(page, "lead-detail", true);
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "lead-detail-mobile", true);

  // Searching the note finds the lead.
  const found = await request.get("/api/v1/leads?q=saturday", { headers: bearer(token) });
  const body = (await found.json()) as { items: { name: string; custom_fields: object }[] };
  expect(body.items.map((l) => l.name)).toEqual(["Priya Shah"]);
  expect(body.items[0]?.custom_fields).toEqual({ budget: "2999.50" });
});
