import { AlertTriangle, Bot, Cpu, FlaskConical, Save, Undo2 } from "lucide-react";
import { useMemo, useState, type ReactNode } from "react";
import { useSearchParams } from "react-router";
import { ApiError, errorMessage } from "../../api/errors";
import { ENGINE_MODE_LABELS, ENGINE_MODES } from "../../api/enums";
import type { AgentProfile, EngineMode, UpdateAgentProfileBody } from "../../api/models";
import { Button } from "../../components/ui/Button";
import { Card } from "../../components/ui/Card";
import { Field } from "../../components/ui/Field";
import { Textarea } from "../../components/ui/Input";
import { TabList, TabPanel } from "../../components/ui/Tabs";
import { cn } from "../../lib/cn";
import { useRunAgentTests, useSaveProfile } from "./api";
import {
  DOCUMENT_KEYS,
  DOCUMENTS,
  documentProblem,
  draftsOf,
  draftState,
  type DocumentKey,
  type Drafts,
} from "./documents";
import { DocumentForm } from "./forms/DocumentForm";

const MODE_LOOKS: Record<EngineMode, { description: string; icon: typeof Bot }> = {
  rules: {
    description: "The rule-based engine: instant, free and predictable. Needs no LLM.",
    icon: Bot,
  },
  llm: {
    description: "Your LLM provider writes the replies; the rules take over if it fails.",
    icon: Cpu,
  },
};

function ModeSwitch({
  value,
  onChange,
  disabled,
}: {
  value: EngineMode;
  onChange: (mode: EngineMode) => void;
  disabled: boolean;
}) {
  return (
    <div role="radiogroup" aria-label="Engine" className="grid gap-2 sm:grid-cols-2">
      {ENGINE_MODES.map((mode) => {
        const { description, icon: Icon } = MODE_LOOKS[mode];
        const label = ENGINE_MODE_LABELS[mode];
        const checked = value === mode;
        return (
          <button
            key={mode}
            type="button"
            role="radio"
            aria-checked={checked}
            aria-label={label}
            aria-describedby={`engine-${mode}-description`}
            disabled={disabled}
            onClick={() => onChange(mode)}
            className={cn(
              "flex items-start gap-3 rounded-md border px-3 py-2.5 text-left transition-colors disabled:cursor-not-allowed",
              checked
                ? "border-brand-500 bg-brand-50/60 ring-1 ring-brand-500"
                : "border-gray-200 hover:border-gray-300 hover:bg-gray-50",
            )}
          >
            <Icon
              className={cn("mt-0.5 size-4 shrink-0", checked ? "text-brand-600" : "text-gray-400")}
              aria-hidden="true"
            />
            <span>
              <span className="block text-sm font-medium text-gray-900">{label}</span>
              <span id={`engine-${mode}-description`} className="block text-xs text-gray-500">
                {description}
              </span>
            </span>
          </button>
        );
      })}
    </div>
  );
}

function rowsFor(text: string): number {
  return Math.min(28, Math.max(8, text.split("\n").length + 1));
}

/**
 * The mode switch and one JSON editor per document. Save sends only what changed; a document
 * that is not valid JSON blocks the save and says why under its editor.
 */
