import { describe, expect, it } from "vitest";
import { cellErrors, countryName, formatMoney, fromGrid, toGrid } from "./rateCard";

const card = {
  currency: "USD",
  rates: [
    { country: "*", category: "marketing" as const, price: 0.0604 },
    { country: "IN", category: "marketing" as const, price: 0.0118 },
    { country: "IN", category: "utility" as const, price: 0.0014 },
    { country: "AE", category: "marketing" as const, price: 0.0384 },
  ],
};

describe("the rate card grid", () => {
  it("has a row per country, by name, with every other country last", () => {
    const grid = toGrid(card);
    expect(grid.rows.map((r) => r.country)).toEqual(["IN", "AE", "*"]);
    expect(grid.rows[0]?.prices.marketing).toBe("0.0118");
    expect(grid.rows[0]?.prices.authentication).toBe("");
  });

  it("goes back to the same rates, and a 422 finds the input it is about", () => {
    const grid = toGrid(card);
    grid.rows[1]!.prices.utility = "abc";
    const { card: body, origins } = fromGrid(grid);
    expect(body.rates).toHaveLength(5);
    const bad = body.rates.findIndex((r) => r.country === "AE" && r.category === "utility");
    expect(body.rates[bad]?.price).toBe("abc");
    expect(cellErrors({ [`rates[${bad}].price`]: "must be a price" }, origins)).toEqual({
      "AE/utility": "must be a price",
    });
  });

  it("names countries and money the way people read them", () => {
    expect(countryName("IN")).toBe("India");
    expect(countryName("*")).toBe("Every other country");
    expect(formatMoney(0.0118, "USD")).toBe("$0.0118");
    expect(formatMoney(2, "INR")).toBe("₹2.00");
  });
});
