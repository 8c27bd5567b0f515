import { expect, test, type APIRequestContext } from "@playwright/test";
import { bearer, newAccount, screenshot, signUpViaApi, useToken } from "./helpers";
import { startStandInSite, type StandInSite } from "./stand-in-site";

let site: StandInSite;

test.beforeAll(async () => {
  site = await startStandInSite();
});

test.afterAll(async () => {
  await site.close();
});

/** Puts the site's address in the agent's business document, where the scan form finds it. */
async function setWebsite(request: APIRequestContext, token: string, url: string) {
  const res = await request.get("/api/v1/agent/profile", { headers: bearer(token) });
  const profile = (await res.json()) as { business_config: Record<string, unknown> };
  const links = (profile.business_config.contact_links ?? {}) as Record<string, string>;
  const saved = await request.put("/api/v1/agent/profile", {
    headers: bearer(token),
    data: {
      business_config: {
        ...profile.business_config,
        contact_links: { ...links, website_url: url },
      },
    },
  });
  expect(saved.status(), await saved.text()).toBe(200);
}

interface Entry {
  kind: string;
  title: string;
  content: string;
  source_url: string | null;
}

async function entries(request: APIRequestContext, token: string): Promise<Entry[]> {
  const res = await request.get("/api/v1/knowledge?limit=200", { headers: bearer(token) });
  return ((await res.json()) as { items: Entry[] }).items;
}

test("scan the business website, watch it progress, then upload a faq.txt", async ({
  page,
  request,
}) => {
  const token = await signUpViaApi(request, newAccount());
  await setWebsite(request, token, site.url);
  await useToken(page, token);
  await page.goto("/settings/agent?tab=knowledge");

  // The address on file is offered.
  const address = page.getByLabel("Website address");
  await expect(address).toHaveValue(site.url);

  // A bad address is refused next to the field, and nothing starts.
  await address.fill("ftp://nowhere");
  await page.getByRole("button", { name: "Scan website" }).click();
  await expect(page.getByText("must be an http or https address")).toBeVisible();
  await expect(page.getByTestId("scan-status")).toHaveCount(0);
  await address.fill(site.url);

  await page.getByRole("button", { name: "Scan website" }).click();
  const status = page.getByTestId("scan-status");
  const summary = page.getByTestId("scan-summary");
  // Live progress: pages are found and read one by one (each takes the stand-in a second).
  await expect(summary).toHaveText(/Checked [1-4] of 5 pages…/, { timeout: 15_000 });
  await expect(status.getByText("Scanning")).toBeVisible();
  await expect(page.getByRole("button", { name: "Scanning…" })).toBeDisabled();
  await screenshot(page, "knowledge-scan-running");

  await expect(summary).toHaveText(/^Checked 5 pages and stored \d+ entries\.$/, {
    timeout: 30_000,
  });
  await expect(status.getByText("Done")).toBeVisible();
  await expect(page.getByRole("progressbar", { name: "Scan progress" })).toHaveAttribute(
    "aria-valuenow",
    "100",
  );
  const skipped = page.getByTestId("scan-skipped");
  await expect(skipped.filter({ hasText: "/contact" })).toContainText(
    "robots.txt asks crawlers to stay out",
  );
  await expect(skipped.filter({ hasText: "/blog/market-holidays" })).toContainText(
    "not a page leads ask about",
  );
  expect(site.requests).not.toContain("/contact");

  // The pages are in the list, with where they came from and when they were read.
  const list = page.getByTestId("knowledge-entry");
  const pricing = list.filter({ hasText: "Pricing — Stand-in Academy" });
  await expect(pricing).toHaveCount(1);
  await expect(pricing).toContainText("₹2999");
  await expect(pricing).toContainText("Web");
  await expect(pricing.getByRole("link")).toHaveAttribute("href", `${site.url}pricing`);
  await expect(pricing).toContainText(/Verified /);
  const stored = await entries(request, token);
  const web = stored.filter((e) => e.kind === "web");
  const storedCount = /stored (\d+) entries/.exec((await summary.textContent()) ?? "")?.[1];
  expect(web.length).toBe(Number(storedCount));
  expect(web.every((e) => e.source_url?.startsWith(site.url))).toBe(true);
  expect(web.some((e) => e.content.includes("TRACKING-SNIPPET"))).toBe(false);
  await screenshot(page, "knowledge-scan-done", true);

  // Upload a faq.txt: it goes up as the file itself.
  const upload = page.waitForRequest(
    (req) => req.url().endsWith("/api/v1/knowledge") && req.method() === "POST",
  );
  await page.getByTestId("faq-file").setInputFiles({
    name: "faq.txt",
    mimeType: "text/plain",
    buffer: Buffer.from(
      "Q: Do you have a weekend batch?\nA: Yes, on Saturdays.\n\nQ: Is there a demo class?\nA: Yes, every Monday.\n",
    ),
  });
  expect((await upload).headers()["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
  await expect(page.getByTestId("faq-created")).toHaveText("Created 2 entries from faq.txt.");
  await expect(list.filter({ hasText: "Do you have a weekend batch?" })).toContainText("FAQ");

  // The price changes and the site is scanned again: its pages are replaced, the FAQ stays.
  site.setPrice("₹3499");
  await page.getByRole("button", { name: "Scan website" }).click();
  await expect(summary).toHaveText(/^Checked 5 pages and stored \d+ entries\.$/, {
    timeout: 30_000,
  });
  await expect(pricing).toContainText("₹3499");
  const after = await entries(request, token);
  expect(after.filter((e) => e.kind === "web").length).toBe(web.length);
  expect(
    after
      .filter((e) => e.kind === "faq")
      .map((e) => e.title)
      .sort(),
  ).toEqual(["Do you have a weekend batch?", "Is there a demo class?"]);
  expect(after.some((e) => e.content.includes("₹2999"))).toBe(false);

  // After a reload the last scan is still shown.
  await page.reload();
  await expect(page.getByTestId("scan-summary")).toHaveText(/^Checked 5 pages and stored/);
});

test("a site that cannot be reached fails the scan with the reason", async ({ page, request }) => {
  const token = await signUpViaApi(request, newAccount());
  await useToken(page, token);
  await page.goto("/settings/agent?tab=knowledge");
  await page.getByLabel("Website address").fill("http://127.0.0.1:9/");
  await page.getByRole("button", { name: "Scan website" }).click();
  const status = page.getByTestId("scan-status");
  await expect(status.getByText("Failed")).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("scan-summary")).toHaveText(
    "Could not connect to http://127.0.0.1:9/.",
  );
  await expect(page.getByText("The knowledge base is empty")).toBeVisible();
});
