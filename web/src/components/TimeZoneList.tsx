import { useMemo } from "react";

function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  try {
    return intl.supportedValuesOf?.("timeZone") ?? [];
  } catch {
    return [];
  }
}

/** The IANA time zones the browser knows, as a `<datalist>` for a timezone input's `list`. */
export function TimeZoneList({ id }: { id: string }) {
  const zones = useMemo(() => timeZones(), []);
  if (zones.length === 0) return null;
  return (
    <datalist id={id}>
      {zones.map((zone) => (
        <option key={zone} value={zone} />
      ))}
    </datalist>
  );
}
