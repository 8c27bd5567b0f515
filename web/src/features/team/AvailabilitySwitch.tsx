import { useId } from "react";
import { errorMessage } from "../../api/errors";
import { Switch } from "../../components/ui/Switch";
import { useToast } from "../../components/ui/Toast";
import { useSession } from "../auth";
import { useSetAvailability } from "./api";

/**
 * The signed-in member's own "available" switch (user menu): while on, the round-robin may
 * give them conversations the agent hands over. Viewers answer no leads, so they have none.
 */
export function AvailabilitySwitch() {
  const { user } = useSession();
  const id = useId();
  const { toast } = useToast();
  const set = useSetAvailability({
    onSuccess: (updated) =>
      toast({
        title: updated.available
          ? "You're available for new conversations"
          : "You're away: no new conversations come to you",
      }),
    onError: (error) =>
      toast({ title: "Couldn't change that", description: errorMessage(error), tone: "error" }),
  });
  if (user.role === "viewer") return null;
  const available = set.isPending ? (set.variables?.available ?? user.available) : user.available;
  return (
    <div className="flex items-center justify-between gap-2 px-2.5 py-1.5">
      <label htmlFor={id} className="text-sm font-medium text-gray-600">
        {available ? "Available" : "Away"}
      </label>
      <Switch
        id={id}
        aria-label="Available for new conversations"
        checked={available}
        disabled={set.isPending}
        onCheckedChange={(on) => set.mutate({ id: user.id, available: on })}
      />
    </div>
  );
}
