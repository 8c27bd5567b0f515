import {
  BarChart3,
  Bell,
  Mail,
  AudioLines,
  Bot,
  Building2,
  CalendarClock,
  CalendarDays,
  Cpu,
  FileText,
  FlaskConical,
  Inbox,
  KeyRound,
  ListRestart,
  KanbanSquare,
  LayoutDashboard,
  Megaphone,
  MessageCircle,
  MessageSquareText,
  ScrollText,
  Settings,
  SlidersHorizontal,
  ShieldCheck,
  BookOpen,
  Users,
  Workflow,
  Zap,
  Contact,
  Receipt,
  type LucideIcon,
} from "lucide-react";

export interface Section {
  label: string;
  path: string;
  icon: LucideIcon;
  /** What the section does, shown on its page (and on its empty state until it ships). */
  summary: string;
  /** What the finished section will let you do. */
  features: string[];
}

export const SECTIONS: Section[] = [
  {
    label: "Dashboard",
    path: "/",
    icon: LayoutDashboard,
    summary: "Your sales at a glance: how the agent is performing and what needs you now.",
    features: [
      "Key numbers: new leads, conversations, qualified leads and won deals",
      "Chats per day and the conversion funnel",
      "Model cost for the period",
      "Escalation queue, ordered by priority",
    ],
  },
  {
    label: "Inbox",
    path: "/inbox",
    icon: Inbox,
    summary: "Every WhatsApp conversation your agent is having, live.",
    features: [
      "Conversation list with unread counts and the last message",
      "Transcript with the lead's details: slots with confidence, CTA states, sentiment",
      "The agent's last decision with its reason code, and the handoff brief",
      "Take over, release, and reply as a human",
    ],
  },
  {
    label: "Action center",
    path: "/actions",
    icon: Zap,
    summary: "The things only a human can do, in one queue.",
    features: [
      "Accepted calls-to-action to follow through (calls booked, payments, downloads)",
      "Conversations that need human attention, by priority",
      "Resolve items as you handle them",
    ],
  },
  {
    label: "Calendar",
    path: "/calendar",
    icon: CalendarDays,
    summary: "Calls, demos and meetings booked with leads.",
    features: [
      "Day, week and list views in the organisation's timezone",
      "Reschedule or cancel; the lead is told on WhatsApp",
      "A private feed for Google Calendar or Outlook",
    ],
  },
  {
    label: "Leads",
    path: "/leads",
    icon: Contact,
    summary: "Your CRM: every lead the agent has talked to and everything it learned.",
    features: [
      "Search and filter by status, owner, tags and source",
      "Edit details, tags and notes; delete",
      "Import and export CSV",
      "Bulk status changes",
    ],
  },
  {
    label: "Pipeline",
    path: "/pipeline",
    icon: KanbanSquare,
    summary: "A kanban board of your leads by stage.",
    features: [
      "Drag and drop leads between stages, by mouse, touch or keyboard",
      "Each stage's count and deal value at a glance",
      "The agent moves leads forward as conversations progress",
    ],
  },
  {
    label: "Templates",
    path: "/templates",
    icon: FileText,
    summary: "WhatsApp message templates for follow-ups and broadcasts.",
    features: [
      "Create templates with every field Meta requires",
      "Submit them for approval",
      "Track their review status",
    ],
  },
  {
    label: "Broadcasts",
    path: "/broadcasts",
    icon: Megaphone,
    summary: "Send an approved template to a segment of your leads.",
    features: ["Pick an audience and a template", "Start, pause and track delivery"],
  },
  {
    label: "Automations",
    path: "/automations",
    icon: Workflow,
    summary: "Rules that act on your leads and conversations for you.",
    features: [
      "Triggers on events like new lead or status change",
      "Actions like tag, assign or notify",
    ],
  },
  {
    label: "Analytics",
    path: "/analytics",
    icon: BarChart3,
    summary: "How your WhatsApp sales are going, in depth.",
    features: [
      "Peak hours and lead sources",
      "Volume, sentiment and the funnel",
      "Cost per conversation and per won lead",
    ],
  },
  {
    label: "Playground",
    path: "/playground",
    icon: FlaskConical,
    summary: "Chat with your own agent exactly as a lead would.",
    features: [
      "Messages go through the same pipeline as real WhatsApp traffic",
      "See each decision the agent makes and why",
      "Works before WhatsApp is connected",
    ],
  },
];

