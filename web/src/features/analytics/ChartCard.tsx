import { Download } from "lucide-react";
import type { ReactNode } from "react";
import { Card, CardHeader } from "../../components/ui/Card";

/**
 * A report: its title and description, the chart, the same figures as a table for screen
 * readers and for copying, and the CSV download.
 */
export function ChartCard({
  id,
  title,
  description,
  csv,
  table,
  children,
}: {
  id: string;
  title: string;
  description?: string;
  csv?: string;
  table?: ReactNode;
  children: ReactNode;
}) {
  return (
    <section aria-labelledby={id} className="min-w-0">
      <Card>
        <CardHeader
          id={id}
          title={title}
          description={description}
          actions={
            csv && (
              <a
                href={csv}
                download
                className="inline-flex items-center gap-1.5 rounded-md border border-gray-300 bg-white px-2.5 py-1.5 text-xs font-medium text-gray-700 shadow-xs hover:bg-gray-50"
              >
                <Download className="size-3.5" aria-hidden="true" />
                CSV<span className="sr-only"> of {title}</span>
              </a>
            )
          }
        />
        <div className="px-3 py-4 sm:px-5">{children}</div>
        {table && (
          <details className="border-t border-gray-200 px-5 py-3 text-sm">
            <summary className="cursor-pointer text-gray-600 select-none">Show as a table</summary>
            <div className="mt-3">{table}</div>
          </details>
        )}
      </Card>
    </section>
  );
}
