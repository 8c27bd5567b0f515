import { Sparkles } from "lucide-react";
import { Link, useSearchParams } from "react-router";
import { ENGINE_MODE_LABELS, ENGINE_MODE_TONES } from "../../api/enums";
import type { AgentProfile } from "../../api/models";
import { SettingsHeader } from "../../components/SettingsHeader";
import { Alert } from "../../components/ui/Alert";
import { Badge } from "../../components/ui/Badge";
import { buttonClasses } from "../../components/ui/Button";
import { Card } from "../../components/ui/Card";
import { ErrorState, LoadingState } from "../../components/ui/States";
import { TabList, TabPanel } from "../../components/ui/Tabs";
import { canManage, formatDateTime } from "../../lib/format";
import { useSession } from "../auth";
import { useLlmSettings } from "../llm";
import { useAgentProfile } from "./api";
import { CtasTab } from "./CtasTab";
import { DocumentsTab } from "./DocumentsTab";
import { KnowledgeBase } from "./KnowledgeBase";
import { TestsTab } from "./TestsTab";
import { VersionsTab } from "./VersionsTab";

const TABS = [
  { value: "documents", label: "Documents" },
  { value: "versions", label: "Versions" },
  { value: "ctas", label: "Calls-to-action" },
  { value: "knowledge", label: "Knowledge base" },
  { value: "tests", label: "Tests" },
] as const;
type Tab = (typeof TABS)[number]["value"];

function isTab(value: string | null): value is Tab {
  return TABS.some((t) => t.value === value);
}

/** "Version 3 · saved by Sam Lee on 18 May 2026, 14:02", or the starter profile's line. */
export function VersionLine({ profile }: { profile: AgentProfile }) {
  const engine = (
    <Badge tone={ENGINE_MODE_TONES[profile.mode]}>{ENGINE_MODE_LABELS[profile.mode]} engine</Badge>
  );
  if (profile.version === 0)
    return (
      <p
        className="flex flex-wrap items-center gap-2 text-sm text-gray-600"
        data-testid="profile-version"
      >
        <span className="font-semibold text-gray-900">Starter profile</span>
        {engine}
        <span>Not saved yet: your first save becomes version 1.</span>
      </p>
    );
  return (
    <p
      className="flex flex-wrap items-center gap-2 text-sm text-gray-600"
      data-testid="profile-version"
    >
      <span className="font-semibold text-gray-900">Version {profile.version}</span>
      {engine}
      <span>
        saved by {profile.updated_by?.name ?? "Closer"}
        {profile.updated_at ? ` on ${formatDateTime(profile.updated_at)}` : ""}
      </span>
    </p>
  );
}

/**
 * The LLM engine needs a language model with a key; without one the rules engine answers.
 * Says so where the engine is chosen, so nobody wonders why decisions say "Rules".
 */
export function LlmModeNotice({ profile }: { profile: AgentProfile }) {
  const settings = useLlmSettings({ enabled: profile.mode === "llm" });
  if (profile.mode !== "llm" || !settings.data) return null;
  if (settings.data.configured && settings.data.has_api_key) return null;
  return (
    <Alert tone="info" title="No language model yet" className="mb-4">
      The LLM engine is selected, but no provider with an API key is set up, so the rules engine
      answers for now.{" "}
      <Link to="/settings/llm" className="font-medium underline">
        Set up the LLM provider
      </Link>
    </Alert>
  );
}

/** Settings → Agent: the profile's documents, its history, CTAs, the knowledge base and tests. */
export function AgentPage() {
  const { user } = useSession();
  const manager = canManage(user.role);
  const [params, setParams] = useSearchParams();
  const tabParam = params.get("tab");
  const tab: Tab = isTab(tabParam) ? tabParam : "documents";
  const profile = useAgentProfile();

  const setTab = (value: string) =>
    setParams(value === "documents" ? {} : { tab: value }, { replace: true });

  const needsProfile = tab === "documents" || tab === "versions";
  let profileBody = null;
  if (needsProfile && profile.isPending)
    profileBody = (
      <Card>
        <LoadingState label="Loading the agent profile…" />
      </Card>
    );
  else if (needsProfile && profile.isError)
    profileBody = (
      <Card>
        <ErrorState error={profile.error} onRetry={() => void profile.refetch()} />
      </Card>
    );

  return (
    <>
      <SettingsHeader
        title="Agent"
        description="How your AI agent sells: its engine, what it knows about your business, how it sounds, and what it must never do."
      />
      {manager && (
        <div className="-mt-2 mb-4 flex flex-wrap items-center gap-3 text-sm text-gray-600">
          <span>Rather answer questions than edit documents?</span>
          <Link to="/onboarding" className={buttonClasses("secondary", "sm")}>
            <Sparkles className="size-4" aria-hidden="true" />
            Setup wizard
          </Link>
        </div>
      )}
      <TabList
        label="Agent settings"
        idPrefix="agent"
        items={TABS}
        value={tab}
        onValueChange={setTab}
        className="mb-5"
      />
      {profileBody}
      {profile.data && <LlmModeNotice profile={profile.data} />}
      {profile.data && (
        <>
          {/* Kept mounted so unsaved edits survive a look at another tab. */}
          <TabPanel idPrefix="agent" value="documents" active={tab === "documents"}>
            <DocumentsTab
              profile={profile.data}
              readOnly={!manager}
              header={<VersionLine profile={profile.data} />}
            />
          </TabPanel>
          {tab === "versions" && (
            <TabPanel idPrefix="agent" value="versions" active>
              <Card className="mb-6 px-5 py-3">
                <VersionLine profile={profile.data} />
              </Card>
              <VersionsTab profile={profile.data} canRollback={manager} />
            </TabPanel>
          )}
        </>
      )}
      {tab === "ctas" && (
        <TabPanel idPrefix="agent" value="ctas" active>
          <CtasTab manager={manager} />
        </TabPanel>
      )}
      {tab === "knowledge" && (
        <TabPanel idPrefix="agent" value="knowledge" active>
          <KnowledgeBase />
        </TabPanel>
      )}
      {tab === "tests" && (
        <TabPanel idPrefix="agent" value="tests" active>
          <TestsTab manager={manager} />
        </TabPanel>
      )}
    </>
  );
}
