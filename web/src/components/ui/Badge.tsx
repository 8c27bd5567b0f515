import type { ReactNode } from "react";
import type { Role } from "../../api/models";
import { cn } from "../../lib/cn";

type Tone = "gray" | "green" | "amber" | "red" | "blue" | "violet";

const tones: Record<Tone, string> = {
  gray: "bg-gray-100 text-gray-700 ring-gray-500/10",
  green: "bg-brand-50 text-brand-700 ring-brand-600/20",
  amber: "bg-amber-50 text-amber-800 ring-amber-600/20",
  red: "bg-red-50 text-red-700 ring-red-600/10",
  blue: "bg-blue-50 text-blue-700 ring-blue-700/10",
  violet: "bg-violet-50 text-violet-700 ring-violet-700/10",
};

export function Badge({
  tone = "gray",
  children,
  className,
}: {
  tone?: Tone;
  children: ReactNode;
  className?: string;
}) {
  return (
    <span
      className={cn(
        "inline-flex items-center rounded-md px-2 py-0.5 text-xs font-medium ring-1 ring-inset",
        tones[tone],
        className,
      )}
    >
      {children}
    </span>
  );
}

const roleTones: Record<Role, Tone> = {
  owner: "violet",
  admin: "blue",
  agent: "green",
  viewer: "gray",
};

export function roleTone(role: Role): Tone {
  return roleTones[role] ?? "gray";
}
