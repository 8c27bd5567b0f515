import { useActionCounts } from "./api";

/** The sidebar's count of open actions; nothing while there are none. */
export function ActionCountBadge() {
  const counts = useActionCounts();
  const total = counts.data?.total ?? 0;
  if (total === 0) return null;
  return (
    <span
      data-testid="action-count"
      aria-label={`${total} open`}
      className="ml-auto rounded-full bg-red-600 px-1.5 py-0.5 text-[11px] leading-none font-semibold text-white"
    >
      {total > 99 ? "99+" : total}
    </span>
  );
}
