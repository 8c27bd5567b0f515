import { CONVERSATION_MODE_LABELS } from "../../api/enums";
import type { ConversationMode } from "../../api/models";
import { Badge } from "../../components/ui/Badge";

const MODE_TONES: Record<ConversationMode, "violet" | "blue" | "amber" | "gray"> = {
  bot: "violet",
  human: "blue",
  paused: "amber",
  closed: "gray",
};

/** Who answers the lead now: the bot, a human, nobody (paused) or closed. */
export function ModeBadge({ mode }: { mode: ConversationMode }) {
  return (
    <Badge tone={MODE_TONES[mode]}>
      <span data-testid="mode-badge" data-mode={mode}>
        {CONVERSATION_MODE_LABELS[mode]}
      </span>
    </Badge>
  );
}
