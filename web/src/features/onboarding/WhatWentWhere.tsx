import { BookOpen, Building2, FileJson } from "lucide-react";
import { PLACEMENT_KIND_LABELS } from "../../api/enums";
import type { GeneratedProfile, PlacementKind } from "../../api/models";
import { Badge } from "../../components/ui/Badge";
import { DOCUMENTS, isDocumentKey } from "../agent";
import { fieldLabel } from "./answers";

const ICONS: Record<PlacementKind, typeof FileJson> = {
  document: FileJson,
  knowledge: BookOpen,
  organisation: Building2,
};

/** "business_config.pricing_summary" → "Business config › pricing summary". */
function targetLabel(kind: PlacementKind, target: string): string {
  if (kind === "knowledge") return `“${target}”`;
  if (kind === "organisation") return target.replace(/_/g, " ");
  const [doc = "", ...rest] = target.split(".");
  const document = isDocumentKey(doc) ? DOCUMENTS[doc].label : doc;
  return rest.length > 0 ? `${document} › ${rest.join(" › ").replace(/_/g, " ")}` : document;
}

/**
 * Each of the owner's answers and where it landed: a document field, a knowledge entry (the
 * facts kept whole), an organisation field. An answer the documents only summarise, with no
 * whole copy anywhere, says so.
 */
export function WhatWentWhere({ generated }: { generated: GeneratedProfile }) {
  return (
    <section aria-labelledby="what-went-where" className="space-y-2">
      <h3 id="what-went-where" className="text-sm font-medium text-gray-900">
        What went where
      </h3>
      <p className="text-sm text-gray-500">
        Every answer you gave, and where the agent keeps it. Long facts are summarised in the
        documents and kept whole in the knowledge base ({generated.knowledge.length}{" "}
        {generated.knowledge.length === 1 ? "entry" : "entries"}, filed when you save).
      </p>
      <ul
        className="divide-y divide-gray-100 rounded-md border border-gray-200"
        data-testid="what-went-where"
      >
        {generated.placements.map((p) => (
          <li
            key={p.answer}
            className="flex flex-col gap-1.5 px-3 py-2 text-sm sm:flex-row sm:gap-3"
            data-answer={p.answer}
          >
            <span className="shrink-0 font-medium text-gray-800 sm:w-44">
              {fieldLabel(p.answer)}
              {!p.whole && (
                <Badge tone="amber" className="ml-2">
                  shortened
                </Badge>
              )}
            </span>
            <ul className="flex min-w-0 flex-wrap gap-x-3 gap-y-1">
              {p.places.map((place) => {
                const Icon = ICONS[place.kind];
                return (
                  <li
                    key={`${place.kind}:${place.target}`}
                    className="inline-flex min-w-0 items-center gap-1 text-gray-600"
                  >
                    <Icon className="size-3.5 shrink-0 text-gray-400" aria-hidden="true" />
                    <span className="sr-only">{PLACEMENT_KIND_LABELS[place.kind]}: </span>
                    <span className="break-words">{targetLabel(place.kind, place.target)}</span>
                  </li>
                );
              })}
            </ul>
          </li>
        ))}
      </ul>
    </section>
  );
}
