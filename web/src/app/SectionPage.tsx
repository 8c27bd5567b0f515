import { ComingSoon } from "../components/ComingSoon";
import { Page } from "../components/Page";
import type { Section } from "../nav";

/** A main section that ships later: its title and a designed "coming" state. */
export function SectionPage({ section }: { section: Section }) {
  return (
    <Page title={section.label} description={section.summary}>
      <ComingSoon
        icon={section.icon}
        name={section.label}
        summary={section.summary}
        features={section.features}
      />
    </Page>
  );
}
