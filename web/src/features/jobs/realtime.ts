// The jobs' part in realtime. No event is about a job, but while the socket was down the jobs
// shown may have run, failed or been retried: a resync refetches them.
import { realtimeHandler } from "../../realtime/handlers";
import { JOBS_KEY } from "./keys";

export const jobsRealtime = realtimeHandler({
  feature: "jobs",
  on: {},
  resync: (client) => client.invalidateQueries({ queryKey: JOBS_KEY }),
});
