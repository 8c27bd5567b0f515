// The onboarding wizard's form: its steps, how each step's inputs become the questionnaire's
// answers (and back), where the server's field errors belong, what generation still needs,
// and which calls-to-action to create. Pure functions, tested on their own.

import type {
  BudgetTiming,
  Cta,
  CtaBody,
  CtaType,
  EmojiPolicy,
  Formality,
  OnboardingAnswers,
  OnboardingCta,
  OnboardingUpdateBody,
  Persuasion,
  ReplyLanguage,
} from "../../api/models";
import { ESCALATION_TRIGGERS, ESCALATION_TRIGGER_LABELS } from "../../api/enums";

export const SECTIONS = ["business", "offer", "customer", "sales", "guardrails", "tone"] as const;
export type Section = (typeof SECTIONS)[number];

export const STEPS = [
  {
    id: "business",
    section: "business",
    title: "Business basics",
    description: "Who you are, when you work and where leads can find you.",
  },
  {
    id: "offer",
    section: "offer",
    title: "Offer",
    description: "What you sell, what it costs and why people choose you.",
  },
  {
    id: "customer",
    section: "customer",
    title: "Ideal customer",
    description: "Who the agent should sell to, and who it should let go.",
  },
  {
    id: "sales",
    section: "sales",
    title: "Sales process & CTAs",
    description:
      "What the agent asks leads to do, what it finds out first, and when it hands over.",
  },
  {
    id: "faq",
    section: null,
    title: "FAQ upload",
    description: "Questions leads ask and your answers: the agent quotes them word for word.",
  },
  {
    id: "guardrails",
    section: "guardrails",
    title: "Guardrails",
    description: "What the agent must never claim, and what it must always say.",
  },
  {
    id: "tone",
    section: "tone",
    title: "Tone",
    description: "How your agent sounds on WhatsApp.",
  },
  {
    id: "whatsapp",
    section: null,
    title: "WhatsApp connection",
    description: "The number your agent answers on.",
  },
  {
    id: "review",
    section: null,
    title: "Review & start",
    description: "Generate the agent's five documents, check them, and start the agent.",
  },
] as const satisfies readonly {
  id: string;
  section: Section | null;
  title: string;
  description: string;
}[];

export type StepId = (typeof STEPS)[number]["id"];

export function isStepId(value: string | null): value is StepId {
  return STEPS.some((s) => s.id === value);
}

export function stepOf(id: StepId) {
  return STEPS.find((s) => s.id === id)!;
}

/** The escalation reasons the agent detects by itself (crates/agent/src/escalate.rs). */
export const TRIGGERS = ESCALATION_TRIGGERS.map((code) => ({
  code,
  label: ESCALATION_TRIGGER_LABELS[code],
}));
const TRIGGER_CODES: readonly string[] = ESCALATION_TRIGGERS;
export const DEFAULT_TRIGGERS = [
  "payment_failure",
  "angry_sentiment",
  "human_requested",
  "complex_question_3x",
];

export interface CtaRow {
  type: CtaType;
  link: string;
  phone: string;
}

export interface QualifierRow {
  topic: string;
  question: string;
}

export interface ObjectionRow {
  objection: string;
  answer: string;
}

/** What the inputs hold: plain strings (lists are one entry per line) until saved. */
export interface WizardForm {
  business: {
    name: string;
    industry: string;
    city: string;
    working_hours: string;
    timezone: string;
    website_url: string;
    support_email: string;
    support_phone: string;
  };
  offer: {
    products: string;
    pricing: string;
    usp: string;
    delivery_timeline: string;
    refund_policy: string;
  };
  customer: { description: string; disqualifiers: string; use_cases: string };
  sales: {
    ctas: CtaRow[];
    qualification: QualifierRow[];
    budget_timing: BudgetTiming;
    hot_lead_definition: string;
    triggers: string[];
    other_triggers: string;
    objections: ObjectionRow[];
  };
  guardrails: {
    forbidden_claims: string;
    required_disclaimers: string;
    language_restrictions: string;
    custom_rules: string;
  };
  tone: {
    language: ReplyLanguage;
    honorifics: boolean;
    message_length: string;
    emoji_policy: EmojiPolicy;
    formality: Formality;
    persuasion: Persuasion;
    examples: string;
  };
}

/** Organisation details the first step starts from, before anything is saved. */
export interface OrgDefaults {
  name?: string | null;
  industry?: string | null;
  website?: string | null;
  timezone?: string | null;
  city?: string | null;
  support_email?: string | null;
  support_phone?: string | null;
}

const lines = (list: readonly string[] | null | undefined) => (list ?? []).join("\n");
const text = (value: string | null | undefined) => value ?? "";

/** One entry per non-blank line. */
export function splitLines(value: string): string[] {
  return value
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
}

const blank = (value: string) => (value.trim() === "" ? null : value.trim());

