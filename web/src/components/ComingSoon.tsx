import { Check, Sparkles } from "lucide-react";
import type { LucideIcon } from "lucide-react";

/** The designed placeholder for a section that ships in a later release. No fake data. */
export function ComingSoon({
  icon: Icon,
  name,
  summary,
  features,
}: {
  icon: LucideIcon;
  name: string;
  summary: string;
  features: string[];
}) {
  return (
    <section
      aria-labelledby="coming-soon-title"
      className="rounded-xl border border-dashed border-gray-300 bg-white px-6 py-12 text-center sm:px-12"
    >
      <div className="mx-auto flex size-12 items-center justify-center rounded-xl bg-brand-50 text-brand-600 ring-1 ring-brand-100">
        <Icon className="size-6" aria-hidden="true" />
      </div>
      <p className="mt-5 inline-flex items-center gap-1.5 rounded-full bg-gray-100 px-2.5 py-1 text-xs font-medium text-gray-600">
        <Sparkles className="size-3.5 text-brand-600" aria-hidden="true" />
        Coming in this release
      </p>
      <h2 id="coming-soon-title" className="mt-3 text-lg font-semibold text-gray-900">
        {name} is on its way
      </h2>
      <p className="mx-auto mt-2 max-w-md text-sm text-gray-500">{summary}</p>
      {features.length > 0 && (
        <ul className="mx-auto mt-6 max-w-md space-y-2 text-left">
          {features.map((feature) => (
            <li key={feature} className="flex gap-2.5 text-sm text-gray-600">
              <Check className="mt-0.5 size-4 shrink-0 text-brand-600" aria-hidden="true" />
              {feature}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
