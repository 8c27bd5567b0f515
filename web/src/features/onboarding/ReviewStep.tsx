import { AlertTriangle, Rocket, Sparkles } from "lucide-react";
import { useState } from "react";
import { useNavigate } from "react-router";
import { ApiError, errorMessage } from "../../api/errors";
import type { GeneratedProfile, OnboardingAnswers } from "../../api/models";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { TabList, TabPanel } from "../../components/ui/Tabs";
import { useToast } from "../../components/ui/Toast";
import {
  DOCUMENT_KEYS,
  DOCUMENTS,
  prettyJson,
  useAgentProfile,
  useSaveProfile,
  useStartScan,
  type DocumentKey,
} from "../agent";
import { fieldLabel, missingForGeneration, placeError, stepOf, type StepId } from "./answers";
import { settledScan, useFileKnowledge, useGenerate, useKnowledgeCount } from "./api";
import { WhatWentWhere } from "./WhatWentWhere";

function stepForPath(path: string): StepId {
  const section = placeError(path, "").section;
  return section ?? "business";
}

/** A list of what is missing, each with a way back to its step. */
function Missing({
  items,
  goTo,
}: {
  items: { path: string; label: string; step: StepId }[];
  goTo: (step: StepId) => void;
}) {
  return (
    <ul className="mt-2 space-y-1" data-testid="missing-answers">
      {items.map((item) => (
        <li key={item.path} className="flex flex-wrap items-center gap-2">
          <span>{item.label}</span>
          <button
            type="button"
            className="font-medium underline underline-offset-2"
            onClick={() => goTo(item.step)}
          >
            {stepOf(item.step).title}
          </button>
        </li>
      ))}
    </ul>
  );
}

function formatUsd(value: number): string {
  if (value === 0) return "$0";
  return value < 0.01 ? `$${value.toFixed(4)}` : `$${value.toFixed(2)}`;
}

function Documents({ generated }: { generated: GeneratedProfile }) {
  const [tab, setTab] = useState<DocumentKey>("business_config");
  return (
    <div>
      <TabList
        label="Generated documents"
        idPrefix="generated"
        items={DOCUMENT_KEYS.map((k) => ({ value: k, label: DOCUMENTS[k].label }))}
        value={tab}
        onValueChange={(v) => setTab(v as DocumentKey)}
        size="sm"
      />
      {DOCUMENT_KEYS.map((key) => (
        <TabPanel key={key} idPrefix="generated" value={key} active={tab === key}>
          <p className="mt-3 text-sm text-gray-500">{DOCUMENTS[key].description}</p>
          <pre
            className="mt-3 max-h-96 overflow-auto rounded-md border border-gray-200 bg-gray-50 p-3 font-mono text-xs leading-5 break-words whitespace-pre-wrap text-gray-800"
            data-testid={`generated-${key}`}
          >
            {prettyJson(generated.documents[key])}
          </pre>
        </TabPanel>
      ))}
    </div>
  );
}

