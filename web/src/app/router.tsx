import { createBrowserRouter, Navigate, type RouteObject } from "react-router";
import {
  ForgotPasswordPage,
  LoginPage,
  RedirectIfSignedIn,
  RequireAuth,
  ResetPasswordPage,
  SignupPage,
} from "../features/auth";
import { SECTIONS, SETTINGS_PAGES } from "../nav";
import { AppShell } from "./AppShell";
import { NotFoundPage } from "./NotFoundPage";
import { SectionPage } from "./SectionPage";
import { SettingsComingSoon } from "./SettingsComingSoon";
import { SettingsLayout } from "./SettingsLayout";

type Lazy = NonNullable<RouteObject["lazy"]>;

/**
 * Each page is its own chunk, fetched the first time its route is visited, so the first load
 * carries only the shell (and a page's heavy dependencies, such as charts, stay with that page).
 */
function page<M>(load: () => Promise<M>, pick: (m: M) => React.ComponentType): Lazy {
  return async () => ({ Component: pick(await load()) });
}

const BUILT_SETTINGS: Record<string, Lazy> = {
  organisation: page(
    () => import("../features/organisation"),
    (m) => m.OrganisationPage,
  ),
  team: page(
    () => import("../features/team"),
    (m) => m.TeamPage,
  ),
  security: page(
    () => import("../features/security"),
    (m) => m.SecurityPage,
  ),
  notifications: page(
    () => import("../features/notifications"),
    (m) => m.NotificationSettingsPage,
  ),
  email: page(
    () => import("../features/notifications"),
    (m) => m.EmailSettingsPage,
  ),
  whatsapp: page(
    () => import("../features/whatsapp"),
    (m) => m.WhatsAppPage,
  ),
  agent: page(
    () => import("../features/agent"),
    (m) => m.AgentPage,
  ),
  "follow-ups": page(
    () => import("../features/followups"),
    (m) => m.FollowupsPage,
  ),
  "canned-replies": page(
    () => import("../features/canned"),
    (m) => m.CannedRepliesPage,
  ),
  "custom-fields": page(
    () => import("../features/leads"),
    (m) => m.CustomFieldsPage,
  ),
  "pipeline-stages": page(
    () => import("../features/pipeline"),
    (m) => m.StagesPage,
  ),
  "rate-card": page(
    () => import("../features/pricing"),
    (m) => m.RateCardPage,
  ),
  knowledge: page(
    () => import("../features/agent"),
    (m) => m.KnowledgePage,
  ),
  llm: page(
    () => import("../features/llm"),
    (m) => m.LlmPage,
  ),
  transcription: page(
    () => import("../features/transcription"),
    (m) => m.TranscriptionPage,
  ),
  compliance: page(
    () => import("../features/compliance"),
    (m) => m.CompliancePage,
  ),
  jobs: page(
    () => import("../features/jobs"),
    (m) => m.JobsPage,
  ),
  "audit-log": page(
    () => import("../features/audit"),
    (m) => m.AuditLogPage,
  ),
};

/** Main sections that have shipped; the others show their "coming" page. */
const BUILT_SECTIONS: RouteObject[] = [
  {
    path: "/inbox/:conversationId?",
    lazy: page(
      () => import("../features/inbox"),
      (m) => m.InboxPage,
    ),
  },
  {
    path: "/playground",
    lazy: page(
      () => import("../features/playground"),
      (m) => m.PlaygroundPage,
    ),
  },
  {
    path: "/templates",
    lazy: page(
      () => import("../features/templates"),
      (m) => m.TemplatesPage,
    ),
  },
  {
    path: "/leads",
    lazy: page(
      () => import("../features/leads"),
      (m) => m.LeadsPage,
    ),
  },
  {
    path: "/leads/:leadId",
    lazy: page(
      () => import("../features/leads"),
      (m) => m.LeadDetailPage,
    ),
  },
  {
    path: "/pipeline",
    lazy: page(
      () => import("../features/pipeline"),
      (m) => m.PipelinePage,
    ),
  },
  {
    path: "/actions",
    lazy: page(
      () => import("../features/actions"),
      (m) => m.ActionsPage,
    ),
  },
  {
    path: "/calendar",
    lazy: page(
      () => import("../features/calendar"),
      (m) => m.CalendarPage,
    ),
  },
  {
    path: "/analytics",
    lazy: page(
      () => import("../features/analytics"),
      (m) => m.AnalyticsPage,
    ),
  },
  {
    path: "/broadcasts",
    lazy: page(
      () => import("../features/campaigns"),
      (m) => m.BroadcastsPage,
    ),
  },
  {
    path: "/broadcasts/:campaignId",
    lazy: page(
      () => import("../features/campaigns"),
      (m) => m.CampaignPage,
    ),
  },
  {
    path: "/automations",
    lazy: page(
      () => import("../features/automations"),
      (m) => m.AutomationsPage,
    ),
  },
  {
    path: "/automations/sequences",
    lazy: page(
      () => import("../features/sequences"),
      (m) => m.SequencesPage,
    ),
  },
];
const BUILT_PATHS = new Set([
  "/inbox",
  "/playground",
  "/templates",
  "/leads",
  "/pipeline",
  "/actions",
  "/calendar",
  "/analytics",
  "/broadcasts",
  "/automations",
]);

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
  { path: "/forgot-password", element: <ForgotPasswordPage /> },
  { path: "/reset-password", element: <ResetPasswordPage /> },
  {
    element: <RequireAuth />,
    children: [
      {
        element: <AppShell />,
        children: [
          {
            index: true,
            lazy: page(
              () => import("../features/dashboard"),
              (m) => m.DashboardPage,
            ),
          },
          ...BUILT_SECTIONS,
          {
            path: "/onboarding",
            lazy: page(
              () => import("../features/onboarding"),
              (m) => m.OnboardingPage,
            ),
          },
          ...SECTIONS.filter((s) => s.path !== "/" && !BUILT_PATHS.has(s.path)).map((section) => ({
            path: section.path,
            element: <SectionPage section={section} />,
          })),
          {
            path: "/settings",
            element: <SettingsLayout />,
            children: [
              { index: true, element: <Navigate to="/settings/organisation" replace /> },
              ...SETTINGS_PAGES.map((settings) => ({
                path: settings.slug,
                ...(BUILT_SETTINGS[settings.slug]
                  ? { lazy: BUILT_SETTINGS[settings.slug] }
                  : { element: <SettingsComingSoon page={settings} /> }),
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