export function formFromAnswers(answers: OnboardingAnswers, org: OrgDefaults = {}): WizardForm {
  const b = answers.business;
  const o = answers.offer;
  const c = answers.customer;
  const s = answers.sales;
  const g = answers.guardrails;
  const t = answers.tone;
  const triggers = s?.escalation_triggers ?? DEFAULT_TRIGGERS;
  return {
    business: b
      ? {
          name: text(b.name),
          industry: text(b.industry),
          city: text(b.city),
          working_hours: text(b.working_hours),
          timezone: text(b.timezone),
          website_url: text(b.website_url),
          support_email: text(b.support_email),
          support_phone: text(b.support_phone),
        }
      : {
          name: text(org.name),
          industry: text(org.industry),
          city: text(org.city),
          working_hours: "",
          timezone: text(org.timezone),
          website_url: text(org.website),
          support_email: text(org.support_email),
          support_phone: text(org.support_phone),
        },
    offer: {
      products: lines(o?.products),
      pricing: text(o?.pricing),
      usp: text(o?.usp),
      delivery_timeline: text(o?.delivery_timeline),
      refund_policy: text(o?.refund_policy),
    },
    customer: {
      description: text(c?.description),
      disqualifiers: lines(c?.disqualifiers),
      use_cases: lines(c?.use_cases),
    },
    sales: {
      ctas: (s?.primary_ctas ?? []).map((cta) => ({
        type: cta.type,
        link: text(cta.link),
        phone: text(cta.phone),
      })),
      qualification: (s?.qualification ?? []).map((q) => ({
        topic: q.topic,
        question: text(q.question),
      })),
      budget_timing: s?.budget_timing ?? "late",
      hot_lead_definition: text(s?.hot_lead_definition),
      triggers: triggers.filter((code) => TRIGGER_CODES.includes(code)),
      other_triggers: lines(triggers.filter((code) => !TRIGGER_CODES.includes(code))),
      objections: (s?.objections ?? []).map((o) => ({ ...o })),
    },
    guardrails: {
      forbidden_claims: lines(g?.forbidden_claims),
      required_disclaimers: lines(g?.required_disclaimers),
      language_restrictions: lines(g?.language_restrictions),
      custom_rules: lines(g?.custom_rules),
    },
    tone: {
      language: t?.language ?? "en",
      honorifics: t?.honorifics ?? false,
      message_length: String(t?.message_length ?? 20),
      emoji_policy: t?.emoji_policy ?? "never",
      formality: t?.formality ?? "professional",
      persuasion: t?.persuasion ?? "moderate",
      examples: lines(t?.examples),
    },
  };
}

/** The body that saves one section of the form. */
export function sectionBody(form: WizardForm, section: Section): OnboardingUpdateBody {
  switch (section) {
    case "business": {
      const b = form.business;
      return {
        business: {
          name: blank(b.name),
          industry: blank(b.industry),
          city: blank(b.city),
          working_hours: blank(b.working_hours),
          timezone: blank(b.timezone),
          website_url: blank(b.website_url),
          support_email: blank(b.support_email),
          support_phone: blank(b.support_phone),
        },
      };
    }
    case "offer": {
      const o = form.offer;
      return {
        offer: {
          products: splitLines(o.products),
          pricing: blank(o.pricing),
          usp: blank(o.usp),
          delivery_timeline: blank(o.delivery_timeline),
          refund_policy: blank(o.refund_policy),
        },
      };
    }
    case "customer": {
      const c = form.customer;
      return {
        customer: {
          description: blank(c.description),
          disqualifiers: splitLines(c.disqualifiers),
          use_cases: splitLines(c.use_cases),
        },
      };
    }
    case "sales": {
      const s = form.sales;
      return {
        sales: {
          primary_ctas: s.ctas.map((c) => ({
            type: c.type,
            link: blank(c.link),
            phone: blank(c.phone),
          })),
          qualification: s.qualification
            .filter((q) => q.topic.trim() || q.question.trim())
            .map((q) => ({ topic: q.topic.trim(), question: blank(q.question) })),
          budget_timing: s.budget_timing,
          hot_lead_definition: blank(s.hot_lead_definition),
          escalation_triggers: [...s.triggers, ...splitLines(s.other_triggers)],
          objections: s.objections
            .filter((o) => o.objection.trim() || o.answer.trim())
            .map((o) => ({ objection: o.objection.trim(), answer: o.answer.trim() })),
        },
      };
    }
    case "guardrails": {
      const g = form.guardrails;
      return {
        guardrails: {
          forbidden_claims: splitLines(g.forbidden_claims),
          required_disclaimers: splitLines(g.required_disclaimers),
          language_restrictions: splitLines(g.language_restrictions),
          custom_rules: splitLines(g.custom_rules),
        },
      };
    }
    case "tone": {
      const t = form.tone;
      const words = Number(t.message_length);
      return {
        tone: {
          language: t.language,
          honorifics: t.honorifics,
          // Anything that is not a whole number goes as is, for the server to name the field.
          message_length: Number.isInteger(words) ? words : (t.message_length as unknown as number),
          questions_per_message: 1,
          emoji_policy: t.emoji_policy,
          formality: t.formality,
          persuasion: t.persuasion,
          examples: splitLines(t.examples),
        },
      };
    }
  }
}

