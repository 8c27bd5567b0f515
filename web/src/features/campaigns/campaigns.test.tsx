import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Preflight } from "./api";
import { money, PreflightPanel } from "./PreflightPanel";

const preflight: Preflight = {
  recipients: 3,
  excluded: { opted_out: 1, us_marketing_block: 2 },
  messaging_limit: { tier: "TIER_1K", limit: 1000, used_24h: 10, remaining: 990 },
  over_limit_by: 0,
  template: {
    id: "t1",
    name: "spring_offer",
    category: "marketing",
    status: "approved",
    quality: "yellow",
  },
  estimated_cost: { currency: "USD", amount: 0.0042, by_country: { IN: 0.0042 } },
  blocking: ["whatsapp_not_connected"],
  warnings: ["template_quality_low", "some_excluded"],
  duration_seconds: 125,
};

describe("PreflightPanel", () => {
  it("shows the audience, each exclusion, the limit, the template and the cost", () => {
    render(<PreflightPanel preflight={preflight} />);
    expect(screen.getByText("Excluded: Opted out")).toBeInTheDocument();
    expect(screen.getByText("Excluded: US number (no marketing)")).toBeInTheDocument();
    expect(screen.getByText("990 of 1000 left")).toBeInTheDocument();
    expect(screen.getByText("spring_offer")).toBeInTheDocument();
    expect(screen.getByText("0.0042 USD")).toBeInTheDocument();
    expect(screen.getByText("3 min")).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("WhatsApp is not connected.");
    expect(screen.getByText(/quality is low/)).toBeInTheDocument();
  });

  it("keeps a small amount's fractions and rounds a large one to cents", () => {
    expect(money(0.0042)).toBe("0.0042");
    expect(money(1234.567)).toMatch(/^1,?234\.57$/);
  });
});
