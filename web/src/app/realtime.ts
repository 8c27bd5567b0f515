// Every feature's realtime handler, in one registry. Each event type must be handled by some
// feature or listed in `ignored`: an event type the server adds breaks the build here until one
// of them says what to do with it. A `resync` (and every reconnect) calls every handler's
// `resync`, so each feature listed refetches what it shows.
import { complianceRealtime } from "../features/compliance";
import { actionsRealtime } from "../features/actions";
import { calendarRealtime } from "../features/calendar";
import { campaignsRealtime } from "../features/campaigns";
import { followupsRealtime } from "../features/followups";
import { inboxRealtime } from "../features/inbox";
import { jobsRealtime } from "../features/jobs";
import { leadsRealtime } from "../features/leads";
import { notificationsRealtime } from "../features/notifications";
import { pipelineRealtime } from "../features/pipeline";
import { sequencesRealtime } from "../features/sequences";
import { teamRealtime } from "../features/team";
import { realtimeRegistry } from "../realtime/handlers";

export const REALTIME_HANDLERS = realtimeRegistry({
  handlers: [
    inboxRealtime,
    jobsRealtime,
    followupsRealtime,
    leadsRealtime,
    pipelineRealtime,
    complianceRealtime,
    actionsRealtime,
    calendarRealtime,
    notificationsRealtime,
    campaignsRealtime,
    sequencesRealtime,
    teamRealtime,
  ],
  ignored: [],
});
