// Notifications in realtime: the member's bell recounts when they got one or read some on
// another device. Events name the member; other members' dashboards ignore them.
import type { Me } from "../../api/models";
import { realtimeHandler } from "../../realtime/handlers";
import { ME_KEY } from "../auth";
import { NOTIFICATION_LIST_KEY, NOTIFICATIONS_KEY } from "./keys";

function mine(userId: string, me: Me | undefined): boolean {
  return !me || me.user.id === userId;
}

export const notificationsRealtime = realtimeHandler({
  feature: "notifications",
  on: {
    "notification:created": (event, client) =>
      mine(event.data.user_id, client.getQueryData<Me>(ME_KEY)) &&
      client.invalidateQueries({ queryKey: NOTIFICATION_LIST_KEY }),
    "notification:read": (event, client) =>
      mine(event.data.user_id, client.getQueryData<Me>(ME_KEY)) &&
      client.invalidateQueries({ queryKey: NOTIFICATION_LIST_KEY }),
  },
  resync: (client) => client.invalidateQueries({ queryKey: NOTIFICATIONS_KEY }),
});
