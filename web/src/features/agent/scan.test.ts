import { describe, expect, it } from "vitest";
import {
  scanIsActive,
  scanPercent,
  scanSummary,
  shortUrl,
  skipReason,
  suggestedWebsite,
  type ScanLike,
} from "./scan";

type Scan = ScanLike & { error: string | null };
const scan = (over: Partial<Scan>): Scan => ({
  status: "running",
  pages_found: 0,
  pages_done: 0,
  chunks_stored: 0,
  skipped: [],
  error: null,
  ...over,
});

describe("scan progress", () => {
  it("keeps polling only while queued or running", () => {
    expect(scanIsActive("queued")).toBe(true);
    expect(scanIsActive("running")).toBe(true);
    expect(scanIsActive("done")).toBe(false);
    expect(scanIsActive("failed")).toBe(false);
    expect(scanIsActive(undefined)).toBe(false);
  });

  it("turns pages read into a percentage, full once finished", () => {
    expect(scanPercent(scan({}))).toBe(0);
    expect(scanPercent(scan({ pages_found: 7, pages_done: 2 }))).toBe(29);
    expect(scanPercent(scan({ pages_found: 7, pages_done: 7 }))).toBe(100);
    expect(scanPercent(scan({ status: "failed" }))).toBe(100);
  });

  it("says where the scan is and what it came to", () => {
    expect(scanSummary(scan({ status: "queued" }))).toBe("Waiting to start…");
    expect(scanSummary(scan({}))).toBe("Reading the start page…");
    expect(scanSummary(scan({ pages_found: 7, pages_done: 3 }))).toBe("Checked 3 of 7 pages…");
    expect(
      scanSummary(scan({ status: "done", pages_found: 1, pages_done: 1, chunks_stored: 1 })),
    ).toBe("Checked 1 page and stored 1 entry.");
    expect(scanSummary(scan({ status: "done", pages_done: 5, chunks_stored: 12 }))).toBe(
      "Checked 5 pages and stored 12 entries.",
    );
    expect(scanSummary(scan({ status: "failed", error: "Could not connect." }))).toBe(
      "Could not connect.",
    );
    expect(scanSummary(scan({ status: "failed" }))).toBe("The scan failed.");
  });
});

describe("skipReason", () => {
  it("words every reason the server gives", () => {
    expect(skipReason("robots_disallowed")).toBe("robots.txt asks crawlers to stay out");
    expect(skipReason("not_relevant")).toBe("not a page leads ask about");
    expect(skipReason("http_404")).toBe("the server answered HTTP 404");
    expect(skipReason("something_new")).toBe("something new");
  });
});

describe("shortUrl", () => {
  it("drops the scheme and a trailing slash", () => {
    expect(shortUrl("https://acme.example/")).toBe("acme.example");
    expect(shortUrl("http://acme.example/pricing")).toBe("acme.example/pricing");
  });
});

describe("suggestedWebsite", () => {
  it("prefers the business document's website, then the organisation's", () => {
    expect(
      suggestedWebsite({ contact_links: { website_url: " https://acme.example " } }, "org.example"),
    ).toBe("https://acme.example");
    expect(suggestedWebsite({ website_url: "https://direct.example" }, null)).toBe(
      "https://direct.example",
    );
    expect(suggestedWebsite({ contact_links: { app_url: "x" } }, "org.example")).toBe(
      "org.example",
    );
    expect(suggestedWebsite(null, undefined)).toBe("");
  });
});