/** Generate → review the five documents → save them as the agent's profile. */
export function ReviewStep({
  answers,
  goTo,
  disabled,
}: {
  answers: OnboardingAnswers;
  goTo: (step: StepId) => void;
  disabled: boolean;
}) {
  const generate = useGenerate();
  const start = useSaveProfile();
  const scan = useStartScan();
  const profile = useAgentProfile();
  const faq = useKnowledgeCount();
  const navigate = useNavigate();
  const { toast } = useToast();
  const missing = missingForGeneration(answers);
  const generated = generate.data;

  const serverMissing =
    generate.error instanceof ApiError && generate.error.code === "onboarding_incomplete"
      ? Object.entries(generate.error.fields).map(([path, message]) => ({
          path,
          label: `${fieldLabel(path)}: ${message}`,
          step: stepForPath(path),
        }))
      : [];

  const fileKnowledge = useFileKnowledge();

  /** Reads the website into the knowledge base; says why when it cannot. */
  const startScan = async (website: string): Promise<string> => {
    try {
      const started = await scan.mutateAsync(website);
      const now = await settledScan(started.id);
      if (now.status === "failed")
        return `Your website could not be read${now.error ? `: ${now.error}` : "."}`;
      return now.status === "done"
        ? `Your website was read into the knowledge base (${now.chunks_stored} entries).`
        : "Your website is being read into the knowledge base.";
    } catch (error) {
      return `Your website could not be read: ${errorMessage(error)}`;
    }
  };

  const onStart = () => {
    if (!generated) return;
    // Saved as the agent's next profile version.
    start.mutate(
      { ...generated.documents, mode: generated.mode },
      {
        onSuccess: async (saved) => {
          // The facts the documents only summarise are filed whole in the knowledge base.
          let filed: string;
          try {
            const k = await fileKnowledge.mutateAsync();
            filed = ` ${k.created} ${k.created === 1 ? "fact" : "facts"} from your answers are in the knowledge base.`;
          } catch (error) {
            filed = ` Your answers' facts could not be filed in the knowledge base: ${errorMessage(error)}`;
          }
          // The website feeds the knowledge base: read it now (seeds/001 §3, website auto-scan).
          const website = answers.business?.website_url?.trim();
          const scanned = website ? ` ${await startScan(website)}` : "";
          toast({
            title: "Your agent is set up",
            description: `Saved as version ${saved.version}.${filed}${scanned}`,
          });
          void navigate("/settings/agent?tab=knowledge");
        },
      },
    );
  };

  return (
    <div className="space-y-5">
      {missing.length > 0 && (
        <Alert tone="info" title="A few answers are still needed">
          <Missing items={missing} goTo={goTo} />
        </Alert>
      )}
      {faq.data && faq.data.faq === 0 && (
        <Alert tone="info" title="No FAQ yet">
          The agent answers questions best from your own FAQ.{" "}
          <button type="button" className="font-medium underline" onClick={() => goTo("faq")}>
            Add it
          </button>
        </Alert>
      )}
      {serverMissing.length > 0 ? (
        <Alert title={errorMessage(generate.error)}>
          <Missing items={serverMissing} goTo={goTo} />
        </Alert>
      ) : generate.error ? (
        <Alert>{errorMessage(generate.error)}</Alert>
      ) : null}

      {!generated ? (
        <div className="flex flex-col items-center rounded-md border border-dashed border-gray-300 px-6 py-10 text-center">
          <span className="flex size-10 items-center justify-center rounded-full bg-brand-50 text-brand-600">
            <Sparkles className="size-5" aria-hidden="true" />
          </span>
          <p className="mt-3 text-sm font-medium text-gray-900">Write your agent's documents</p>
          <p className="mt-1 max-w-md text-sm text-gray-500">
            Your answers become the five documents the agent works from: business facts, sales
            rules, tone, guardrails and scripts. Nothing changes until you save them.
          </p>
          <Button
            className="mt-4"
            onClick={() => generate.mutate()}
            loading={generate.isPending}
            disabled={disabled}
          >
            {generate.isPending ? "Writing…" : "Generate documents"}
          </Button>
        </div>
      ) : (
        <div className="space-y-4">
          <div
            className="flex flex-wrap items-center gap-2 text-sm text-gray-600"
            data-testid="generated-summary"
          >
            {generated.engine === "llm" ? (
              <Badge tone="violet">Written by your language model</Badge>
            ) : (
              <Badge tone="gray">Written by rules</Badge>
            )}
            <span>
              {generated.context_tokens.toLocaleString()} of{" "}
              {generated.context_limit.toLocaleString()} context tokens
            </span>
            {generated.input_tokens + generated.output_tokens > 0 && (
              <span>
                · {(generated.input_tokens + generated.output_tokens).toLocaleString()} model tokens
                · {formatUsd(generated.cost_usd)}
              </span>
            )}
            <Button
              variant="ghost"
              size="sm"
              className="ml-auto"
              onClick={() => generate.mutate()}
              loading={generate.isPending}
              disabled={disabled}
            >
              Generate again
            </Button>
          </div>
          {generated.warning && (
            <div
              className="flex gap-3 rounded-md border border-amber-200 bg-amber-50 px-3 py-2.5 text-sm text-amber-900"
              role="status"
              data-testid="generated-warning"
            >
              <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
              <p>{generated.warning}</p>
            </div>
          )}
          <WhatWentWhere generated={generated} />
          <Documents generated={generated} />
          {start.error ? <Alert>{errorMessage(start.error)}</Alert> : null}
          <div className="flex flex-col gap-3 border-t border-gray-200 pt-4 sm:flex-row sm:items-center sm:justify-between">
            <p className="text-sm text-gray-500">
              {profile.data && profile.data.version > 0
                ? `Saves as version ${profile.data.version + 1} of your agent's profile; you can roll back in Settings → Agent.`
                : "Saves as version 1 of your agent's profile. You can edit every document later in Settings → Agent."}
            </p>
            <Button
              onClick={onStart}
              loading={start.isPending || fileKnowledge.isPending || scan.isPending}
              disabled={disabled}
            >
              {!start.isPending && <Rocket className="size-4" aria-hidden="true" />}
              Save and start the agent
            </Button>
          </div>
        </div>
      )}
    </div>
  );
}
