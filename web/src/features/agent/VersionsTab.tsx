import { History, RotateCcw } from "lucide-react";
import { useMemo, useState, type ReactNode } from "react";
import { ENGINE_MODE_LABELS, ENGINE_MODE_TONES } from "../../api/enums";
import type { AgentProfile, ProfileVersion } from "../../api/models";
import { ListSection } from "../../components/ListSection";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Card, CardHeader } from "../../components/ui/Card";
import { ConfirmDialog } from "../../components/ui/ConfirmDialog";
import { EmptyState, ErrorState, LoadingState } from "../../components/ui/States";
import { useToast } from "../../components/ui/Toast";
import { cn } from "../../lib/cn";
import { formatDateTime } from "../../lib/format";
import { useProfileVersion, useProfileVersions, useRollback } from "./api";
import { diffCounts, diffJson, hasChanges, type DiffRow } from "./diff";
import { DiffView } from "./DiffView";
import { DOCUMENT_KEYS, DOCUMENTS, isDocumentKey } from "./documents";

function documentLabel(name: string): string {
  if (name === "mode") return "Engine";
  return isDocumentKey(name) ? DOCUMENTS[name].label : name;
}

function VersionItem({
  item,
  current,
  selected,
  onSelect,
}: {
  item: ProfileVersion;
  current: boolean;
  selected: boolean;
  onSelect: () => void;
}) {
  return (
    <li>
      <button
        type="button"
        onClick={onSelect}
        aria-pressed={selected}
        aria-label={`Version ${item.version}`}
        data-testid="version-item"
        data-version={item.version}
        className={cn(
          "w-full px-4 py-3 text-left transition-colors",
          selected ? "bg-brand-50/70" : "hover:bg-gray-50",
        )}
      >
        <span className="flex items-center gap-2">
          <span className="text-sm font-semibold text-gray-900">Version {item.version}</span>
          {current && <Badge tone="green">Current</Badge>}
          <Badge tone={ENGINE_MODE_TONES[item.mode]}>{ENGINE_MODE_LABELS[item.mode]}</Badge>
        </span>
        <span className="mt-0.5 block text-xs text-gray-500">
          {item.updated_by?.name ?? "Closer"} · {formatDateTime(item.updated_at)}
        </span>
        {item.rolled_back_from != null && (
          <span className="mt-1 flex items-center gap-1 text-xs text-amber-800">
            <RotateCcw className="size-3" aria-hidden="true" />
            Rolled back to version {item.rolled_back_from}
          </span>
        )}
        <span className="mt-1.5 flex flex-wrap gap-1">
          {item.changed.length === 0 ? (
            <span className="text-xs text-gray-400">
              {item.version === 1 ? "First version" : "No document changed"}
            </span>
          ) : (
            item.changed.map((name) => (
              <span
                key={name}
                className="rounded bg-gray-100 px-1.5 py-0.5 text-[11px] font-medium text-gray-600"
              >
                {documentLabel(name)}
              </span>
            ))
          )}
        </span>
      </button>
    </li>
  );
}

interface DocumentDiff {
  key: string;
  label: string;
  rows: DiffRow[];
}

