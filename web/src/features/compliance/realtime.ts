// The opt-out list in realtime: a lead who wrote STOP (the agent's decision updates their
// conversation), a teammate's opt-out, opt-in or erasure (lead:updated), a bulk opt-out
// (leads:bulk) — each may change who is on the list.
import type { QueryClient } from "@tanstack/react-query";
import { realtimeHandler } from "../../realtime/handlers";
import { OPT_OUTS_KEY } from "./api";

const refresh = (client: QueryClient) => client.invalidateQueries({ queryKey: OPT_OUTS_KEY });

export const complianceRealtime = realtimeHandler({
  feature: "compliance",
  on: {
    "lead:updated": (_event, client) => refresh(client),
    "leads:bulk": (_event, client) => refresh(client),
    "conversation:updated": (_event, client) => refresh(client),
  },
  resync: refresh,
});
