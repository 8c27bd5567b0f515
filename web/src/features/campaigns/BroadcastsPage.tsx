import { Megaphone, Plus } from "lucide-react";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { Page } from "../../components/Page";
import { Badge } from "../../components/ui/Badge";
import { Button } from "../../components/ui/Button";
import { Card } from "../../components/ui/Card";
import { EmptyState, listState } from "../../components/ui/States";
import { Table, Td, Th } from "../../components/ui/Table";
import { canManage, formatDateTime, humanize } from "../../lib/format";
import { useSession } from "../auth";
import { useCampaigns } from "./api";
import { CampaignBuilder } from "./CampaignBuilder";
import { STATUS_TONE } from "./labels";

const percent = (n: number) => `${Math.round(n * 100)}%`;

/** Broadcasts: every campaign with its progress, and the builder for a new one. */
export function BroadcastsPage() {
  const { user } = useSession();
  const manager = canManage(user.role);
  const campaigns = useCampaigns();
  const navigate = useNavigate();
  const [building, setBuilding] = useState(false);
  const items = campaigns.data?.items ?? [];

  return (
    <Page
      title="Broadcasts"
      description="Send an approved template to a saved view or tags, paced to what Meta allows."
      actions={
        manager &&
        !building && (
          <Button onClick={() => setBuilding(true)}>
            <Plus className="size-4" aria-hidden="true" /> New broadcast
          </Button>
        )
      }
    >
      {building && (
        <CampaignBuilder
          onCancel={() => setBuilding(false)}
          onCreated={(c) => void navigate(`/broadcasts/${c.id}`)}
        />
      )}
      <Card>
        {listState(campaigns, items.length, {
          loading: "Loading broadcasts…",
          empty: (
            <EmptyState
              icon={Megaphone}
              title="No broadcasts yet"
              description="A broadcast sends one template to many leads, with a pre-flight first."
            />
          ),
        }) ?? (
          <Table label="Broadcasts">
            <thead>
              <tr>
                <Th>Name</Th>
                <Th>Status</Th>
                <Th className="text-right">Recipients</Th>
                <Th className="hidden text-right sm:table-cell">Delivered</Th>
                <Th className="hidden text-right sm:table-cell">Replied</Th>
                <Th className="hidden md:table-cell">Created</Th>
              </tr>
            </thead>
            <tbody className="divide-y divide-gray-100">
              {items.map((c) => (
                <tr key={c.id} className="hover:bg-gray-50">
                  <Td>
                    <Link
                      to={`/broadcasts/${c.id}`}
                      className="font-medium text-gray-900 hover:text-brand-700"
                    >
                      {c.name}
                    </Link>
                  </Td>
                  <Td>
                    <Badge tone={STATUS_TONE[c.status]}>{humanize(c.status)}</Badge>
                  </Td>
                  <Td className="text-right tabular-nums">{c.stats.recipients}</Td>
                  <Td className="hidden text-right tabular-nums sm:table-cell">
                    {percent(c.stats.rates.delivered)}
                  </Td>
                  <Td className="hidden text-right tabular-nums sm:table-cell">
                    {percent(c.stats.rates.replied)}
                  </Td>
                  <Td className="hidden text-gray-500 md:table-cell">
                    {formatDateTime(c.created_at)}
                  </Td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
    </Page>
  );
}
