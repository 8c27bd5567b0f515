import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { bearer, leadPhone, newAccount, screenshot, signUpViaApi, useToken } from "./helpers";

test("leads: import a CSV with a bad and a duplicate row, tag two leads in bulk", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  await useToken(page, token);
  await page.setViewportSize({ width: 1280, height: 900 });

  const asha = leadPhone();
  const vikram = leadPhone();
  const csv = [
    "Mobile,Full Name,E-mail,City",
    `${asha},Asha Rao,asha@example.com,Pune`,
    "12,Bad Number,bad@example.com,Delhi",
    `${asha},Asha Again,asha2@example.com,Mumbai`,
    `${vikram},Vikram Singh,vikram@example.com,Goa`,
  ].join("\n");

  await page.goto("/leads");
  await page.getByRole("button", { name: "Import" }).click();
  const dialog = page.getByRole("dialog", { name: "Import leads" });
  await dialog.getByLabel("CSV file").setInputFiles({
    name: "leads.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(csv),
  });

  // The mapping: detected from the headers, with examples.
  const mapping = dialog.getByRole("table", { name: "Column mapping" });
  await expect(mapping).toContainText("Asha Rao");
  await expect(dialog.getByRole("combobox", { name: "Import Mobile as" })).toContainText("Phone");
  await expect(dialog.getByRole("combobox", { name: "Import Full Name as" })).toContainText("Name");
  await expect(dialog.getByRole("radio", { name: /Create and update/ })).toBeChecked();
  await screenshot(page, "lead-import-mapping");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "lead-import-mapping-mobile");
  await page.setViewportSize({ width: 1280, height: 900 });

  await dialog.getByRole("button", { name: "Import 4 rows" }).click();
  await expect(dialog.getByTestId("import-status")).toHaveText("Import completed", {
    timeout: 20_000,
  });
  await expect(dialog.getByTestId("import-created")).toHaveText("2");
  await expect(dialog.getByTestId("import-errors")).toHaveText("1");
  await expect(dialog.getByTestId("import-skipped")).toHaveText("1");
  const report = dialog.getByRole("button", { name: "Download error report" });
  await expect(report).toBeVisible();
  await screenshot(page, "lead-import-done");
  const reportDownload = page.waitForEvent("download");
  await report.click();
  const reportText = await readFile(await (await reportDownload).path(), "utf8");
  expect(reportText).toContain("duplicate_in_file");
  await dialog.getByRole("button", { name: "Done" }).click();

  // The list refreshed with the imported leads.
  const table = page.getByRole("table", { name: "Leads" });
  await expect(table).toContainText("Asha Rao");
  await expect(table).toContainText("Vikram Singh");

  // Bulk: tag both.
  await table.getByRole("checkbox", { name: "Select Asha Rao" }).check();
  await table.getByRole("checkbox", { name: "Select Vikram Singh" }).check();
  const bar = page.getByRole("toolbar", { name: "Bulk actions" });
  await expect(bar).toContainText("2 selected");
  await screenshot(page, "lead-bulk-bar");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "lead-bulk-bar-mobile");
  await page.setViewportSize({ width: 1280, height: 900 });
  await bar.getByRole("button", { name: "Add tag" }).click();
  const tagDialog = page.getByRole("dialog", { name: "Add a tag" });
  await tagDialog.getByLabel("Tag name").fill("Imported");
  await tagDialog.getByRole("button", { name: "Apply to 2 leads" }).click();
  await expect(page.getByText("2 changed", { exact: true })).toBeVisible();
  await expect(bar).toBeHidden();
  await expect(table.getByRole("row", { name: /Asha Rao/ })).toContainText("Imported");
  await expect(table.getByRole("row", { name: /Vikram Singh/ })).toContainText("Imported");

  // Saved view: the tag filter under a name, applied from the views list.
  await page.getByRole("combobox", { name: "Tag" }).click();
  await page.getByRole("option", { name: /^Imported/ }).click();
  await page.getByRole("button", { name: "Save view" }).click();
  const viewDialog = page.getByRole("dialog", { name: "Save view" });
  await viewDialog.getByLabel("Name").fill("Imported leads");
  await viewDialog.getByRole("button", { name: "Save view" }).click();
  await expect(page.getByRole("combobox", { name: "Saved view" })).toHaveText("Imported leads");
  const views = await request.get("/api/v1/views", { headers: bearer(token) });
  expect(JSON.stringify(await views.json())).toContain('"field":"tags"');

  await screenshot(page, "leads-view-1280");
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, "leads-view-390");
  await page.setViewportSize({ width: 1280, height: 900 });
  // Rename it, keep it to myself, then delete it: the list falls back to all leads.
  await page.getByRole("button", { name: "Rename view" }).click();
  const rename = page.getByRole("dialog", { name: "Rename view" });
  await expect(rename.getByLabel("Name", { exact: true })).toHaveValue("Imported leads");
  await rename.getByLabel("Name", { exact: true }).fill("From the sheet");
  await rename.getByRole("switch", { name: "Shared with the team" }).click();
  await rename.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("combobox", { name: "Saved view" })).toHaveText(
    "From the sheet (only me)",
  );
  const renamed = await request.get("/api/v1/views", { headers: bearer(token) });
  expect(JSON.stringify(await renamed.json())).toContain('"field":"tags"');
  await page.getByRole("button", { name: "Delete view" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Delete view" }).click();
  await expect(page.getByRole("combobox", { name: "Saved view" })).toHaveText("All leads");
  const left = (await (await request.get("/api/v1/views", { headers: bearer(token) })).json()) as {
    items: unknown[];
  };
  expect(left.items).toHaveLength(0);

  // The API agrees on the tag.
  const res = await request.get("/api/v1/leads?tag=Imported&count=true", {
    headers: bearer(token),
  });
  expect(((await res.json()) as { total?: number }).total).toBe(2);
});

// Needs the server's export stream to survive gzip: at the time of writing the export handler's
// `stream::unfold` is polled again after its end under the compression layer and panics
// ("Unfold must not be polled after it returned Poll::Ready(None)"), so the browser never gets
// the whole file.
test("leads: export downloads the listed leads as a CSV", async ({ page, request }) => {
  const token = await signUpViaApi(request, newAccount());
  await useToken(page, token);
  const res = await request.post("/api/v1/leads", {
    headers: bearer(token),
    data: { phone: leadPhone(), name: "Vikram Singh" },
  });
  expect(res.status(), await res.text()).toBe(201);
  await page.goto("/leads");
  await expect(page.getByRole("table", { name: "Leads" })).toContainText("Vikram Singh");

  const exportDownload = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const exported = await exportDownload;
  expect(exported.suggestedFilename()).toMatch(/^leads-\d{4}-\d{2}-\d{2}\.csv$/);
  const exportedText = await readFile(await exported.path(), "utf8");
  expect(exportedText).toContain("Vikram Singh");
});
