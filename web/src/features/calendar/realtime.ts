// The calendar's part in realtime: a booking made or changed (by the agent or a teammate)
// refetches what the page shows.
import { realtimeHandler } from "../../realtime/handlers";
import { CALENDAR_KEY } from "./keys";

export const calendarRealtime = realtimeHandler({
  feature: "calendar",
  on: {
    "calendar:created": (_event, client) => client.invalidateQueries({ queryKey: CALENDAR_KEY }),
    "calendar:updated": (_event, client) => client.invalidateQueries({ queryKey: CALENDAR_KEY }),
  },
  resync: (client) => client.invalidateQueries({ queryKey: CALENDAR_KEY }),
});
