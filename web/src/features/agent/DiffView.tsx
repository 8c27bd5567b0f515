import { useMemo } from "react";
import { cn } from "../../lib/cn";
import { foldUnchanged, type DiffRow } from "./diff";

/** A unified line diff: removed lines red with "−", added green with "+", long runs folded. */
export function DiffView({ rows, label }: { rows: readonly DiffRow[]; label: string }) {
  const display = useMemo(() => foldUnchanged(rows, 3), [rows]);
  return (
    <div className="overflow-x-auto rounded-md border border-gray-200 bg-white">
      <table aria-label={label} className="w-full font-mono text-xs leading-5">
        <tbody>
          {display.map((row, i) =>
            row.kind === "fold" ? (
              <tr key={`fold-${i}`} className="bg-gray-50 text-gray-500">
                <td colSpan={4} className="px-3 py-0.5 text-center font-sans">
                  {row.count} unchanged lines
                </td>
              </tr>
            ) : (
              <tr
                key={`${row.kind}-${row.oldLine}-${row.newLine}-${i}`}
                data-testid="diff-line"
                data-kind={row.kind}
                className={cn(
                  row.kind === "add" && "bg-brand-50 text-brand-900",
                  row.kind === "remove" && "bg-red-50 text-red-900",
                  row.kind === "same" && "text-gray-600",
                )}
              >
                <td className="w-10 px-2 text-right text-gray-400 select-none">
                  {row.oldLine ?? ""}
                </td>
                <td className="w-10 px-2 text-right text-gray-400 select-none">
                  {row.newLine ?? ""}
                </td>
                <td className="w-4 text-center select-none" aria-hidden="true">
                  {row.kind === "add" ? "+" : row.kind === "remove" ? "−" : ""}
                </td>
                <td className="pr-3 whitespace-pre">
                  {row.kind !== "same" && (
                    <span className="sr-only">{row.kind === "add" ? "Added: " : "Removed: "}</span>
                  )}
                  {row.text}
                </td>
              </tr>
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}
