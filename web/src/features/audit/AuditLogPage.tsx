import { Lock, ScrollText } from "lucide-react";
import type { AuditEntry } from "../../api/models";
import { ListSection } from "../../components/ListSection";
import { SettingsHeader } from "../../components/SettingsHeader";
import { EmptyState } from "../../components/ui/States";
import { Table, Td, Th } from "../../components/ui/Table";
import { canManage, formatDateTime } from "../../lib/format";
import { useSession } from "../auth";
import { useAuditLog } from "./api";

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function valueText(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return ISO_DATE_TIME.test(value) ? formatDateTime(value) : value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object" && value !== null && "from" in value && "to" in value) {
    const change = value as { from: unknown; to: unknown };
    return `${valueText(change.from)} → ${valueText(change.to)}`;
  }
  return JSON.stringify(value);
}

/** Audit details as readable `key: value` pairs (`{"from", "to"}` shown as "a → b"). */
export function detailPairs(details: unknown): Array<[string, string]> {
  if (details === null || details === undefined || details === "") return [];
  if (typeof details !== "object" || Array.isArray(details)) return [["", valueText(details)]];
  return Object.entries(details as Record<string, unknown>).map(([key, value]) => [
    key,
    valueText(value),
  ]);
}

function Actor({ entry }: { entry: AuditEntry }) {
  if (!entry.actor) return <span className="text-gray-400">System</span>;
  return (
    <div className="min-w-0">
      <p className="font-medium whitespace-nowrap text-gray-900">{entry.actor.name}</p>
      <p className="text-xs whitespace-nowrap text-gray-500">{entry.actor.email}</p>
    </div>
  );
}

export function AuditLogPage() {
  const { user } = useSession();
  const allowed = canManage(user.role);
  const log = useAuditLog({ enabled: allowed });

  return (
    <>
      <SettingsHeader
        title="Audit log"
        description="Every change made by people in your organisation, newest first."
      />
      <ListSection
        list={log}
        unavailable={
          allowed ? undefined : (
            <EmptyState
              icon={Lock}
              title="Owners and admins only"
              description="Ask an owner or admin of your organisation if you need to see the audit log."
            />
          )
        }
        loading="Loading audit log…"
        empty={
          <EmptyState
            icon={ScrollText}
            title="No activity yet"
            description="Changes people make in your organisation will be listed here."
          />
        }
      >
        {(entries) => (
          <Table label="Audit log">
            <thead>
              <tr>
                <Th>When</Th>
                <Th>Who</Th>
                <Th>Action</Th>
                <Th>Details</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-gray-100 bg-white">
              {entries.map((entry) => {
                const pairs = detailPairs(entry.details);
                return (
                  <tr key={entry.id} className="align-top">
                    <Td className="whitespace-nowrap text-gray-500">{formatDateTime(entry.at)}</Td>
                    <Td>
                      <Actor entry={entry} />
                    </Td>
                    <Td>
                      <code className="rounded bg-gray-100 px-1.5 py-0.5 font-mono text-xs whitespace-nowrap text-gray-800">
                        {entry.action}
                      </code>
                      {entry.target && (
                        <p className="mt-1 font-mono text-xs break-all text-gray-500">
                          {entry.target}
                        </p>
                      )}
                    </Td>
                    <Td className="min-w-56">
                      {pairs.length === 0 ? (
                        <span className="text-gray-400">—</span>
                      ) : (
                        <dl className="space-y-0.5 text-xs">
                          {pairs.map(([key, value]) => (
                            <div key={key} className="flex gap-1.5">
                              {key && <dt className="shrink-0 text-gray-500">{key}:</dt>}
                              <dd className="break-all text-gray-800">{value}</dd>
                            </div>
                          ))}
                        </dl>
                      )}
                    </Td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
      </ListSection>
    </>
  );
}