/** Whether the form's section differs from what was saved (so leaving the step saves it). */
export function sectionChanged(
  form: WizardForm,
  saved: OnboardingAnswers,
  section: Section,
): boolean {
  const now = sectionBody(form, section)[section];
  const before = saved[section] ? sectionBody(formFromAnswers(saved), section)[section] : null;
  return JSON.stringify(now) !== JSON.stringify(before);
}

/**
 * Where a server field error belongs: `offer.products[2]` → the step `offer`, the input
 * `products`, "Line 3: …"; `sales.primary_ctas[0].link` → the input `primary_ctas.0.link`.
 */
export function placeError(
  path: string,
  message: string,
): { section: Section | null; field: string; message: string } {
  const [head, ...rest] = path.split(".");
  const section = (SECTIONS as readonly string[]).includes(head ?? "") ? (head as Section) : null;
  let field = rest.join(".");
  let text = message;
  const listed = /^(\w+)\[(\d+)\](?:\.(\w+))?$/.exec(field);
  if (listed) {
    const [, name, index, sub] = listed;
    if (sub) field = `${name}.${index}.${sub}`;
    else {
      field = name!;
      text = `Line ${Number(index) + 1}: ${message}`;
    }
  }
  return { section, field: field || (section ?? path), message: text };
}

/** Field errors of one section, keyed by input. */
export function sectionErrors(
  fields: Record<string, string>,
  section: Section,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(fields)) {
    const placed = placeError(path, message);
    if (placed.section === section && !out[placed.field]) out[placed.field] = placed.message;
  }
  return out;
}

/** What generation still needs, in the server's words and order (crates/agent onboarding). */
export function missingForGeneration(
  answers: OnboardingAnswers,
): { path: string; label: string; step: StepId }[] {
  const missing: { path: string; label: string; step: StepId }[] = [];
  const b = answers.business;
  if (!b?.name?.trim())
    missing.push({ path: "business.name", label: "Business name", step: "business" });
  if (!b?.website_url?.trim())
    missing.push({ path: "business.website_url", label: "Website", step: "business" });
  if (!b?.timezone?.trim())
    missing.push({ path: "business.timezone", label: "Timezone", step: "business" });
  if (!(answers.offer?.products ?? []).some((p) => p.trim()))
    missing.push({
      path: "offer.products",
      label: "At least one product or service",
      step: "offer",
    });
  if ((answers.sales?.primary_ctas ?? []).length === 0)
    missing.push({
      path: "sales.primary_ctas",
      label: "At least one call-to-action",
      step: "sales",
    });
  return missing;
}

/**
 * Whether a step has its ✓: its section is saved and none of the answers generation needs
 * from it is missing (a saved step with its required fields empty is not done).
 */
export function stepDone(answers: OnboardingAnswers, step: StepId): boolean {
  const section = stepOf(step).section;
  if (!section || answers[section] == null) return false;
  return !missingForGeneration(answers).some((m) => m.step === step);
}

/** Where a returning owner picks up: the first step with something missing, else review. */
export function resumeStep(answers: OnboardingAnswers): StepId {
  const missing = missingForGeneration(answers);
  if (missing.length > 0) return missing[0]!.step;
  for (const step of STEPS) if (step.section && !answers[step.section]) return step.id;
  return "review";
}

export interface CtaChange {
  /** null: create it. */
  id: string | null;
  body: CtaBody;
}

/**
 * The CTAs to create or update so that every chosen CTA with a link or phone exists, enabled,
 * in the chosen order. Others (and ones already right) are left alone.
 */
export function ctaChanges(
  chosen: readonly OnboardingCta[],
  existing: readonly Cta[],
  label: (type: CtaType) => string,
): CtaChange[] {
  const changes: CtaChange[] = [];
  chosen.forEach((cta, index) => {
    const link = cta.link?.trim() || null;
    const phone = cta.phone?.trim() || null;
    if (!link && !phone) return;
    const position = index + 1;
    const found = existing.find((e) => e.type === cta.type);
    if (!found) {
      changes.push({
        id: null,
        body: { type: cta.type, name: label(cta.type), link, phone, enabled: true, position },
      });
      return;
    }
    const same =
      (found.link ?? null) === link &&
      (found.phone ?? null) === phone &&
      found.enabled &&
      found.position === position;
    if (!same)
      changes.push({
        id: found.id,
        body: { type: found.type, name: found.name, link, phone, enabled: true, position },
      });
  });
  return changes;
}

const FIELD_LABELS: Record<string, string> = {
  "business.name": "Business name",
  "business.website_url": "Website",
  "business.timezone": "Timezone",
  "offer.products": "Products and services",
  "sales.primary_ctas": "Calls-to-action",
};

/** A server field path in the owner's words: "business.website_url" → "Website". */
export function fieldLabel(path: string): string {
  const known = FIELD_LABELS[path];
  if (known) return known;
  const { field } = placeError(path, "");
  const words = field
    .replace(/\.\d+\./g, " ")
    .replace(/[_.]/g, " ")
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
