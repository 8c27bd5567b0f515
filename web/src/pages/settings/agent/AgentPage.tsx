import { useSearchParams } from "react-router";
import type { AgentProfile } from "../../../api/models";
import { useSession } from "../../../auth/session";
import { Badge } from "../../../components/ui/Badge";
import { Card } from "../../../components/ui/Card";
import { ErrorState, LoadingState } from "../../../components/ui/States";
import { TabList, TabPanel } from "../../../components/ui/Tabs";
import { canManage, formatDateTime } from "../../../lib/format";
import { SettingsHeader } from "../SettingsLayout";
import { useAgentProfile } from "./api";
import { CtasTab } from "./CtasTab";
import { DocumentsTab } from "./DocumentsTab";
import { KnowledgeBase } from "./KnowledgeTab";
import { VersionsTab } from "./VersionsTab";

const TABS = [
  { value: "documents", label: "Documents" },
  { value: "versions", label: "Versions" },
  { value: "ctas", label: "Calls-to-action" },
  { value: "knowledge", label: "Knowledge base" },
] as const;
type Tab = (typeof TABS)[number]["value"];

function isTab(value: string | null): value is Tab {
  return TABS.some((t) => t.value === value);
}

/** "Version 3 · saved by Sam Lee on 18 May 2026, 14:02", or the starter profile's line. */
export function VersionLine({ profile }: { profile: AgentProfile }) {
  const engine = (
    <Badge tone={profile.mode === "llm" ? "violet" : "gray"}>
      {profile.mode === "llm" ? "LLM engine" : "Rules engine"}
    </Badge>
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

/** Settings → Agent: the profile's documents, its history, CTAs and the knowledge base. */
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
      <TabList
        label="Agent settings"
        idPrefix="agent"
        items={TABS}
        value={tab}
        onValueChange={setTab}
        className="mb-5"
      />
      {profileBody}
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
    </>
  );
}
