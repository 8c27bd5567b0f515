// Campaigns in realtime: a status change (`campaign:updated`) refreshes the list and the
// campaign; progress (`campaign:progress`, at most once a second) refreshes the campaign's
// stats and recipients.
import { realtimeHandler } from "../../realtime/handlers";
import { CAMPAIGNS_KEY, campaignKey, recipientsKey } from "./api";

export const campaignsRealtime = realtimeHandler({
  feature: "campaigns",
  on: {
    "campaign:updated": ({ data }, client) => {
      void client.invalidateQueries({ queryKey: [...CAMPAIGNS_KEY, "list"] });
      return client.invalidateQueries({ queryKey: campaignKey(data.campaign.id) });
    },
    "campaign:progress": ({ data }, client) => {
      void client.invalidateQueries({ queryKey: recipientsKey(data.campaign_id) });
      return client.invalidateQueries({ queryKey: campaignKey(data.campaign_id) });
    },
  },
  resync: (client) => client.invalidateQueries({ queryKey: CAMPAIGNS_KEY }),
});
