import { createBrowserRouter, Navigate, type RouteObject } from "react-router";
import { ActionsPage } from "../features/actions";
import { AgentPage, KnowledgePage } from "../features/agent";
import { AuditLogPage } from "../features/audit";
import { CalendarPage } from "../features/calendar";
import { CompliancePage } from "../features/compliance";
import { CannedRepliesPage } from "../features/canned";
import {
  ForgotPasswordPage,
  LoginPage,
  RedirectIfSignedIn,
  RequireAuth,
  ResetPasswordPage,
  SignupPage,
} from "../features/auth";
import { DashboardPage } from "../features/dashboard";
import { InboxPage } from "../features/inbox";
import { FollowupsPage } from "../features/followups";
import { RateCardPage } from "../features/pricing";
import { JobsPage } from "../features/jobs";
import { CustomFieldsPage, LeadDetailPage, LeadsPage } from "../features/leads";
import { LlmPage } from "../features/llm";
import { EmailSettingsPage, NotificationSettingsPage } from "../features/notifications";
import { OnboardingPage } from "../features/onboarding";
import { OrganisationPage } from "../features/organisation";
import { PipelinePage, StagesPage } from "../features/pipeline";
import { PlaygroundPage } from "../features/playground";
import { SecurityPage } from "../features/security";
import { TeamPage } from "../features/team";
import { TemplatesPage } from "../features/templates";
import { TranscriptionPage } from "../features/transcription";
import { WhatsAppPage } from "../features/whatsapp";
import { SECTIONS, SETTINGS_PAGES } from "../nav";
import { AppShell } from "./AppShell";
import { NotFoundPage } from "./NotFoundPage";
import { SectionPage } from "./SectionPage";
import { SettingsComingSoon } from "./SettingsComingSoon";
import { SettingsLayout } from "./SettingsLayout";

const BUILT_SETTINGS: Record<string, React.ReactNode> = {
  organisation: <OrganisationPage />,
  team: <TeamPage />,
  security: <SecurityPage />,
  notifications: <NotificationSettingsPage />,
  email: <EmailSettingsPage />,
  whatsapp: <WhatsAppPage />,
  agent: <AgentPage />,
  "follow-ups": <FollowupsPage />,
  "canned-replies": <CannedRepliesPage />,
  "custom-fields": <CustomFieldsPage />,
  "pipeline-stages": <StagesPage />,
  "rate-card": <RateCardPage />,
  knowledge: <KnowledgePage />,
  llm: <LlmPage />,
  transcription: <TranscriptionPage />,
  compliance: <CompliancePage />,
  jobs: <JobsPage />,
  "audit-log": <AuditLogPage />,
};

/** Main sections that have shipped; the others show their "coming" page. */
const BUILT_SECTIONS: RouteObject[] = [
  { path: "/inbox/:conversationId?", element: <InboxPage /> },
  { path: "/playground", element: <PlaygroundPage /> },
  { path: "/templates", element: <TemplatesPage /> },
  { path: "/leads", element: <LeadsPage /> },
  { path: "/leads/:leadId", element: <LeadDetailPage /> },
  { path: "/pipeline", element: <PipelinePage /> },
  { path: "/actions", element: <ActionsPage /> },
  { path: "/calendar", element: <CalendarPage /> },
];
const BUILT_PATHS = new Set([
  "/inbox",
  "/playground",
  "/templates",
  "/leads",
  "/pipeline",
  "/actions",
  "/calendar",
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
