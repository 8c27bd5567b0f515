import { expect, test } from "@playwright/test";
import {
  bearer,
  newAccount,
  sandboxInbound,
  leadPhone,
  screenshot,
  signUpViaApi,
  useToken,
} from "./helpers";

test("the jobs page lists background work by status, failed jobs first", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  // A lead's message queues a processing job, which the worker runs after a short debounce.
  await sandboxInbound(request, token, { phone: leadPhone(), name: "Job Lead", text: "Hi" });
  await expect
    .poll(
      async () => {
        const res = await request.get("/api/v1/jobs?status=done", { headers: bearer(token) });
        return ((await res.json()) as { items: unknown[] }).items.length;
      },
      { timeout: 15_000 },
    )
    .toBeGreaterThan(0);
  await useToken(page, token);

  await page.goto("/settings");
  await page
    .getByRole("navigation", { name: "Settings" })
    .getByRole("link", { name: "Jobs" })
    .click();
  await expect(page).toHaveURL(/\/settings\/jobs$/);
  await expect(page.getByRole("heading", { level: 2, name: "Jobs", exact: true })).toBeVisible();
  const show = page.getByRole("combobox", { name: "Show" });
  await expect(show).toHaveText("Failed for good");
  await expect(page.getByText("No failed jobs")).toBeVisible();
  await screenshot(page, "settings-jobs");

  await show.click();
  await page.getByRole("option", { name: /^Done/ }).click();
  const table = page.getByRole("table", { name: "Background jobs" });
  await expect(table).toBeVisible();
  const row = table.getByRole("row").filter({ hasText: "Process conversation" }).first();
  await expect(row).toBeVisible();
  await expect(row.getByRole("link", { name: "Open conversation" })).toHaveAttribute(
    "href",
    /^\/inbox\/[0-9a-f-]{36}$/,
  );
  await expect(row.getByRole("button", { name: /Retry/ })).toHaveCount(0);
});
