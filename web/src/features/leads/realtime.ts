// The leads' part in realtime: the list, the lead pages and the tag counts stay live while a
// first message creates a lead, a teammate edits one, the agent moves one on the board or a
// bulk change or import touches many. Events carry ids; invalidating refetches what is shown.
import type { QueryClient } from "@tanstack/react-query";
import { realtimeHandler } from "../../realtime/handlers";
import { LEADS_KEY, TAGS_KEY, leadKey, leadListsKey } from "./api";

function lead(client: QueryClient, id: string): Promise<unknown> {
  return Promise.all([
    client.invalidateQueries({ queryKey: leadListsKey }),
    client.invalidateQueries({ queryKey: leadKey(id) }),
  ]);
}

export const leadsRealtime = realtimeHandler({
  feature: "leads",
  on: {
    "lead:created": (_event, client) => client.invalidateQueries({ queryKey: leadListsKey }),
    "lead:updated": ({ data }, client) => lead(client, data.lead_id),
    "lead:deleted": ({ data }, client) => lead(client, data.lead_id),
    // The list shows each lead's stage; the lead's page shows its history.
    "pipeline:moved": ({ data }, client) => lead(client, data.lead_id),
    "leads:bulk": (_event, client) =>
      Promise.all([
        client.invalidateQueries({ queryKey: LEADS_KEY }),
        client.invalidateQueries({ queryKey: TAGS_KEY }),
      ]),
  },
  resync: (client) =>
    Promise.all([
      client.invalidateQueries({ queryKey: LEADS_KEY }),
      client.invalidateQueries({ queryKey: TAGS_KEY }),
    ]),
});
