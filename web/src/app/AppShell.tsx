import * as DialogPrimitive from "@radix-ui/react-dialog";
import { Building2, LogOut, Menu, X } from "lucide-react";
import { useState } from "react";
import { NavLink, Outlet, useLocation } from "react-router";
import { Logo } from "../components/Logo";
import { ActionCountBadge } from "../features/actions";
import { useLogout, useRecheckSession, useSession } from "../features/auth";
import { AvailabilitySwitch } from "../features/team";
import { NotificationBell } from "../features/notifications";
import { cn } from "../lib/cn";
import { initials, roleLabel } from "../lib/format";
import { SECTIONS, SETTINGS_ICON } from "../nav";
import { RealtimeProvider } from "../realtime/RealtimeProvider";
import { REALTIME_HANDLERS } from "./realtime";

/** The section whose link carries the count of open actions. */
const ACTIONS_PATH = "/actions";

const linkClass = ({ isActive }: { isActive: boolean }) =>
  cn(
    "group flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm font-medium transition-colors",
    isActive
      ? "bg-white text-gray-900 shadow-xs ring-1 ring-gray-200"
      : "text-gray-600 hover:bg-gray-200/60 hover:text-gray-900",
  );

function NavItems({ onNavigate }: { onNavigate?: () => void }) {
  const location = useLocation();
  const inSettings = location.pathname.startsWith("/settings");
  return (
    <nav aria-label="Main" className="flex-1 space-y-0.5 overflow-y-auto px-3 py-2">
      {SECTIONS.map(({ label, path, icon: Icon }) => (
        <NavLink key={path} to={path} end={path === "/"} className={linkClass} onClick={onNavigate}>
          <Icon className="size-4 shrink-0 text-gray-400 group-aria-[current=page]:text-brand-600" />
          {label}
          {path === ACTIONS_PATH && <ActionCountBadge />}
        </NavLink>
      ))}
      <div className="my-2 border-t border-gray-200" />
      <NavLink
        to="/settings"
        className={() => linkClass({ isActive: inSettings })}
        aria-current={inSettings ? "page" : undefined}
        onClick={onNavigate}
      >
        <SETTINGS_ICON
          className={cn("size-4 shrink-0", inSettings ? "text-brand-600" : "text-gray-400")}
        />
        Settings
      </NavLink>
    </nav>
  );
}

function UserPanel() {
  const { user } = useSession();
  const logout = useLogout();
  const [pending, setPending] = useState(false);
  return (
    <div className="border-t border-gray-200 p-3">
      <div className="flex items-center gap-2.5 px-1 py-1">
        <span
          aria-hidden="true"
          className="flex size-8 shrink-0 items-center justify-center rounded-full bg-brand-100 text-xs font-semibold text-brand-800"
        >
          {initials(user.name)}
        </span>
        <div className="min-w-0 flex-1">
          <p
            className="truncate text-sm font-medium text-gray-900"
            title={user.name}
            data-testid="current-user-name"
          >
            {user.name}
          </p>
          <p className="truncate text-xs text-gray-500" data-testid="current-user-role">
            {roleLabel(user.role)}
          </p>
        </div>
      </div>
      <AvailabilitySwitch />
      <button
        type="button"
        onClick={() => {
          setPending(true);
          void logout();
        }}
        disabled={pending}
        className="mt-1 flex w-full items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm font-medium text-gray-600 hover:bg-gray-200/60 hover:text-gray-900 disabled:opacity-50"
      >
        <LogOut className="size-4 text-gray-400" aria-hidden="true" />
        Log out
      </button>
    </div>
  );
}

function OrgHeader({ bell = false }: { bell?: boolean }) {
  const { org } = useSession();
  return (
    <div className="px-3 pt-3 pb-2">
      <div className="flex items-center justify-between gap-2 pl-1.5">
        <Logo />
        {bell && <NotificationBell />}
      </div>
      <div
        className="mt-3 flex items-center gap-2 rounded-md border border-gray-200 bg-white px-2.5 py-1.5 shadow-xs"
        title={org.name}
      >
        <Building2 className="size-4 shrink-0 text-gray-400" aria-hidden="true" />
        <span className="truncate text-sm font-medium text-gray-800" data-testid="current-org-name">
          {org.name}
        </span>
      </div>
    </div>
  );
}

/** The signed-in frame: navigation around the page, and one realtime connection for it all. */
export function AppShell() {
  const recheckSession = useRecheckSession();
  return (
    <RealtimeProvider handlers={REALTIME_HANDLERS} onSessionEnded={recheckSession}>
      <Shell />
    </RealtimeProvider>
  );
}

function Shell() {
  const [menuOpen, setMenuOpen] = useState(false);
  return (
    <div className="flex min-h-full">
      {/* Desktop sidebar */}
      <div className="hidden w-60 shrink-0 border-r border-gray-200 bg-gray-100 md:block">
        <aside className="sticky top-0 flex h-screen flex-col">
          <OrgHeader bell />
          <NavItems />
          <UserPanel />
        </aside>
      </div>

      <div className="flex min-w-0 flex-1 flex-col">
        {/* Mobile top bar */}
        <header className="sticky top-0 z-30 flex h-14 shrink-0 items-center justify-between border-b border-gray-200 bg-white/95 px-4 backdrop-blur md:hidden">
          <Logo />
          <div className="flex items-center gap-1">
            <NotificationBell />
            <DialogPrimitive.Root open={menuOpen} onOpenChange={setMenuOpen}>
              <DialogPrimitive.Trigger
                className="rounded-md p-2 text-gray-600 hover:bg-gray-100"
                aria-label="Open menu"
              >
                <Menu className="size-5" />
              </DialogPrimitive.Trigger>
              <DialogPrimitive.Portal>
                <DialogPrimitive.Overlay className="fixed inset-0 z-40 bg-gray-900/40 data-[state=open]:animate-fade-in" />
                <DialogPrimitive.Content
                  aria-describedby={undefined}
                  className="fixed inset-y-0 left-0 z-50 flex w-72 max-w-[85vw] flex-col bg-gray-50 shadow-xl focus:outline-none data-[state=open]:animate-slide-in-left"
                >
                  <DialogPrimitive.Title className="sr-only">Menu</DialogPrimitive.Title>
                  <div className="flex items-start">
                    <div className="min-w-0 flex-1">
                      <OrgHeader />
                    </div>
                    <DialogPrimitive.Close
                      className="mt-4 mr-3 rounded-md p-1.5 text-gray-500 hover:bg-gray-200"
                      aria-label="Close menu"
                    >
                      <X className="size-4" />
                    </DialogPrimitive.Close>
                  </div>
                  <NavItems onNavigate={() => setMenuOpen(false)} />
                  <UserPanel />
                </DialogPrimitive.Content>
              </DialogPrimitive.Portal>
            </DialogPrimitive.Root>
          </div>
        </header>

        <main className="flex-1">
          <Outlet />
        </main>
      </div>
    </div>
  );
}
