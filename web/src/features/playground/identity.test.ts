import { describe, expect, it } from "vitest";
import { normalizePhone, phoneProblem, randomPhone, withPlus } from "./identity";

describe("playground identity", () => {
  it("makes +1555 test numbers", () => {
    expect(randomPhone(() => 0.5)).toBe("+15555555555");
    expect(randomPhone()).toMatch(/^\+1555\d{7}$/);
  });

  it("validates and normalises numbers", () => {
    expect(phoneProblem("+1 555-010 0199")).toBeNull();
    expect(phoneProblem("")).toMatch(/Enter/);
    expect(phoneProblem("+1555abc")).toMatch(/digits only/);
    expect(phoneProblem("12345")).toMatch(/7 to 15 digits/);
    expect(normalizePhone("+1 (555) 010-0199")).toBe("+15550100199");
    expect(withPlus("15550100199")).toBe("+15550100199");
    expect(withPlus("+15550100199")).toBe("+15550100199");
  });
});
