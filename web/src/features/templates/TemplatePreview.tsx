import { Copy, ExternalLink, Image, Phone, Reply } from "lucide-react";
import { cn } from "../../lib/cn";
import type { Preview, TemplateButton } from "./api";

const BUTTON_ICONS = {
  quick_reply: Reply,
  url: ExternalLink,
  phone_number: Phone,
  copy_code: Copy,
} as const;

/** A template as the lead's WhatsApp shows it: a bubble on the chat wallpaper. */
export function TemplatePreview({
  preview,
  buttons,
  className,
  explainMissing = true,
}: {
  /** Say which placeholders only samples fill (the editor); the inbox asks for them instead. */
  explainMissing?: boolean;
  preview: Preview | undefined;
  /** The template's buttons, for their kinds (the preview carries only their labels). */
  buttons: readonly TemplateButton[];
  className?: string;
}) {
  const header = preview?.header ?? null;
  const media = header !== null && /^\[(image|video|document)\]$/.test(header);
  return (
    <div
      className={cn("rounded-lg bg-[#efeae2] p-4", className)}
      data-testid="template-preview"
      aria-label="Preview as the lead sees it"
    >
      <div className="max-w-[320px] rounded-lg rounded-tl-none bg-white text-sm text-gray-900 shadow-sm">
        <div className="space-y-1.5 px-3 pt-2 pb-1.5">
          {media ? (
            <div className="-mx-1 flex h-28 items-center justify-center rounded-md bg-gray-100 text-gray-400">
              <Image className="size-8" aria-hidden="true" />
              <span className="sr-only">{header}</span>
            </div>
          ) : (
            header && <p className="font-semibold">{header}</p>
          )}
          <p className="break-words whitespace-pre-wrap" data-testid="template-preview-body">
            {preview?.body || "Write the message body to see it here."}
          </p>
          {preview?.footer && <p className="text-xs text-gray-500">{preview.footer}</p>}
          <p className="text-right text-[10px] text-gray-400">12:00</p>
        </div>
        {buttons.length > 0 && (
          <div className="divide-y divide-gray-100 border-t border-gray-100">
            {buttons.map((b, i) => {
              const Icon = BUTTON_ICONS[b.type];
              return (
                <p
                  key={i}
                  className="flex items-center justify-center gap-1.5 py-2 text-sm font-medium text-sky-600"
                >
                  <Icon className="size-3.5" aria-hidden="true" />
                  {preview?.buttons[i] || b.text || "Button"}
                </p>
              );
            })}
          </div>
        )}
      </div>
      {explainMissing && preview && preview.missing.length > 0 && (
        <p className="mt-3 text-xs text-gray-600" data-testid="template-preview-missing">
          Sample values stand in for: {preview.missing.join(", ")}. Map them to a lead field or give
          a fallback, or they must be typed at each send.
        </p>
      )}
    </div>
  );
}
