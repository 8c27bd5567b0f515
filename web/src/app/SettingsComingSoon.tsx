import { ComingSoon } from "../components/ComingSoon";
import { SettingsHeader } from "../components/SettingsHeader";
import type { SettingsPage } from "../nav";

export function SettingsComingSoon({ page }: { page: SettingsPage }) {
  return (
    <>
      <SettingsHeader title={page.label} description={page.summary} />
      <ComingSoon
        icon={page.icon}
        name={page.label}
        summary={page.summary}
        features={page.features}
      />
    </>
  );
}
