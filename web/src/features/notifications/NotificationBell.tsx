import * as DialogPrimitive from "@radix-ui/react-dialog";
import { Bell, CheckCheck, X } from "lucide-react";
import { useState } from "react";
import { useNavigate } from "react-router";
import { NOTIFICATION_KIND_LABELS } from "../../api/enums";
import type { NotificationItem } from "../../api/models";
import { Button } from "../../components/ui/Button";
import { EmptyState, ErrorState, LoadingState } from "../../components/ui/States";
import { cn } from "../../lib/cn";
import { formatDateTime } from "../../lib/format";
import { useMarkRead, useNotifications } from "./api";

function NotificationRow({
  item,
  onOpen,
}: {
  item: NotificationItem;
  onOpen: (item: NotificationItem) => void;
}) {
  const unread = item.read_at === null;
  return (
    <li data-testid="notification" data-unread={unread}>
      <button
        type="button"
        onClick={() => onOpen(item)}
        className={cn(
          "flex w-full gap-3 px-4 py-3 text-left hover:bg-gray-50",
          unread && "bg-brand-50/60",
        )}
      >
        <span
          aria-hidden="true"
          className={cn(
            "mt-1.5 size-2 shrink-0 rounded-full",
            unread ? "bg-brand-600" : "bg-transparent",
          )}
        />
        <span className="min-w-0 flex-1">
          <span className="block text-xs font-medium text-gray-500">
            {NOTIFICATION_KIND_LABELS[item.kind]} · {formatDateTime(item.created_at)}
          </span>
          <span className="mt-0.5 block text-sm font-medium break-words text-gray-900">
            {item.title}
          </span>
          {item.body && (
            <span className="mt-0.5 line-clamp-2 block text-sm break-words text-gray-600">
              {item.body}
            </span>
          )}
          {unread && <span className="sr-only">(unread)</span>}
        </span>
      </button>
    </li>
  );
}

/** The bell: the member's unread count, and their notifications in a panel. */
export function NotificationBell({ className }: { className?: string }) {
  const [open, setOpen] = useState(false);
  const list = useNotifications();
  const markRead = useMarkRead();
  const navigate = useNavigate();
  const unread = list.data?.unread ?? 0;
  const openItem = (item: NotificationItem) => {
    if (item.read_at === null) markRead.mutate({ ids: [item.id] });
    setOpen(false);
    if (item.link) void navigate(item.link);
  };
  return (
    <DialogPrimitive.Root open={open} onOpenChange={setOpen}>
      <DialogPrimitive.Trigger
        className={cn(
          "relative rounded-md p-2 text-gray-600 hover:bg-gray-200/60 hover:text-gray-900",
          className,
        )}
        aria-label={unread > 0 ? `Notifications, ${unread} unread` : "Notifications"}
        data-testid="notification-bell"
      >
        <Bell className="size-5" aria-hidden="true" />
        {unread > 0 && (
          <span
            data-testid="notification-count"
            className="absolute -top-0.5 -right-0.5 min-w-4 rounded-full bg-red-600 px-1 text-center text-[10px] leading-4 font-semibold text-white"
          >
            {unread > 99 ? "99+" : unread}
          </span>
        )}
      </DialogPrimitive.Trigger>
      <DialogPrimitive.Portal>
        <DialogPrimitive.Overlay className="fixed inset-0 z-40 bg-gray-900/20 data-[state=open]:animate-fade-in" />
        <DialogPrimitive.Content
          aria-describedby={undefined}
          className="fixed inset-y-0 right-0 z-50 flex w-full max-w-sm flex-col bg-white shadow-xl focus:outline-none"
        >
          <div className="flex items-center gap-2 border-b border-gray-200 px-4 py-3">
            <DialogPrimitive.Title className="flex-1 text-base font-semibold text-gray-900">
              Notifications
            </DialogPrimitive.Title>
            {unread > 0 && (
              <Button
                variant="ghost"
                size="sm"
                onClick={() => markRead.mutate({ all: true })}
                loading={markRead.isPending}
              >
                <CheckCheck className="size-4" aria-hidden="true" />
                Mark all read
              </Button>
            )}
            <DialogPrimitive.Close
              className="rounded-md p-1.5 text-gray-500 hover:bg-gray-100"
              aria-label="Close notifications"
            >
              <X className="size-4" />
            </DialogPrimitive.Close>
          </div>
          <div className="flex-1 overflow-y-auto">
            {list.isPending ? (
              <LoadingState label="Loading notifications…" />
            ) : list.isError ? (
              <ErrorState error={list.error} onRetry={() => void list.refetch()} />
            ) : list.data.items.length === 0 ? (
              <EmptyState
                icon={Bell}
                title="Nothing new"
                description="Handovers, bookings and mentions show up here."
              />
            ) : (
              <ul className="divide-y divide-gray-100" aria-label="Notifications">
                {list.data.items.map((item) => (
                  <NotificationRow key={item.id} item={item} onOpen={openItem} />
                ))}
              </ul>
            )}
          </div>
        </DialogPrimitive.Content>
      </DialogPrimitive.Portal>
    </DialogPrimitive.Root>
  );
}
