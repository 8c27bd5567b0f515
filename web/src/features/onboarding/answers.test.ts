import { describe, expect, it } from "vitest";
import {
  ctaChanges,
  DEFAULT_TRIGGERS,
  fieldLabel,
  formFromAnswers,
  missingForGeneration,
  placeError,
  resumeStep,
  sectionBody,
  sectionChanged,
  sectionErrors,
  splitLines,
  stepDone,
} from "./answers";
import type { Cta, OnboardingAnswers } from "../../api/models";

const complete: OnboardingAnswers = {
  business: {
    name: "Acme",
    website_url: "https://acme.example",
    timezone: "Asia/Kolkata",
    industry: null,
    city: null,
    working_hours: null,
    support_email: null,
    support_phone: null,
  },
  offer: {
    products: ["Widgets"],
    pricing: null,
    usp: null,
    delivery_timeline: null,
    refund_policy: null,
  },
  sales: {
    primary_ctas: [{ type: "book_call", link: null, phone: "+91 98765 43210" }],
    qualification: [],
    budget_timing: "late",
    hot_lead_definition: null,
    escalation_triggers: ["payment_failure", "Asks for a discount"],
    objections: [],
  },
};

describe("the wizard's form", () => {
  it("starts from the organisation's details until the first step is saved", () => {
    const form = formFromAnswers({}, { name: "Acme Ltd", website: "https://acme.example" });
    expect(form.business.name).toBe("Acme Ltd");
    expect(form.business.website_url).toBe("https://acme.example");
    expect(form.sales.triggers).toEqual(DEFAULT_TRIGGERS);
    expect(form.tone.message_length).toBe("20");
    // Saved answers win over the organisation's details.
    expect(formFromAnswers(complete, { name: "Other" }).business.name).toBe("Acme");
  });

  it("turns lines into lists and blanks into nulls", () => {
    const form = formFromAnswers({});
    form.offer.products = "  Widgets \n\n Gadgets\n";
    form.offer.pricing = "   ";
    expect(sectionBody(form, "offer")).toEqual({
      offer: {
        products: ["Widgets", "Gadgets"],
        pricing: null,
        usp: null,
        delivery_timeline: null,
        refund_policy: null,
      },
    });
    expect(splitLines("a\r\nb\n \n")).toEqual(["a", "b"]);
  });

  it("keeps the owner's own triggers apart from the known ones", () => {
    const form = formFromAnswers(complete);
    expect(form.sales.triggers).toEqual(["payment_failure"]);
    expect(form.sales.other_triggers).toBe("Asks for a discount");
    expect(sectionBody(form, "sales").sales?.escalation_triggers).toEqual([
      "payment_failure",
      "Asks for a discount",
    ]);
  });

  it("drops empty rows and sends the tone with one question per message", () => {
    const form = formFromAnswers({});
    form.sales.qualification = [
      { topic: " goal ", question: "" },
      { topic: "", question: "" },
    ];
    form.sales.objections = [{ objection: "", answer: "" }];
    const sales = sectionBody(form, "sales").sales!;
    expect(sales.qualification).toEqual([{ topic: "goal", question: null }]);
    expect(sales.objections).toEqual([]);
    form.tone.message_length = "12";
    expect(sectionBody(form, "tone").tone).toMatchObject({
      message_length: 12,
      questions_per_message: 1,
    });
  });

  it("knows when a section needs saving", () => {
    const form = formFromAnswers(complete);
    expect(sectionChanged(form, complete, "business")).toBe(false);
    expect(sectionChanged(form, complete, "customer")).toBe(true);
    form.business.city = "Pune";
    expect(sectionChanged(form, complete, "business")).toBe(true);
  });
});

describe("server errors", () => {
  it("land on their input", () => {
    expect(placeError("business.name", "is required")).toEqual({
      section: "business",
      field: "name",
      message: "is required",
    });
    expect(placeError("offer.products[2]", "too long")).toEqual({
      section: "offer",
      field: "products",
      message: "Line 3: too long",
    });
    expect(placeError("sales.primary_ctas[0].link", "must be an http(s) URL").field).toBe(
      "primary_ctas.0.link",
    );
    expect(placeError("body", "send at least one section").section).toBeNull();
  });

  it("are kept per section, first one per input", () => {
    expect(
      sectionErrors(
        {
          "tone.emoji_policy": "unknown variant",
          "offer.products[0]": "a",
          "offer.products[1]": "b",
        },
        "offer",
      ),
    ).toEqual({ products: "Line 1: a" });
  });

  it("read in the owner's words", () => {
    expect(fieldLabel("business.website_url")).toBe("Website");
    expect(fieldLabel("sales.primary_ctas[0].link")).toBe("Primary ctas link");
  });
});

describe("progress", () => {
  it("lists what generation still needs and resumes there", () => {
    expect(missingForGeneration({}).map((m) => m.path)).toEqual([
      "business.name",
      "business.website_url",
      "business.timezone",
      "offer.products",
      "sales.primary_ctas",
    ]);
    expect(resumeStep({})).toBe("business");
    expect(resumeStep({ business: complete.business })).toBe("offer");
    expect(missingForGeneration(complete)).toEqual([]);
    // Complete, but the customer section was never saved.
    expect(resumeStep(complete)).toBe("customer");
  });
});

describe("calls-to-action", () => {
  const label = (t: string) => t.toUpperCase();

  it("creates the chosen ones that have a link or phone, in order", () => {
    const changes = ctaChanges(
      [
        { type: "app_download", link: "https://acme.example/app" },
        { type: "payment", link: null, phone: "" },
        { type: "book_call", phone: "+91 98765 43210" },
      ],
      [],
      label,
    );
    expect(changes).toEqual([
      {
        id: null,
        body: {
          type: "app_download",
          name: "APP_DOWNLOAD",
          link: "https://acme.example/app",
          phone: null,
          enabled: true,
          position: 1,
        },
      },
      {
        id: null,
        body: {
          type: "book_call",
          name: "BOOK_CALL",
          link: null,
          phone: "+91 98765 43210",
          enabled: true,
          position: 3,
        },
      },
    ]);
  });

  it("updates an existing one only when it differs, keeping its name", () => {
    const existing: Cta[] = [
      {
        id: "c1",
        type: "book_call",
        name: "Free consultation",
        link: null,
        phone: "+91 98765 43210",
        enabled: true,
        position: 1,
      },
    ];
    expect(ctaChanges([{ type: "book_call", phone: "+91 98765 43210" }], existing, label)).toEqual(
      [],
    );
    expect(
      ctaChanges([{ type: "book_call", link: "https://cal.example/acme" }], existing, label),
    ).toEqual([
      {
        id: "c1",
        body: {
          type: "book_call",
          name: "Free consultation",
          link: "https://cal.example/acme",
          phone: null,
          enabled: true,
          position: 1,
        },
      },
    ]);
  });
});

describe("stepDone", () => {
  it("gives no ✓ to a saved step whose required answers are empty", () => {
    const answers: OnboardingAnswers = {
      business: { name: "Acme", timezone: "Asia/Kolkata" },
      offer: { products: ["Widgets"] },
      customer: {},
    };
    expect(stepDone(answers, "business")).toBe(false);
    expect(stepDone(answers, "offer")).toBe(true);
    expect(stepDone(answers, "customer")).toBe(true);
    expect(stepDone(answers, "sales")).toBe(false);
    expect(
      stepDone(
        { ...answers, business: { ...answers.business, website_url: "https://acme.example" } },
        "business",
      ),
    ).toBe(true);
  });
});
