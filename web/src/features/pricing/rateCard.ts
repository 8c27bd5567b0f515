import { exhaustive } from "../../api/enums";
import type { PricingCategory, RateCard } from "./api";

/** Every category Meta prices, in the order the grid shows them. */
export const PRICING_CATEGORIES = exhaustive<PricingCategory>()([
  "marketing",
  "utility",
  "authentication",
  "authentication_international",
  "service",
  "marketing_lite",
  "referral_conversion",
] as const);

export const PRICING_CATEGORY_LABELS: Record<PricingCategory, string> = {
  marketing: "Marketing",
  utility: "Utility",
  authentication: "Authentication",
  authentication_international: "Auth. (international)",
  service: "Service",
  marketing_lite: "Marketing Lite",
  referral_conversion: "Referral",
};

/** `*` on the card: every country without a row of its own (Meta's "Other"). */
export const OTHER_COUNTRIES = "*";

/** One country's prices as the inputs hold them: text, empty for "no price". */
export interface GridRow {
  country: string;
  prices: Record<PricingCategory, string>;
}

export interface Grid {
  currency: string;
  rows: GridRow[];
}

function emptyPrices(): Record<PricingCategory, string> {
  return Object.fromEntries(PRICING_CATEGORIES.map((c) => [c, ""])) as Record<
    PricingCategory,
    string
  >;
}

export function newRow(country: string): GridRow {
  return { country: country.trim().toUpperCase(), prices: emptyPrices() };
}

/** The card as a grid: a row per country (sorted by name, "every other country" last). */
export function toGrid(card: RateCard): Grid {
  const rows = new Map<string, GridRow>();
  for (const rate of card.rates) {
    const row = rows.get(rate.country) ?? newRow(rate.country);
    row.prices[rate.category] = String(rate.price);
    rows.set(rate.country, row);
  }
  const sorted = [...rows.values()].sort((a, b) => {
    if (a.country === OTHER_COUNTRIES) return 1;
    if (b.country === OTHER_COUNTRIES) return -1;
    return countryName(a.country).localeCompare(countryName(b.country));
  });
  return { currency: card.currency, rows: sorted };
}

/** Where each rate of the request came from, so that `rates[7].price` finds its input. */
export type RateOrigin = { country: string; category: PricingCategory };

/**
 * The grid as the request: a rate per filled cell. A cell that is not a number is sent as
 * written, so the server names it (`rates[3].price`) and the grid marks that input.
 */
export function fromGrid(grid: Grid): { card: RateCard; origins: RateOrigin[] } {
  const rates: RateCard["rates"] = [];
  const origins: RateOrigin[] = [];
  for (const row of grid.rows) {
    for (const category of PRICING_CATEGORIES) {
      const text = row.prices[category].trim();
      if (text === "") continue;
      const price = Number(text);
      rates.push({
        country: row.country,
        category,
        price: (Number.isFinite(price) ? price : text) as number,
      });
      origins.push({ country: row.country, category });
    }
  }
  return { card: { currency: grid.currency.trim().toUpperCase(), rates }, origins };
}

/** The 422's field errors as `country/category` → message, for the grid's inputs. */
export function cellErrors(
  fields: Record<string, string>,
  origins: RateOrigin[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(fields)) {
    const m = /^rates\[(\d+)\]/.exec(path);
    const origin = m ? origins[Number(m[1])] : undefined;
    if (origin) out[`${origin.country}/${origin.category}`] = message;
  }
  return out;
}

const names = new Intl.DisplayNames(["en"], { type: "region" });

/** "India" for `IN`, "Every other country" for `*`, the code itself when unknown. */
export function countryName(code: string): string {
  if (code === OTHER_COUNTRIES) return "Every other country";
  try {
    return names.of(code) ?? code;
  } catch {
    return code;
  }
}

/** A price or cost as money: `$0.0118`, `₹1.25`; up to four decimals, as Meta publishes. */
export function formatMoney(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat("en", {
      style: "currency",
      currency,
      minimumFractionDigits: 2,
      maximumFractionDigits: 4,
    }).format(amount);
  } catch {
    return `${amount.toFixed(4)} ${currency}`;
  }
}
