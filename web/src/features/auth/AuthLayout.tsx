import { Bot, MessageCircle, Users } from "lucide-react";
import type { ReactNode } from "react";
import { Logo } from "../../components/Logo";

const POINTS = [
  { icon: MessageCircle, text: "Answers every WhatsApp lead within seconds, around the clock" },
  { icon: Bot, text: "Qualifies, answers from your own knowledge and pushes the right next step" },
  { icon: Users, text: "Hands over to your team the moment a human is needed" },
];

/** The frame of the signed-out pages: a brand panel on wide screens and a form card. */
export function AuthLayout({
  title,
  subtitle,
  children,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="flex min-h-full">
      <aside className="relative hidden w-[42%] max-w-xl flex-col justify-between overflow-hidden bg-gradient-to-br from-emerald-700 via-emerald-800 to-gray-900 p-10 text-white lg:flex">
        <div className="flex items-center gap-2">
          <span className="flex size-8 items-center justify-center rounded-lg bg-white/15 ring-1 ring-white/20">
            <MessageCircle className="size-4" aria-hidden="true" />
          </span>
          <span className="text-lg font-semibold tracking-tight">Closer</span>
        </div>
        <div>
          <h2 className="text-3xl leading-tight font-semibold tracking-tight">
            Your AI sales agent on WhatsApp, and the CRM your team works from.
          </h2>
          <ul className="mt-8 space-y-4">
            {POINTS.map(({ icon: Icon, text }) => (
              <li key={text} className="flex gap-3 text-sm text-emerald-50/90">
                <span className="flex size-7 shrink-0 items-center justify-center rounded-md bg-white/10">
                  <Icon className="size-4" aria-hidden="true" />
                </span>
                <span className="pt-1">{text}</span>
              </li>
            ))}
          </ul>
        </div>
        <p className="text-xs text-emerald-100/60">© Closer</p>
        <div
          aria-hidden="true"
          className="pointer-events-none absolute -right-24 -bottom-24 size-80 rounded-full bg-emerald-400/10 blur-2xl"
        />
      </aside>
      <main className="flex flex-1 flex-col items-center justify-center px-4 py-10 sm:px-6">
        <div className="w-full max-w-sm">
          <Logo className="mb-8 lg:hidden" />
          <h1 className="text-2xl font-semibold tracking-tight text-gray-900">{title}</h1>
          {subtitle && <p className="mt-1.5 text-sm text-gray-500">{subtitle}</p>}
          <div className="mt-8">{children}</div>
        </div>
      </main>
    </div>
  );
}
