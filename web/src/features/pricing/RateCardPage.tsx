import { Plus, Search, Trash2 } from "lucide-react";
import { useMemo, useState, type FormEvent } from "react";
import { fieldErrors, formMessage } from "../../api/errors";
import { SettingsHeader } from "../../components/SettingsHeader";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { Card, CardHeader } from "../../components/ui/Card";
import { Field } from "../../components/ui/Field";
import { Input } from "../../components/ui/Input";
import { ErrorState, LoadingState } from "../../components/ui/States";
import { Table, Td, Th } from "../../components/ui/Table";
import { useToast } from "../../components/ui/Toast";
import { canManage } from "../../lib/format";
import { useSession } from "../auth";
import { useRateCard, useSaveRateCard, type RateCard } from "./api";
import {
  cellErrors,
  countryName,
  fromGrid,
  newRow,
  PRICING_CATEGORIES,
  PRICING_CATEGORY_LABELS,
  toGrid,
  type Grid,
  type RateOrigin,
} from "./rateCard";

/** Settings → Rate card: Meta's price per message by the lead's country and category. */
export function RateCardPage() {
  const card = useRateCard();
  return (
    <>
      <SettingsHeader
        title="Rate card"
        description="What Meta charges per message, by the lead's country and the message's category. A message is priced when Meta reports it billed; changes price messages from then on. Seeded with Meta's published rates: update it when Meta does (1 January, April, July and October)."
      />
      {card.isPending ? (
        <Card>
          <LoadingState label="Loading your rate card…" />
        </Card>
      ) : card.isError ? (
        <Card>
          <ErrorState error={card.error} onRetry={() => void card.refetch()} />
        </Card>
      ) : (
        <RateCardForm card={card.data} />
      )}
    </>
  );
}

function RateCardForm({ card }: { card: RateCard }) {
  const { user } = useSession();
  const readOnly = !canManage(user.role);
  const { toast } = useToast();
  const [grid, setGrid] = useState<Grid>(() => toGrid(card));
  const [origins, setOrigins] = useState<RateOrigin[]>([]);
  const [query, setQuery] = useState("");
  const [adding, setAdding] = useState("");
  const save = useSaveRateCard({
    onSuccess: (saved) => {
      setGrid(toGrid(saved));
      toast({ title: "Rate card saved" });
    },
  });
  const errors = save.error ? fieldErrors(save.error) : {};
  const cells = cellErrors(errors, origins);
  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    return grid.rows.filter(
      (r) =>
        !q || r.country.toLowerCase() === q || countryName(r.country).toLowerCase().includes(q),
    );
  }, [grid.rows, query]);

  const setPrice = (country: string, category: string, value: string) =>
    setGrid((g) => ({
      ...g,
      rows: g.rows.map((r) =>
        r.country === country ? { ...r, prices: { ...r.prices, [category]: value } } : r,
      ),
    }));
  const removeRow = (country: string) =>
    setGrid((g) => ({ ...g, rows: g.rows.filter((r) => r.country !== country) }));
  const addRow = () => {
    const code = adding.trim().toUpperCase();
    if (!code || grid.rows.some((r) => r.country === code)) return;
    setGrid((g) => ({ ...g, rows: [newRow(code), ...g.rows] }));
    setAdding("");
    setQuery("");
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const { card: body, origins: sent } = fromGrid(grid);
    setOrigins(sent);
    save.mutate(body);
  };
  const unplaced = formMessage(
    save.error,
    Object.keys(errors).filter((k) => k === "currency" || /^rates\[\d+\]/.test(k)),
  );

  return (
    <form onSubmit={submit} className="space-y-6" aria-label="Rate card">
      {save.isError && unplaced && <Alert title="Could not save">{unplaced}</Alert>}
      <Card>
        <CardHeader title="Currency" />
        <div className="p-4">
          <Field
            label="Currency of the prices"
            hint="Three letters, as on your Meta invoice (USD, INR, EUR)."
            error={errors.currency}
          >
            <Input
              className="max-w-28 uppercase"
              value={grid.currency}
              maxLength={3}
              disabled={readOnly}
              invalid={!!errors.currency}
              onChange={(e) => setGrid((g) => ({ ...g, currency: e.target.value }))}
            />
          </Field>
        </div>
      </Card>
      <Card>
        <CardHeader title="Prices per message" />
        <div className="flex flex-col gap-3 border-b border-gray-100 p-4 sm:flex-row sm:items-end">
          <div className="relative flex-1">
            <Search
              className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-gray-400"
              aria-hidden="true"
            />
            <Input
              aria-label="Find a country"
              placeholder="Find a country"
              className="pl-8"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
            />
          </div>
          {!readOnly && (
            <div className="flex gap-2">
              <Input
                aria-label="Country code to add"
                placeholder="Code, e.g. KE"
                className="max-w-32 uppercase"
                maxLength={2}
                value={adding}
                onChange={(e) => setAdding(e.target.value)}
              />
              <Button type="button" variant="secondary" onClick={addRow}>
                <Plus className="size-4" aria-hidden="true" /> Add country
              </Button>
            </div>
          )}
        </div>
        <Table label="Prices per message">
          <thead>
            <tr>
              <Th>Country</Th>
              {PRICING_CATEGORIES.map((c) => (
                <Th key={c}>{PRICING_CATEGORY_LABELS[c]}</Th>
              ))}
              {!readOnly && (
                <Th>
                  <span className="sr-only">Remove</span>
                </Th>
              )}
            </tr>
          </thead>
          <tbody className="divide-y divide-gray-100">
            {shown.map((row) => (
              <tr key={row.country} data-country={row.country}>
                <Td className="font-medium whitespace-nowrap text-gray-900">
                  {countryName(row.country)}
                  {row.country !== "*" && (
                    <span className="ml-1.5 text-xs text-gray-400">{row.country}</span>
                  )}
                </Td>
                {PRICING_CATEGORIES.map((c) => {
                  const error = cells[`${row.country}/${c}`];
                  return (
                    <Td key={c} className="px-2 py-1.5">
                      <Input
                        aria-label={`${PRICING_CATEGORY_LABELS[c]} price for ${countryName(row.country)}`}
                        className="min-w-24 text-right tabular-nums"
                        inputMode="decimal"
                        placeholder="—"
                        value={row.prices[c]}
                        disabled={readOnly}
                        invalid={!!error}
                        title={error}
                        onChange={(e) => setPrice(row.country, c, e.target.value)}
                      />
                      {error && <p className="mt-1 max-w-24 text-xs text-red-600">{error}</p>}
                    </Td>
                  );
                })}
                {!readOnly && (
                  <Td className="px-2">
                    <Button
                      type="button"
                      variant="ghost"
                      aria-label={`Remove ${countryName(row.country)}`}
                      onClick={() => removeRow(row.country)}
                    >
                      <Trash2 className="size-4" aria-hidden="true" />
                    </Button>
                  </Td>
                )}
              </tr>
            ))}
          </tbody>
        </Table>
        {shown.length === 0 && (
          <p className="p-4 text-sm text-gray-500">No country matches “{query}”.</p>
        )}
        <p className="border-t border-gray-100 p-4 text-xs text-gray-500">
          An empty cell has no price: a message Meta bills in it shows its cost as unknown, never as
          free. Countries without a row pay “Every other country”.
        </p>
      </Card>
      {!readOnly && (
        <div className="flex justify-end">
          <Button type="submit" disabled={save.isPending}>
            {save.isPending ? "Saving…" : "Save rate card"}
          </Button>
        </div>
      )}
    </form>
  );
}
