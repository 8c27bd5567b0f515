import { createBrowserRouter, Navigate, type RouteObject } from "react-router";
import { RedirectIfSignedIn, RequireAuth } from "./auth/session";
import { AppShell } from "./components/AppShell";
import { SECTIONS, SETTINGS_PAGES } from "./nav";
import { DashboardPage } from "./pages/DashboardPage";
import { LoginPage } from "./pages/LoginPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { OnboardingPage } from "./pages/onboarding/OnboardingPage";
import { InboxPage } from "./pages/inbox/InboxPage";
import { PlaygroundPage } from "./pages/playground/PlaygroundPage";
import { SectionPage } from "./pages/SectionPage";
import { SignupPage } from "./pages/SignupPage";
import { AgentPage } from "./pages/settings/agent/AgentPage";
import { KnowledgePage } from "./pages/settings/agent/KnowledgeTab";
import { AuditLogPage } from "./pages/settings/AuditLogPage";
import { JobsPage } from "./pages/settings/JobsPage";
import { LlmPage } from "./pages/settings/LlmPage";
import { OrganisationPage } from "./pages/settings/OrganisationPage";
import { SettingsComingSoon } from "./pages/settings/SettingsComingSoon";
import { SettingsLayout } from "./pages/settings/SettingsLayout";
import { TeamPage } from "./pages/settings/TeamPage";
import { WhatsAppPage } from "./pages/settings/WhatsAppPage";

const BUILT_SETTINGS: Record<string, React.ReactNode> = {
  organisation: <OrganisationPage />,
  team: <TeamPage />,
  whatsapp: <WhatsAppPage />,
  agent: <AgentPage />,
  knowledge: <KnowledgePage />,
  llm: <LlmPage />,
  jobs: <JobsPage />,
  "audit-log": <AuditLogPage />,
};

/** Main sections that have shipped; the others show their "coming" page. */
const BUILT_SECTIONS: RouteObject[] = [
  { path: "/inbox/:conversationId?", element: <InboxPage /> },
  { path: "/playground", element: <PlaygroundPage /> },
];
const BUILT_PATHS = new Set(["/inbox", "/playground"]);

export const routes: RouteObject[] = [
  {
    path: "/login",
    element: (
      <RedirectIfSignedIn>
        <LoginPage />
      </RedirectIfSignedIn>
    ),
  },
  { path: "/signup", element: <SignupPage /> },
  {
    element: <RequireAuth />,
    children: [
      {
        element: <AppShell />,
        children: [
          { index: true, element: <DashboardPage /> },
          ...BUILT_SECTIONS,
          { path: "/onboarding", element: <OnboardingPage /> },
          ...SECTIONS.filter((s) => s.path !== "/" && !BUILT_PATHS.has(s.path)).map((section) => ({
            path: section.path,
            element: <SectionPage section={section} />,
          })),
          {
            path: "/settings",
            element: <SettingsLayout />,
            children: [
              { index: true, element: <Navigate to="/settings/organisation" replace /> },
              ...SETTINGS_PAGES.map((page) => ({
                path: page.slug,
                element: BUILT_SETTINGS[page.slug] ?? <SettingsComingSoon page={page} />,
              })),
              { path: "*", element: <NotFoundPage /> },
            ],
          },
          { path: "*", element: <NotFoundPage /> },
        ],
      },
    ],
  },
];

export function createRouter() {
  return createBrowserRouter(routes);
}
