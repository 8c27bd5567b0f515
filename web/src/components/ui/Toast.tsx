import * as ToastPrimitive from "@radix-ui/react-toast";
import { CheckCircle2, AlertCircle, X } from "lucide-react";
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { cn } from "../../lib/cn";

type ToastTone = "success" | "error";

interface ToastItem {
  id: number;
  title: string;
  description?: string;
  tone: ToastTone;
}

interface ToastApi {
  toast: (toast: { title: string; description?: string; tone?: ToastTone }) => void;
}

const ToastContext = createContext<ToastApi | null>(null);

let nextId = 1;

export function ToastProvider({ children }: { children: ReactNode }) {
  const [items, setItems] = useState<ToastItem[]>([]);

  const toast = useCallback<ToastApi["toast"]>(({ title, description, tone = "success" }) => {
    const id = nextId++;
    setItems((current) => [...current, { id, title, description, tone }]);
  }, []);

  const remove = useCallback((id: number) => {
    setItems((current) => current.filter((item) => item.id !== id));
  }, []);

  const value = useMemo(() => ({ toast }), [toast]);

  return (
    <ToastContext.Provider value={value}>
      <ToastPrimitive.Provider swipeDirection="right" duration={5000}>
        {children}
        {items.map((item) => {
          const Icon = item.tone === "success" ? CheckCircle2 : AlertCircle;
          return (
            <ToastPrimitive.Root
              key={item.id}
              type={item.tone === "error" ? "foreground" : "background"}
              onOpenChange={(open) => {
                if (!open) remove(item.id);
              }}
              className="flex w-full items-start gap-3 rounded-lg border border-gray-200 bg-white p-4 shadow-lg data-[state=open]:animate-toast-in"
            >
              <Icon
                className={cn(
                  "mt-0.5 size-4 shrink-0",
                  item.tone === "success" ? "text-brand-600" : "text-red-600",
                )}
                aria-hidden="true"
              />
              <div className="min-w-0 flex-1">
                <ToastPrimitive.Title className="text-sm font-medium text-gray-900">
                  {item.title}
                </ToastPrimitive.Title>
                {item.description && (
                  <ToastPrimitive.Description className="mt-0.5 text-sm text-gray-500">
                    {item.description}
                  </ToastPrimitive.Description>
                )}
              </div>
              <ToastPrimitive.Close
                aria-label="Dismiss"
                className="rounded p-0.5 text-gray-400 hover:text-gray-600"
              >
                <X className="size-4" />
              </ToastPrimitive.Close>
            </ToastPrimitive.Root>
          );
        })}
        <ToastPrimitive.Viewport className="fixed right-0 bottom-0 z-[60] flex w-full max-w-sm flex-col gap-2 p-4 outline-none" />
      </ToastPrimitive.Provider>
    </ToastContext.Provider>
  );
}

export function useToast(): ToastApi {
  const ctx = useContext(ToastContext);
  if (!ctx) throw new Error("useToast must be used inside <ToastProvider>");
  return ctx;
}
