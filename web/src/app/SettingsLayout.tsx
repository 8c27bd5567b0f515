import { NavLink, Outlet } from "react-router";
import { cn } from "../lib/cn";
import { SETTINGS_PAGES } from "../nav";

/** Settings: its own navigation beside the page picked in it. */
export function SettingsLayout() {
  return (
    <div className="mx-auto w-full max-w-6xl px-4 py-6 sm:px-6 lg:px-8 lg:py-8">
      <h1 className="text-xl font-semibold tracking-tight text-gray-900">Settings</h1>
      <p className="mt-1 text-sm text-gray-500">Manage your organisation, team and agent.</p>
      <div className="mt-6 flex flex-col gap-6 lg:flex-row lg:gap-10">
        <nav
          aria-label="Settings"
          className="-mx-4 flex shrink-0 gap-1 overflow-x-auto border-b border-gray-200 px-4 pb-px lg:mx-0 lg:w-48 lg:flex-col lg:overflow-visible lg:border-b-0 lg:px-0"
        >
          {SETTINGS_PAGES.map(({ label, slug, icon: Icon }) => (
            <NavLink
              key={slug}
              to={`/settings/${slug}`}
              className={({ isActive }) =>
                cn(
                  "flex items-center gap-2 text-sm font-medium whitespace-nowrap transition-colors",
                  "border-b-2 px-2.5 py-2 lg:rounded-md lg:border-b-0 lg:py-1.5",
                  isActive
                    ? "border-brand-600 text-gray-900 lg:bg-gray-200/60"
                    : "border-transparent text-gray-500 hover:text-gray-900 lg:hover:bg-gray-100",
                )
              }
            >
              <Icon className="hidden size-4 text-gray-400 lg:block" aria-hidden="true" />
              {label}
            </NavLink>
          ))}
        </nav>
        <div className="min-w-0 flex-1">
          <Outlet />
        </div>
      </div>
    </div>
  );
}
