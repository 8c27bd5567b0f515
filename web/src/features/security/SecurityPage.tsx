import { SettingsHeader } from "../../components/SettingsHeader";
import { Alert } from "../../components/ui/Alert";
import { mustEnrol, useSession } from "../auth";
import { OrgSecurityCard } from "./OrgSecurityCard";
import { SessionsCard } from "./SessionsCard";
import { TwoFactorCard } from "./TwoFactorCard";

/** Settings → Security: your sign-in, your sessions, and (owners) the organisation's rule. */
export function SecurityPage() {
  const session = useSession();
  const enrolling = mustEnrol(session);
  return (
    <>
      <SettingsHeader title="Security" description="How you sign in, and where you're signed in." />
      <div className="space-y-6">
        {enrolling && (
          <Alert tone="info" title="Set up two-factor sign-in to continue">
            {session.org.name} requires every member to sign in with a code from an authenticator
            app. Set it up below; the rest of Closer opens as soon as it is on.
          </Alert>
        )}
        <TwoFactorCard />
        <SessionsCard />
        {session.user.role === "owner" && !enrolling && <OrgSecurityCard />}
      </div>
    </>
  );
}
