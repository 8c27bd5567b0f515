import { Badge } from "../../components/ui/Badge";

const MODES: Record<string, { label: string; tone: "violet" | "blue" | "amber" | "gray" }> = {
  bot: { label: "Bot", tone: "violet" },
  human: { label: "Human", tone: "blue" },
  paused: { label: "Paused", tone: "amber" },
  closed: { label: "Closed", tone: "gray" },
};

/** Who answers the lead now: the bot, a human, nobody (paused) or closed. */
export function ModeBadge({ mode }: { mode: string }) {
  const m = MODES[mode] ?? { label: mode, tone: "gray" as const };
  return (
    <Badge tone={m.tone}>
      <span data-testid="mode-badge" data-mode={mode}>
        {m.label}
      </span>
    </Badge>
  );
}
