// Sequences in realtime: a sequence created, changed or deleted refreshes the list (and its
// counts); an enrolment that started, moved a step, completed or stopped refreshes its
// sequence's enrolments and the counts.
import { realtimeHandler } from "../../realtime/handlers";
import { SEQUENCES_KEY, enrollmentsKey } from "./api";

export const sequencesRealtime = realtimeHandler({
  feature: "sequences",
  on: {
    "sequence:updated": (_, client) => client.invalidateQueries({ queryKey: SEQUENCES_KEY }),
    "sequence:enrollment_updated": ({ data }, client) => {
      void client.invalidateQueries({ queryKey: enrollmentsKey(data.sequence_id) });
      void client.invalidateQueries({ queryKey: SEQUENCES_KEY, exact: true });
    },
  },
  resync: (client) => client.invalidateQueries({ queryKey: SEQUENCES_KEY }),
});