export interface SettingsPage {
  label: string;
  slug: string;
  icon: LucideIcon;
  summary: string;
  features: string[];
}

export const SETTINGS_PAGES: SettingsPage[] = [
  {
    label: "Organisation",
    slug: "organisation",
    icon: Building2,
    summary: "Your business details.",
    features: [],
  },
  {
    label: "Team",
    slug: "team",
    icon: Users,
    summary: "Members, roles and invitations.",
    features: [],
  },
  {
    label: "Security",
    slug: "security",
    icon: KeyRound,
    summary: "Two-factor sign-in and where you're signed in.",
    features: [],
  },
  {
    label: "Notifications",
    slug: "notifications",
    icon: Bell,
    summary: "What you hear about, and where.",
    features: [],
  },
  {
    label: "Email",
    slug: "email",
    icon: Mail,
    summary: "The mail server for notifications, resets and invites.",
    features: [],
  },
  {
    label: "WhatsApp",
    slug: "whatsapp",
    icon: MessageCircle,
    summary: "Connect your WhatsApp Business number.",
    features: [
      "Connect with your phone number ID, WABA ID and access token",
      "See the true connection status, quality rating and messaging tier",
      "Disconnect at any time",
    ],
  },
  {
    label: "Agent",
    slug: "agent",
    icon: Bot,
    summary: "How your AI agent sells.",
    features: [
      "Business config, sales rules, tone, guardrails and script library",
      "Every change is a new version; roll back in one click",
      "Calls-to-action the agent offers",
    ],
  },
  {
    label: "Rate card",
    slug: "rate-card",
    icon: Receipt,
    summary: "What Meta charges per message, by country and category.",
    features: [],
  },
  {
    label: "Follow-ups",
    slug: "follow-ups",
    icon: CalendarClock,
    summary: "Polite, timed nudges for leads who go quiet.",
    features: [
      "A template schedule such as +2, +5 and +7 days",
      "Cancelled automatically when the lead writes",
      "Respects the lead's timezone and quiet hours",
    ],
  },
  {
    label: "Canned replies",
    slug: "canned-replies",
    icon: MessageSquareText,
    summary: "Saved answers the team inserts with / in the inbox.",
    features: [],
  },
  {
    label: "Custom fields",
    slug: "custom-fields",
    icon: SlidersHorizontal,
    summary: "Extra fields on every lead.",
    features: [],
  },
  {
    label: "Pipeline stages",
    slug: "pipeline-stages",
    icon: KanbanSquare,
    summary: "The columns of your pipeline board.",
    features: [],
  },
  {
    label: "Knowledge base",
    slug: "knowledge",
    icon: BookOpen,
    summary: "What your agent knows about your business.",
    features: [
      "Upload an FAQ of question/answer pairs",
      "Scan your website",
      "Remove outdated entries",
    ],
  },
  {
    label: "LLM provider",
    slug: "llm",
    icon: Cpu,
    summary: "The language model behind your agent.",
    features: [
      "OpenAI-compatible endpoints or Anthropic",
      "Model, API key, base URL and timeout",
      "Token prices for cost tracking; the rule-based engine runs without one",
    ],
  },
  {
    label: "Transcription",
    slug: "transcription",
    icon: AudioLines,
    summary: "Speech-to-text for voice notes.",
    features: [
      "Any OpenAI-compatible /audio/transcriptions endpoint",
      "Voice notes are transcribed and the agent answers what was said",
    ],
  },
  {
    label: "Compliance",
    slug: "compliance",
    icon: ShieldCheck,
    summary: "Opt-outs and data protection.",
    features: [],
  },
  {
    label: "Jobs",
    slug: "jobs",
    icon: ListRestart,
    summary: "Background work and its failures.",
    features: [],
  },
  {
    label: "Audit log",
    slug: "audit-log",
    icon: ScrollText,
    summary: "Who changed what, and when.",
    features: [],
  },
];

export const SETTINGS_ICON = Settings;
