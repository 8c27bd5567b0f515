import { CheckCircle2, FlaskConical, MessageCircle } from "lucide-react";
import { Link } from "react-router";
import { buttonClasses } from "../../components/ui/Button";
import { ErrorState, LoadingState } from "../../components/ui/States";
import { useWhatsappStatus, WhatsAppStatusBadge } from "../whatsapp";

/** The true connection status, and where to change it (the wizard does not connect numbers). */
export function WhatsAppStep() {
  const status = useWhatsappStatus();
  if (status.isPending) return <LoadingState label="Checking the WhatsApp connection…" />;
  if (status.isError)
    return <ErrorState error={status.error} onRetry={() => void status.refetch()} />;
  const s = status.data;
  const connected = s.status === "connected";
  return (
    <div className="space-y-5">
      <div
        className="flex items-start gap-3 rounded-md border border-gray-200 p-4"
        data-testid="whatsapp-connection"
      >
        <span
          className={
            connected
              ? "flex size-9 items-center justify-center rounded-full bg-brand-50 text-brand-600"
              : "flex size-9 items-center justify-center rounded-full bg-gray-100 text-gray-500"
          }
        >
          {connected ? (
            <CheckCircle2 className="size-5" aria-hidden="true" />
          ) : (
            <MessageCircle className="size-5" aria-hidden="true" />
          )}
        </span>
        <div className="min-w-0 flex-1">
          <p className="flex flex-wrap items-center gap-2 text-sm font-medium text-gray-900">
            WhatsApp
            <WhatsAppStatusBadge status={s} />
          </p>
          <p className="mt-0.5 text-sm text-gray-500">
            {connected
              ? `Your agent answers on ${s.display_phone_number ?? s.phone_number_id ?? "your number"}.`
              : s.status === "token_invalid"
                ? "Meta refused the saved access token: paste a new one in the WhatsApp settings so the agent can answer leads."
                : "Connect your WhatsApp Business number so the agent can answer leads. You can finish setting up first and connect later."}
          </p>
        </div>
        <Link to="/settings/whatsapp" className={buttonClasses("secondary", "sm")}>
          {connected ? "Manage" : "Connect WhatsApp"}
        </Link>
      </div>
      <p className="flex items-center gap-2 text-sm text-gray-500">
        <FlaskConical className="size-4 shrink-0" aria-hidden="true" />
        <span>
          No number yet? Once the agent is started, chat with it in the{" "}
          <Link to="/playground" className="text-brand-700 hover:underline">
            Playground
          </Link>{" "}
          exactly as a lead would.
        </span>
      </p>
    </div>
  );
}
