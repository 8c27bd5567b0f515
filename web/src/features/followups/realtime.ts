// Follow-ups in realtime: a follow-up scheduled, sent, skipped or cancelled refreshes its
// conversation's list (the inbox side panel shows it). A lead's message, a takeover, a pause
// and a close cancel the pending one in the same transaction, so they refresh it too.
import { realtimeHandler } from "../../realtime/handlers";
import { FOLLOWUPS_KEY, followupsKey } from "./api";

export const followupsRealtime = realtimeHandler({
  feature: "followups",
  on: {
    "followup:updated": ({ data }, client) =>
      client.invalidateQueries({ queryKey: followupsKey(data.conversation_id) }),
    "message:received": ({ data }, client) =>
      client.invalidateQueries({ queryKey: followupsKey(data.conversation_id) }),
    "conversation:takeover_started": ({ data }, client) =>
      client.invalidateQueries({ queryKey: followupsKey(data.conversation_id) }),
    // Pausing or closing cancels the pending follow-up in the same transaction.
    "conversation:mode_changed": ({ data }, client) =>
      client.invalidateQueries({ queryKey: followupsKey(data.conversation_id) }),
  },
  resync: (client) => client.invalidateQueries({ queryKey: FOLLOWUPS_KEY }),
});
