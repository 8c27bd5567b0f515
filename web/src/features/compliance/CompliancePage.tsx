import { Search, ShieldCheck } from "lucide-react";
import { useState } from "react";
import { Link } from "react-router";
import { SettingsHeader } from "../../components/SettingsHeader";
import { ListSection } from "../../components/ListSection";
import { Badge } from "../../components/ui/Badge";
import { Card, CardHeader } from "../../components/ui/Card";
import { Input } from "../../components/ui/Input";
import { Select } from "../../components/ui/Select";
import { EmptyState } from "../../components/ui/States";
import { Table, Td, Th } from "../../components/ui/Table";
import { formatDateTime } from "../../lib/format";
import { useDebounced } from "../../lib/useDebounced";
import { useOptOuts, type OptOutEntry, type OptOutQuery, type OptOutSource } from "./api";
import { SOURCE_LABELS, SOURCES } from "./compliance";

const ANY = "any";

/** Settings → Compliance: the opt-out list, and how erasure works. */
export function CompliancePage() {
  const [text, setText] = useState("");
  const q = useDebounced(text.trim(), 300);
  const [source, setSource] = useState<OptOutSource | typeof ANY>(ANY);
  const query: OptOutQuery = {
    ...(q ? { q } : {}),
    ...(source !== ANY ? { source } : {}),
  };
  const list = useOptOuts(query);
  const filtered = Boolean(q) || source !== ANY;
  return (
    <>
      <SettingsHeader
        title="Compliance"
        description="Who may not be messaged, and how they got on the list. A number stays on the list, kept only as a keyed hash, even after its lead is erased or deleted: if it writes again or is imported again, it comes back opted out until the person opts in."
      />
      <div className="space-y-6">
        <ListSection
          list={list}
          title="Opt-out list"
          description="Newest first. Nobody — the agent, a follow-up or a person — can message these leads."
          loading="Loading the opt-out list…"
          actions={
            <div className="flex w-full flex-col gap-2 sm:w-auto sm:flex-row">
              <div className="relative sm:w-64">
                <Search className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-gray-400" />
                <Input
                  aria-label="Search the opt-out list"
                  placeholder="Name, phone or reason"
                  className="pl-8"
                  value={text}
                  onChange={(e) => setText(e.target.value)}
                />
              </div>
              <Select
                aria-label="How they opted out"
                value={source}
                onValueChange={setSource}
                options={[
                  { value: ANY, label: "Any way" },
                  ...SOURCES.map((s) => ({ value: s, label: SOURCE_LABELS[s] })),
                ]}
              />
            </div>
          }
          empty={
            <EmptyState
              icon={ShieldCheck}
              title={filtered ? "Nobody on the list matches" : "Nobody has opted out"}
              description={
                filtered
                  ? "Try another name, a whole phone number, or any way."
                  : "Leads who write STOP, tap a stop button, or whom a member opts out appear here."
              }
            />
          }
        >
          {(items) => (
            <>
              <div className="hidden md:block">
                <Table label="Opt-out list">
                  <thead>
                    <tr>
                      <Th>Lead</Th>
                      <Th>Phone</Th>
                      <Th>Opted out</Th>
                      <Th>How</Th>
                      <Th>By</Th>
                      <Th>Reason</Th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-gray-100">
                    {items.map((e) => (
                      <tr key={`${e.lead_id}-${e.at}`} className="align-top">
                        <Td className="font-medium text-gray-900">
                          <Who entry={e} />
                        </Td>
                        <Td className="whitespace-nowrap tabular-nums">
                          <Phone entry={e} />
                        </Td>
                        <Td className="whitespace-nowrap text-gray-500">{formatDateTime(e.at)}</Td>
                        <Td>
                          <Badge tone={e.source === "erasure" ? "violet" : "red"}>
                            {SOURCE_LABELS[e.source]}
                          </Badge>
                        </Td>
                        <Td className="whitespace-nowrap">{byWhom(e)}</Td>
                        <Td className="max-w-72 break-words text-gray-700">{e.reason ?? "—"}</Td>
                      </tr>
                    ))}
                  </tbody>
                </Table>
              </div>
              <ul className="divide-y divide-gray-100 md:hidden" aria-label="Opt-out list">
                {items.map((e) => (
                  <li key={`${e.lead_id}-${e.at}`} className="space-y-1.5 px-4 py-3">
                    <div className="flex items-center justify-between gap-2">
                      <span className="truncate font-medium text-gray-900">
                        <Who entry={e} />
                      </span>
                      <Badge tone={e.source === "erasure" ? "violet" : "red"}>
                        {SOURCE_LABELS[e.source]}
                      </Badge>
                    </div>
                    <div className="flex flex-wrap gap-x-3 gap-y-1 text-sm text-gray-500">
                      <span className="tabular-nums">
                        <Phone entry={e} />
                      </span>
                      <span>{formatDateTime(e.at)}</span>
                      <span>{byWhom(e)}</span>
                    </div>
                    {e.reason && <p className="text-sm break-words text-gray-700">{e.reason}</p>}
                  </li>
                ))}
              </ul>
            </>
          )}
        </ListSection>
        <Card>
          <CardHeader title="Erasing a lead's personal data" />
          <div className="space-y-2 p-5 text-sm text-gray-600">
            <p>
              When someone asks you to forget them, an owner or admin opens their lead and chooses{" "}
              <strong className="font-medium text-gray-900">Erase personal data</strong>. Their
              name, phone, email, profile, custom fields and notes are removed, and inside the
              conversation those words become [redacted]. Message counts, the pipeline history and
              costs stay, so your reports still add up.
            </p>
            <p>
              The erasure is recorded in the audit log (who erased which lead, nothing more), and
              the number stays on this list so the person is never contacted again by mistake.{" "}
              <Link to="/leads" className="text-brand-700 underline">
                Find a lead
              </Link>
            </p>
          </div>
        </Card>
      </div>
    </>
  );
}

function Who({ entry }: { entry: OptOutEntry }) {
  const label = entry.erased_at
    ? "Erased lead"
    : !entry.lead_id
      ? "Deleted lead"
      : entry.name || entry.phone || "Unnamed lead";
  if (!entry.lead_id) return <span className="text-gray-500 italic">{label}</span>;
  return (
    <Link
      to={`/leads/${entry.lead_id}`}
      className={entry.erased_at ? "text-gray-500 italic hover:underline" : "hover:underline"}
    >
      {label}
    </Link>
  );
}

function Phone({ entry }: { entry: OptOutEntry }) {
  if (entry.phone) return <>{entry.phone}</>;
  if (entry.erased_at || !entry.lead_id)
    return <span className="text-gray-400">Kept as a hash</span>;
  return <span className="text-gray-400">—</span>;
}

function byWhom(e: OptOutEntry): string {
  if (e.by) return e.by.name;
  if (e.source === "keyword" || e.source === "button") return "The lead";
  return "—";
}
