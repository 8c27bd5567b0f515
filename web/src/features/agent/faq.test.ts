import { describe, expect, it } from "vitest";
import { parseFaq } from "./faq";

describe("parseFaq", () => {
  it("reads Q:/A: blocks separated by blank lines", () => {
    expect(
      parseFaq("Q: What are the fees?\nA: The course costs ₹2999.\n\nQ: Where?\nA: Mumbai"),
    ).toEqual([
      { question: "What are the fees?", answer: "The course costs ₹2999." },
      { question: "Where?", answer: "Mumbai" },
    ]);
  });

  it("joins continuation lines, as the server does", () => {
    expect(parseFaq("Q: Where are you\nlocated?\nA: Mumbai\nand Pune")).toEqual([
      { question: "Where are you located?", answer: "Mumbai and Pune" },
    ]);
  });

  it("copes with Windows line endings, case, extra blank lines and pairs without a gap", () => {
    expect(
      parseFaq("\r\n\r\nq: One?\r\na: 1\r\nQ: Two?\r\nA: 2\r\n\r\n\r\n").map((p) => p.question),
    ).toEqual(["One?", "Two?"]);
  });

  it("skips a question without an answer, and text that is no FAQ", () => {
    expect(parseFaq("Q: Lonely?\n\nQ: Fine?\nA: Yes")).toEqual([
      { question: "Fine?", answer: "Yes" },
    ]);
    expect(parseFaq("hello there")).toEqual([]);
    expect(parseFaq("")).toEqual([]);
  });
});