export function DocumentsTab({
  profile,
  readOnly,
  header,
}: {
  profile: AgentProfile;
  readOnly: boolean;
  header: ReactNode;
}) {
  const save = useSaveProfile();
  const runTests = useRunAgentTests();
  const [, setParams] = useSearchParams();
  const [drafts, setDrafts] = useState<Drafts>(() => draftsOf(profile));
  const [mode, setMode] = useState<EngineMode>(profile.mode);
  const [active, setActive] = useState<DocumentKey>("business_config");
  const [blocked, setBlocked] = useState(false);
  // The JSON view is for advanced edits; it stays open across documents once opened.
  const [showJson, setShowJson] = useState(false);
  // A new version (our save, a rollback, a teammate's save): start over from it.
  const [baseVersion, setBaseVersion] = useState(profile.version);
  if (profile.version !== baseVersion) {
    setBaseVersion(profile.version);
    setDrafts(draftsOf(profile));
    setMode(profile.mode);
    setBlocked(false);
  }

  const state = useMemo(() => draftState(drafts, profile), [drafts, profile]);
  const modeChanged = mode !== profile.mode;
  const changes = state.dirty.length + (modeChanged ? 1 : 0);
  const invalid = Object.keys(state.errors) as DocumentKey[];

  const problem =
    save.error instanceof ApiError && save.error.status === 422
      ? documentProblem(save.error.details, save.error.message)
      : null;

  const edit = (key: DocumentKey, text: string) => {
    setDrafts((current) => ({ ...current, [key]: text }));
    setBlocked(false);
    if (save.isError) save.reset();
  };

  const discard = () => {
    setDrafts(draftsOf(profile));
    setMode(profile.mode);
    setBlocked(false);
    save.reset();
  };

  const onSave = () => {
    if (invalid.length > 0) {
      setBlocked(true);
      setActive(invalid[0]!);
      return;
    }
    const body: UpdateAgentProfileBody = { ...state.body };
    if (modeChanged) body.mode = mode;
    if (Object.keys(body).length === 0) return;
    // Said in the save bar, next to the button, rather than in a toast that would cover it.
    save.mutate(body, {
      onError: (error) => {
        const p = error instanceof ApiError ? documentProblem(error.details, error.message) : null;
        if (p?.document) setActive(p.document);
      },
    });
  };

  /** Runs the agent tests against `profile` (a draft) or the saved profile, then shows them. */
  const testAgent = (profile?: UpdateAgentProfileBody) => {
    const showTests = () => setParams({ tab: "tests" }, { replace: true });
    // With no tests yet (422) the Tests tab offers suggested ones: go there all the same.
    runTests.mutate(profile ? { profile } : {}, { onSettled: showTests });
  };

  const testDraft = () => {
    if (invalid.length > 0) {
      setBlocked(true);
      setActive(invalid[0]!);
      return;
    }
    const body: UpdateAgentProfileBody = { ...state.body };
    if (modeChanged) body.mode = mode;
    testAgent(body);
  };

  const saveError = save.error
    ? problem
      ? `Not saved. ${problem.field}: ${problem.message}`
      : `Not saved. ${errorMessage(save.error)}`
    : null;

  return (
    <div className="space-y-6">
      <Card>
        <div className="flex flex-col gap-4 px-5 py-4">
          {header}
          <div>
            <p className="mb-2 text-sm font-medium text-gray-700">Engine</p>
            <ModeSwitch value={mode} onChange={setMode} disabled={readOnly} />
          </div>
        </div>
      </Card>

      <Card>
        <TabList
          label="Documents"
          idPrefix="agent-doc"
          value={active}
          onValueChange={(v) => setActive(v as DocumentKey)}
          className="px-3 pt-1"
          items={DOCUMENT_KEYS.map((key) => ({
            value: key,
            label: DOCUMENTS[key].label,
            adornment: state.errors[key] ? (
              <span role="img" aria-label="(invalid JSON)" className="inline-flex">
                <AlertTriangle className="size-3.5 text-red-600" aria-hidden="true" />
              </span>
            ) : state.dirty.includes(key) ? (
              <span
                role="img"
                aria-label="(unsaved)"
                className="size-1.5 rounded-full bg-amber-500"
              />
            ) : null,
          }))}
        />
        {DOCUMENT_KEYS.map((key) => {
          const jsonError = state.errors[key];
          const serverError =
            problem && problem.document === key
              ? `${problem.field}: ${problem.message}`
              : undefined;
          return (
            <TabPanel key={key} idPrefix="agent-doc" value={key} active={active === key}>
              <p className="px-5 pt-4 text-sm text-gray-500">{DOCUMENTS[key].description}</p>
              <div className="px-5 pt-4">
                <DocumentForm
                  document={key}
                  text={drafts[key]}
                  onChange={(text) => edit(key, text)}
                  readOnly={readOnly}
                  problem={problem}
                />
              </div>
              <details
                className="group mx-5 mt-5 mb-5 rounded-md border border-gray-200"
                open={showJson || Boolean(jsonError)}
                onToggle={(e) => setShowJson(e.currentTarget.open)}
              >
                <summary className="cursor-pointer px-3 py-2 text-sm font-medium text-gray-700 select-none">
                  JSON (advanced)
                </summary>
                <div className="border-t border-gray-200 p-3">
                  <Field
                    label={`${DOCUMENTS[key].label} (JSON)`}
                    error={jsonError ?? serverError}
                    hint={readOnly ? "Only owners and admins can change the agent." : undefined}
                  >
                    <Textarea
                      value={drafts[key]}
                      onChange={(e) => edit(key, e.target.value)}
                      readOnly={readOnly}
                      spellCheck={false}
                      rows={rowsFor(drafts[key])}
                      data-testid={`editor-${key}`}
                      className="font-mono text-xs leading-5"
                    />
                  </Field>
                </div>
              </details>
            </TabPanel>
          );
        })}
        {!readOnly && (
          <div className="flex flex-col gap-3 border-t border-gray-200 bg-gray-50/60 px-5 py-3 sm:flex-row sm:items-center sm:justify-between">
            <div className="min-w-0 text-sm" data-testid="save-state">
              {blocked && invalid.length > 0 ? (
                <p role="alert" className="text-red-700">
                  Nothing was saved: {invalid.map((k) => DOCUMENTS[k].label).join(", ")}{" "}
                  {invalid.length === 1 ? "is" : "are"} not valid JSON.
                </p>
              ) : saveError ? (
                <p role="alert" className="text-red-700">
                  {saveError}
                </p>
              ) : changes > 0 ? (
                <p className="text-gray-600">
                  Unsaved changes:{" "}
                  {[
                    ...(modeChanged ? ["engine"] : []),
                    ...state.dirty.map((k) => DOCUMENTS[k].label),
                  ].join(", ")}
                </p>
              ) : (
                <p className="text-gray-500">
                  {save.data && save.data.version === profile.version ? (
                    <>
                      Saved as version {save.data.version}. The agent uses it from its next reply.{" "}
                      <button
                        type="button"
                        className="font-medium text-brand-700 underline"
                        onClick={() => testAgent()}
                      >
                        Run the agent tests
                      </button>{" "}
                      to see what changed.
                    </>
                  ) : (
                    "All changes saved."
                  )}
                </p>
              )}
            </div>
            <div className="flex shrink-0 flex-wrap gap-2">
              <Button
                variant="secondary"
                onClick={testDraft}
                loading={runTests.isPending}
                disabled={changes === 0 || save.isPending}
              >
                {!runTests.isPending && <FlaskConical className="size-4" aria-hidden="true" />}
                Test this draft
              </Button>
              <Button
                variant="secondary"
                onClick={discard}
                disabled={changes === 0 || save.isPending}
              >
                <Undo2 className="size-4" aria-hidden="true" />
                Discard
              </Button>
              <Button onClick={onSave} loading={save.isPending} disabled={changes === 0}>
                {!save.isPending && <Save className="size-4" aria-hidden="true" />}
                Save changes
              </Button>
            </div>
          </div>
        )}
      </Card>
    </div>
  );
}
