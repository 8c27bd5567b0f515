import { ArrowRight, Building2, FlaskConical, MessageCircle, Sparkles, Users } from "lucide-react";
import { Link } from "react-router";
import { useSession } from "../auth";
import { Page } from "../../components/Page";
import { canManage } from "../../lib/format";
import { useAgentProfile } from "../agent";
import { DashboardInsights } from "../analytics";

export function DashboardPage() {
  const { user, org } = useSession();
  const firstName = user.name.trim().split(/\s+/)[0] ?? user.name;
  const manager = canManage(user.role);
  const profile = useAgentProfile();

  const steps = [
    {
      icon: Sparkles,
      title: "Set up your agent",
      text: "Answer a few questions; Closer writes your agent's playbook.",
      to: "/onboarding",
      // Until the first profile is saved the agent runs on the generic starter profile.
      show: manager && profile.data?.version === 0,
    },
    {
      icon: Building2,
      title: "Complete your organisation details",
      text: "Industry, website, timezone and support contacts.",
      to: "/settings/organisation",
      show: true,
    },
    {
      icon: Users,
      title: "Invite your team",
      text: "Bring in admins, sales agents and viewers.",
      to: "/settings/team",
      show: manager,
    },
    {
      icon: MessageCircle,
      title: "Connect WhatsApp",
      text: "Link your WhatsApp Business number.",
      to: "/settings/whatsapp",
      show: manager,
    },
    {
      icon: FlaskConical,
      title: "Try the playground",
      text: "Chat with your agent as a lead would.",
      to: "/playground",
      show: true,
    },
  ].filter((step) => step.show);

  return (
    <Page title={`Welcome, ${firstName}`} description={`Here's what's happening at ${org.name}.`}>
      <section aria-labelledby="getting-started" className="mb-8">
        <h2 id="getting-started" className="mb-3 text-sm font-semibold text-gray-900">
          Get started
        </h2>
        <div className="grid gap-3 sm:grid-cols-2 xl:grid-cols-4">
          {steps.map(({ icon: Icon, title, text, to }) => (
            <Link
              key={to}
              to={to}
              className="group flex flex-col rounded-lg border border-gray-200 bg-white p-4 shadow-xs transition hover:border-brand-200 hover:shadow-sm"
            >
              <span className="flex size-8 items-center justify-center rounded-md bg-brand-50 text-brand-600">
                <Icon className="size-4" aria-hidden="true" />
              </span>
              <span className="mt-3 text-sm font-medium text-gray-900">{title}</span>
              <span className="mt-1 flex-1 text-sm text-gray-500">{text}</span>
              <span className="mt-3 inline-flex items-center gap-1 text-xs font-medium text-brand-700">
                Open <ArrowRight className="size-3 transition group-hover:translate-x-0.5" />
              </span>
            </Link>
          ))}
        </div>
      </section>
      <DashboardInsights />
    </Page>
  );
}
