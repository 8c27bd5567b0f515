// The action center's part in realtime: an item opened or changed refetches the queue and the
// sidebar's count. Handovers and accepted CTAs are heard as `action:created` too.
import { realtimeHandler } from "../../realtime/handlers";
import { ACTIONS_KEY } from "./keys";

export const actionsRealtime = realtimeHandler({
  feature: "actions",
  on: {
    "action:created": (_event, client) => client.invalidateQueries({ queryKey: ACTIONS_KEY }),
    "action:updated": (_event, client) => client.invalidateQueries({ queryKey: ACTIONS_KEY }),
  },
  resync: (client) => client.invalidateQueries({ queryKey: ACTIONS_KEY }),
});
