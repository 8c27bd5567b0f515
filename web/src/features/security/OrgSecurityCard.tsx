import { useId } from "react";
import { formMessage } from "../../api/errors";
import { Alert } from "../../components/ui/Alert";
import { Card, CardHeader } from "../../components/ui/Card";
import { ErrorState, LoadingState } from "../../components/ui/States";
import { Switch } from "../../components/ui/Switch";
import { useSaveSecuritySettings, useSecuritySettings } from "./api";

/** The owner's switch: every member must use two-factor sign-in. */
export function OrgSecurityCard() {
  const settings = useSecuritySettings(true);
  const save = useSaveSecuritySettings();
  const labelId = useId();
  const hintId = useId();
  const on = save.isPending
    ? (save.variables?.require_two_factor ?? false)
    : (settings.data?.require_two_factor ?? false);

  return (
    <Card>
      <CardHeader
        title="Organisation"
        description="Rules for everyone in your organisation. Only owners change them."
      />
      <div className="px-5 py-4">
        {settings.isPending ? (
          <LoadingState />
        ) : settings.isError ? (
          <ErrorState error={settings.error} onRetry={() => void settings.refetch()} />
        ) : (
          <div className="space-y-3">
            <div className="flex items-start justify-between gap-4">
              <div className="min-w-0">
                <p id={labelId} className="text-sm font-medium text-gray-900">
                  Require two-factor sign-in for everyone
                </p>
                <p id={hintId} className="mt-0.5 text-sm text-gray-500">
                  Members without it are sent here to set it up before they can work.
                </p>
              </div>
              <Switch
                checked={on}
                disabled={save.isPending}
                aria-label="Require two-factor sign-in for everyone"
                aria-describedby={hintId}
                onCheckedChange={(checked) => save.mutate({ require_two_factor: checked })}
              />
            </div>
            {save.error ? <Alert>{formMessage(save.error, [])}</Alert> : null}
          </div>
        )}
      </div>
    </Card>
  );
}
