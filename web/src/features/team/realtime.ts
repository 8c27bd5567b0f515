// The team in realtime: a member marked available or away changes the members list, and
// (when it is the signed-in member, perhaps on another device) their own switch.
import { realtimeHandler } from "../../realtime/handlers";
import { ME_KEY } from "../auth";
import { USERS_KEY } from "./keys";

export const teamRealtime = realtimeHandler({
  feature: "team",
  on: {
    "user:availability": (_event, client) =>
      Promise.all([
        client.invalidateQueries({ queryKey: USERS_KEY }),
        client.invalidateQueries({ queryKey: ME_KEY }),
      ]),
  },
  resync: (client) => client.invalidateQueries({ queryKey: USERS_KEY }),
});
