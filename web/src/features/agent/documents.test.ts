import { describe, expect, it } from "vitest";
import {
  canonicalJson,
  documentProblem,
  draftsOf,
  draftState,
  parseDocument,
  prettyJson,
  setInDraft,
} from "./documents";

const saved = {
  business_config: { business_name: "Acme", primary_ctas: ["book_call"] },
  sales_rules: {},
  tone_profile: { language: "en", message_length_max_words: 25 },
  guardrails: { forbidden_phrases: ["guaranteed"] },
  script_library: {},
};

describe("parseDocument", () => {
  it("accepts a JSON object", () => {
    expect(parseDocument('{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  it("says where the JSON breaks", () => {
    const result = parseDocument('{\n  "a": 1,\n  "b": \n}');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^Invalid JSON/);
  });

  it("refuses anything but an object", () => {
    expect(parseDocument("[1]")).toEqual({
      ok: false,
      error: "This document must be a JSON object ({ … }).",
    });
    expect(parseDocument("null").ok).toBe(false);
    expect(parseDocument("  ").ok).toBe(false);
  });
});

describe("draftState", () => {
  it("has nothing to send when nothing changed", () => {
    expect(draftState(draftsOf(saved), saved)).toEqual({ dirty: [], errors: {}, body: {} });
  });

  it("sends only the changed documents", () => {
    const drafts = draftsOf(saved);
    drafts.tone_profile = prettyJson({ language: "en", message_length_max_words: 40 });
    const state = draftState(drafts, saved);
    expect(state.dirty).toEqual(["tone_profile"]);
    expect(state.body).toEqual({
      tone_profile: { language: "en", message_length_max_words: 40 },
    });
  });

  it("does not count reformatting or reordered keys as a change", () => {
    const drafts = draftsOf(saved);
    drafts.tone_profile = '{"message_length_max_words":25,   "language":"en"}';
    expect(draftState(drafts, saved).dirty).toEqual([]);
  });

  it("sends nothing while any changed document is invalid", () => {
    const drafts = draftsOf(saved);
    drafts.tone_profile = prettyJson({ language: "hi" });
    drafts.guardrails = "{ nope";
    const state = draftState(drafts, saved);
    expect(state.dirty).toEqual(["tone_profile", "guardrails"]);
    expect(Object.keys(state.errors)).toEqual(["guardrails"]);
    expect(state.body).toEqual({});
  });
});

describe("documentProblem", () => {
  it("splits an invalid_document field into document and path", () => {
    expect(
      documentProblem(
        { field: "tone_profile.message_length_max_words", message: "must be between 5 and 60" },
        "fallback",
      ),
    ).toEqual({
      field: "tone_profile.message_length_max_words",
      document: "tone_profile",
      path: "message_length_max_words",
      message: "must be between 5 and 60",
    });
  });

  it("reads validation_failed's fields too", () => {
    expect(
      documentProblem({ fields: { tone_profile: "must be a JSON object" } }, "fallback"),
    ).toEqual({
      field: "tone_profile",
      document: "tone_profile",
      path: "",
      message: "must be a JSON object",
    });
    expect(documentProblem({ field: "mode" }, "fallback")).toMatchObject({
      document: null,
      path: "mode",
      message: "fallback",
    });
    expect(documentProblem(null, "x")).toBeNull();
    expect(documentProblem({ other: 1 }, "x")).toBeNull();
  });
});

describe("setInDraft", () => {
  it("changes one key and keeps the rest", () => {
    const next = setInDraft(prettyJson(saved.tone_profile), "message_length_max_words", 40);
    expect(JSON.parse(next!)).toEqual({ language: "en", message_length_max_words: 40 });
    expect(JSON.parse(setInDraft('{"a":1,"b":2}', "a", undefined)!)).toEqual({ b: 2 });
    expect(setInDraft("{ broken", "a", 1)).toBeNull();
  });

  it("canonical JSON ignores key order", () => {
    expect(canonicalJson({ b: 1, a: { d: 1, c: [2, { f: 1, e: 0 }] } })).toBe(
      '{"a":{"c":[2,{"e":0,"f":1}],"d":1},"b":1}',
    );
  });
});