function Comparison({
  version,
  current,
  canRollback,
}: {
  version: number;
  current: AgentProfile;
  canRollback: boolean;
}) {
  const detail = useProfileVersion(version);
  const rollback = useRollback();
  const { toast } = useToast();
  const [confirm, setConfirm] = useState(false);

  const diffs = useMemo<DocumentDiff[]>(() => {
    const old = detail.data;
    if (!old) return [];
    return [
      { key: "mode", label: "Engine", rows: diffJson({ mode: old.mode }, { mode: current.mode }) },
      ...DOCUMENT_KEYS.map((key) => ({
        key,
        label: DOCUMENTS[key].label,
        rows: diffJson(old[key], current[key]),
      })),
    ];
  }, [detail.data, current]);

  const identical = detail.data !== undefined && diffs.every((d) => !hasChanges(d.rows));
  let body: ReactNode;
  if (detail.isPending) body = <LoadingState label={`Loading version ${version}…`} />;
  else if (detail.isError)
    body = <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />;
  else {
    const changed = diffs.filter((d) => hasChanges(d.rows));
    const same = diffs.filter((d) => !hasChanges(d.rows));
    body = (
      <div className="space-y-5 p-5">
        {version === current.version ? (
          <p className="text-sm text-gray-600">This is the current version.</p>
        ) : changed.length === 0 ? (
          <p className="text-sm text-gray-600" data-testid="no-differences">
            Version {version} is identical to the current version {current.version}.
          </p>
        ) : (
          changed.map((d) => {
            const { added, removed } = diffCounts(d.rows);
            return (
              <section key={d.key} aria-label={`${d.label} changes`} data-testid="document-diff">
                <h4 className="mb-1.5 flex items-center gap-2 text-sm font-medium text-gray-900">
                  {d.label}
                  <span className="text-xs font-normal text-brand-700">+{added}</span>
                  <span className="text-xs font-normal text-red-700">−{removed}</span>
                </h4>
                <DiffView rows={d.rows} label={`${d.label}: version ${version} to current`} />
              </section>
            );
          })
        )}
        {version !== current.version && same.length > 0 && changed.length > 0 && (
          <p className="text-xs text-gray-500">Unchanged: {same.map((d) => d.label).join(", ")}.</p>
        )}
      </div>
    );
  }

  return (
    <Card>
      <CardHeader
        title={
          version === current.version
            ? `Version ${version}`
            : `Version ${version} → current (version ${current.version})`
        }
        description={
          version === current.version
            ? undefined
            : `Lines marked − are in version ${version}; lines marked + are in the current version.`
        }
        actions={
          canRollback && version !== current.version && !identical ? (
            <Button
              variant="secondary"
              onClick={() => {
                rollback.reset();
                setConfirm(true);
              }}
              disabled={!detail.data}
            >
              <RotateCcw className="size-4" aria-hidden="true" />
              Roll back to this version
            </Button>
          ) : null
        }
      />
      {body}
      <ConfirmDialog
        open={confirm}
        onOpenChange={setConfirm}
        title={`Roll back to version ${version}?`}
        description={`The agent goes back to version ${version}'s engine and documents. This saves them as a new version (${current.version + 1}); the current version stays in the history.`}
        confirmLabel="Roll back"
        pending={rollback.isPending}
        error={rollback.error}
        onConfirm={() =>
          rollback.mutate(version, {
            onSuccess: (profile) => {
              setConfirm(false);
              toast({
                title: `Rolled back to version ${version}`,
                description: `Version ${profile.version} is now current.`,
              });
            },
          })
        }
      />
    </Card>
  );
}

/** Every saved version of the profile; pick one to compare with the current one or roll back. */
export function VersionsTab({
  profile,
  canRollback,
}: {
  profile: AgentProfile;
  canRollback: boolean;
}) {
  const versions = useProfileVersions();
  const [selected, setSelected] = useState<number | null>(null);

  const items = versions.data?.items ?? [];
  return (
    <div className="grid gap-6 lg:grid-cols-[18rem_minmax(0,1fr)]">
      <ListSection
        list={versions}
        items={items}
        className="self-start"
        title="History"
        description="Newest first."
        loading="Loading versions…"
        empty={
          <EmptyState
            icon={History}
            title="No versions yet"
            description="The agent uses the starter profile until you save; every save is a version."
          />
        }
      >
        {(rows) => (
          <ul className="divide-y divide-gray-100" aria-label="Versions">
            {rows.map((item) => (
              <VersionItem
                key={item.version}
                item={item}
                current={item.version === profile.version}
                selected={item.version === selected}
                onSelect={() => setSelected(item.version)}
              />
            ))}
          </ul>
        )}
      </ListSection>
      {selected === null ? (
        items.length > 0 && (
          <Card>
            <EmptyState
              icon={History}
              title="Pick a version"
              description={`Compare it with the current version (${profile.version}) and roll back to it if you need to.`}
            />
          </Card>
        )
      ) : (
        <Comparison version={selected} current={profile} canRollback={canRollback} />
      )}
    </div>
  );
}
