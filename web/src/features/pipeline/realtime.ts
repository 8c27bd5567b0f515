// The board's part in realtime: a card moved by a teammate or the agent, a lead created by its
// first message, edited, deleted or changed in bulk — each refreshes the columns (their cards,
// counts and value sums) and the stage history shown.
import type { QueryClient } from "@tanstack/react-query";
import { realtimeHandler } from "../../realtime/handlers";
import { PIPELINE_KEY } from "./api";

const refresh = (client: QueryClient) => client.invalidateQueries({ queryKey: PIPELINE_KEY });

export const pipelineRealtime = realtimeHandler({
  feature: "pipeline",
  on: {
    "pipeline:moved": (_event, client) => refresh(client),
    "lead:created": (_event, client) => refresh(client),
    "lead:updated": (_event, client) => refresh(client),
    "lead:deleted": (_event, client) => refresh(client),
    "leads:bulk": (_event, client) => refresh(client),
  },
  resync: refresh,
});
