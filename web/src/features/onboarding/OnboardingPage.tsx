import { ArrowLeft, ArrowRight, Check } from "lucide-react";
import { useRef, useState, type ComponentType, type ReactNode } from "react";
import { useSearchParams } from "react-router";
import { ApiError, errorMessage } from "../../api/errors";
import { useSession } from "../auth";
import { Page } from "../../components/Page";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { Card, CardHeader } from "../../components/ui/Card";
import { ErrorState, LoadingState } from "../../components/ui/States";
import { canManage } from "../../lib/format";
import { cn } from "../../lib/cn";
import type { OnboardingAnswers } from "../../api/models";
import { useOrg } from "../organisation";
import {
  formFromAnswers,
  isStepId,
  resumeStep,
  sectionBody,
  sectionChanged,
  sectionErrors,
  STEPS,
  stepDone,
  stepOf,
  type Section,
  type StepId,
  type WizardForm,
} from "./answers";
import { useKnowledgeCount, useOnboarding, useSaveAnswers, useSyncCtas } from "./api";
import { BusinessStep, CustomerStep, OfferStep, type StepProps } from "./BasicsSteps";
import { FaqStep } from "./FaqStep";
import { ReviewStep } from "./ReviewStep";
import { SalesStep } from "./SalesStep";
import { GuardrailsStep, ToneStep } from "./VoiceSteps";
import { WhatsAppStep } from "./WhatsAppStep";

/** The step asking each section's questions. */
const SECTION_STEPS: Record<Section, ComponentType<StepProps>> = {
  business: BusinessStep,
  offer: OfferStep,
  customer: CustomerStep,
  sales: SalesStep,
  guardrails: GuardrailsStep,
  tone: ToneStep,
};

/** Which answer a form input feeds, for clearing its error as the owner fixes it. */
const ANSWER_OF: Record<string, string> = {
  ctas: "primary_ctas",
  triggers: "escalation_triggers",
  other_triggers: "escalation_triggers",
};

/** The onboarding wizard: eight steps of questions, then the generated documents to review. */
export function OnboardingPage() {
  const onboarding = useOnboarding();
  const org = useOrg();

  let body: ReactNode;
  if (onboarding.isPending || org.isPending)
    body = (
      <Card>
        <LoadingState label="Loading your answers…" />
      </Card>
    );
  else if (onboarding.isError)
    body = (
      <Card>
        <ErrorState error={onboarding.error} onRetry={() => void onboarding.refetch()} />
      </Card>
    );
  // The organisation's details only prefill the first step: the wizard works without them.
  else body = <Wizard saved={onboarding.data.answers} org={org.data ?? {}} />;

  return (
    <Page
      title="Set up your agent"
      description="Tell Closer about your business and how you sell; it writes your agent's playbook from your answers. Everything saves as you go."
    >
      {body}
    </Page>
  );
}

