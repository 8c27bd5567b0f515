// What the website scan's numbers and codes mean to the person watching it.

import type { KnowledgeScan, ScanStatus } from "../../api/models";

/** The parts of a scan these helpers read. */
export type ScanLike = Pick<
  KnowledgeScan,
  "status" | "pages_found" | "pages_done" | "chunks_stored" | "skipped"
>;

/** Queued or running: the scan will change, so keep asking. */
export function scanIsActive(status: ScanStatus | undefined): boolean {
  return status === "queued" || status === "running";
}

/** How far along the scan is, 0–100. The start page counts before the others are known. */
export function scanPercent(scan: ScanLike): number {
  if (scan.status === "done" || scan.status === "failed") return 100;
  if (scan.pages_found === 0) return 0;
  return Math.min(100, Math.round((scan.pages_done / scan.pages_found) * 100));
}

const REASONS: Record<string, string> = {
  robots_disallowed: "robots.txt asks crawlers to stay out",
  not_relevant: "not a page leads ask about",
  page_limit: "over the page limit",
  time_limit: "the scan ran out of time",
  chunk_limit: "only the first part was kept",
  not_html: "not a web page",
  too_large: "larger than 2 MiB",
  no_text: "no readable text",
  too_complex: "too deeply nested to read",
  timeout: "did not answer in time",
  unreachable: "could not connect",
  private_address: "a private address",
  other_site: "redirects to another site",
  too_many_redirects: "too many redirects",
};

/** A skipped page's reason code, in words. */
export function skipReason(reason: string): string {
  const known = REASONS[reason];
  if (known) return known;
  const http = /^http_(\d{3})$/.exec(reason);
  if (http) return `the server answered HTTP ${http[1]}`;
  return reason.replace(/_/g, " ");
}

/** A URL without its scheme and trailing slash, as people write it. */
export function shortUrl(url: string): string {
  return url.replace(/^https?:\/\//, "").replace(/\/$/, "");
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One line on where the scan is, or what it came to. */
export function scanSummary(scan: ScanLike & Pick<KnowledgeScan, "error">): string {
  switch (scan.status) {
    case "queued":
      return "Waiting to start…";
    case "running":
      return scan.pages_found === 0
        ? "Reading the start page…"
        : `Checked ${scan.pages_done} of ${plural(scan.pages_found, "page")}…`;
    case "done":
      return `Checked ${plural(scan.pages_done, "page")} and stored ${plural(
        scan.chunks_stored,
        "entry",
        "entries",
      )}.`;
    case "failed":
      return scan.error ?? "The scan failed.";
  }
}

/**
 * The address to offer for a scan: the business's website from the agent's business
 * document (`contact_links.website_url`), else the organisation's website.
 */
export function suggestedWebsite(businessConfig: unknown, orgWebsite?: string | null): string {
  if (businessConfig && typeof businessConfig === "object") {
    const links = (businessConfig as { contact_links?: unknown }).contact_links;
    if (links && typeof links === "object") {
      const url = (links as Record<string, unknown>).website_url;
      if (typeof url === "string" && url.trim()) return url.trim();
    }
    const direct = (businessConfig as Record<string, unknown>).website_url;
    if (typeof direct === "string" && direct.trim()) return direct.trim();
  }
  return orgWebsite?.trim() ?? "";
}