function Wizard({
  saved,
  org,
}: {
  saved: OnboardingAnswers;
  org: Parameters<typeof formFromAnswers>[1];
}) {
  const { user } = useSession();
  const manager = canManage(user.role);
  const [params, setParams] = useSearchParams();
  const [firstStep] = useState<StepId>(() => resumeStep(saved));
  const param = params.get("step");
  const step: StepId = isStepId(param) ? param : firstStep;
  const [form, setForm] = useState<WizardForm>(() => formFromAnswers(saved, org));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const save = useSaveAnswers();
  const syncCtas = useSyncCtas();
  const faq = useKnowledgeCount();
  const current = stepOf(step);
  const index = STEPS.findIndex((s) => s.id === step);
  const busy = save.isPending || syncCtas.isPending;
  const top = useRef<HTMLDivElement>(null);

  const update: StepProps["update"] = (section, patch) => {
    setForm((f) => ({ ...f, [section]: { ...f[section], ...patch } }));
    const touched = Object.keys(patch).map((k) => ANSWER_OF[k] ?? k);
    setErrors((errs) =>
      Object.fromEntries(
        Object.entries(errs).filter(([key]) => !touched.includes(key.split(".")[0]!)),
      ),
    );
  };

  /** Saves the step being left (when it changed), then moves; stays put on a problem. */
  const goTo = async (target: StepId) => {
    if (target === step || busy) return;
    setProblem(null);
    const section: Section | null = current.section;
    if (manager && section) {
      let answers = saved;
      if (sectionChanged(form, saved, section)) {
        try {
          answers = (await save.mutateAsync(sectionBody(form, section))).answers;
        } catch (error) {
          const fields = error instanceof ApiError ? sectionErrors(error.fields, section) : {};
          setErrors(fields);
          setProblem(
            Object.keys(fields).length > 0
              ? "Some answers need a fix before you continue."
              : errorMessage(error),
          );
          return;
        }
        setForm((f) => ({ ...f, [section]: formFromAnswers(answers)[section] }));
      }
      if (section === "sales") {
        try {
          await syncCtas.mutateAsync(answers.sales?.primary_ctas ?? []);
        } catch (error) {
          setProblem(
            `Your answers are saved, but a call-to-action could not be set up: ${errorMessage(error)}`,
          );
          return;
        }
      }
    }
    setErrors({});
    setParams({ step: target });
    // The shell scrolls its own pane, not the window.
    top.current?.scrollIntoView?.({ block: "start" });
  };

  const done = (id: StepId): boolean => {
    const s = stepOf(id);
    if (s.section) return stepDone(saved, id);
    if (id === "faq") return (faq.data?.faq ?? 0) > 0;
    return false;
  };

  const stepProps: StepProps = { form, update, errors, disabled: !manager || busy };
  let content: ReactNode;
  switch (step) {
    case "faq":
      content = <FaqStep disabled={!manager} />;
      break;
    case "whatsapp":
      content = <WhatsAppStep />;
      break;
    case "review":
      content = <ReviewStep answers={saved} goTo={(s) => void goTo(s)} disabled={!manager} />;
      break;
    default: {
      const SectionStep = SECTION_STEPS[step];
      content = <SectionStep {...stepProps} />;
    }
  }

  const previous = STEPS[index - 1];
  const next = STEPS[index + 1];

  return (
    <div ref={top} className="grid scroll-mt-6 gap-6 lg:grid-cols-[15rem_1fr]">
      <nav aria-label="Setup steps">
        <ol className="flex gap-1 overflow-x-auto lg:flex-col">
          {STEPS.map((s, i) => {
            const active = s.id === step;
            const complete = done(s.id);
            return (
              <li key={s.id} className="shrink-0">
                <button
                  type="button"
                  onClick={() => void goTo(s.id)}
                  aria-current={active ? "step" : undefined}
                  disabled={busy}
                  className={cn(
                    "flex w-full items-center gap-3 rounded-md px-3 py-2 text-left text-sm transition-colors disabled:cursor-wait",
                    active
                      ? "bg-white font-medium text-gray-900 shadow-xs ring-1 ring-gray-200"
                      : "text-gray-600 hover:bg-white/70 hover:text-gray-900",
                  )}
                >
                  <span
                    className={cn(
                      "flex size-6 shrink-0 items-center justify-center rounded-full text-xs font-medium tabular-nums",
                      active
                        ? "bg-brand-600 text-white"
                        : complete
                          ? "bg-brand-50 text-brand-700"
                          : "bg-gray-100 text-gray-500",
                    )}
                  >
                    {complete && !active ? <Check className="size-3.5" aria-label="done" /> : i + 1}
                  </span>
                  <span className="whitespace-nowrap">{s.title}</span>
                </button>
              </li>
            );
          })}
        </ol>
      </nav>
      <Card className="min-w-0">
        <CardHeader
          id="onboarding-step-title"
          title={current.title}
          description={current.description}
          actions={
            <span className="text-xs text-gray-500 tabular-nums">
              Step {index + 1} of {STEPS.length}
            </span>
          }
        />
        <section aria-labelledby="onboarding-step-title" className="space-y-5 p-5">
          {!manager && (
            <Alert tone="info">
              Only owners and admins can set up the agent. You can look through the answers.
            </Alert>
          )}
          {problem && <Alert>{problem}</Alert>}
          {content}
        </section>
        {step !== "review" && (
          <div className="flex items-center justify-between gap-3 border-t border-gray-200 bg-gray-50/60 px-5 py-3">
            {previous ? (
              <Button variant="secondary" onClick={() => void goTo(previous.id)} disabled={busy}>
                <ArrowLeft className="size-4" aria-hidden="true" />
                Back
              </Button>
            ) : (
              <span />
            )}
            <div className="flex items-center gap-3">
              <span className="hidden text-xs text-gray-500 sm:inline" aria-live="polite">
                {busy ? "Saving…" : manager && current.section ? "Saved when you continue" : ""}
              </span>
              {next && (
                <Button onClick={() => void goTo(next.id)} loading={busy}>
                  {next.id === "review" ? "Continue to review" : "Continue"}
                  {!busy && <ArrowRight className="size-4" aria-hidden="true" />}
                </Button>
              )}
            </div>
          </div>
        )}
        {step === "review" && previous && (
          <div className="border-t border-gray-200 bg-gray-50/60 px-5 py-3">
            <Button variant="secondary" onClick={() => void goTo(previous.id)} disabled={busy}>
              <ArrowLeft className="size-4" aria-hidden="true" />
              Back
            </Button>
          </div>
        )}
      </Card>
    </div>
  );
}
