// Leads → Import: choose a CSV, map its columns, choose how rows meet existing leads, confirm,
// then follow the import until it has finished and offer its error report.

import { useQueryClient } from "@tanstack/react-query";
import { Download, FileUp } from "lucide-react";
import { useEffect, useRef, useState, type ChangeEvent } from "react";
import { errorMessage } from "../../api/errors";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { Dialog, DialogContent } from "../../components/ui/Dialog";
import { Select } from "../../components/ui/Select";
import { Spinner } from "../../components/ui/Spinner";
import { Table, Td, Th } from "../../components/ui/Table";
import {
  LEADS_KEY,
  TAGS_KEY,
  fetchImportErrors,
  useConfirmImport,
  useImportProgress,
  useUploadImport,
  type ImportJob,
} from "./api";
import {
  IMPORT_MODES,
  SKIP,
  importFinished,
  importPercent,
  initialMapping,
  mappingProblem,
  saveBlob,
  targetOptions,
  type ImportMode,
  type Mapping,
} from "./importMapping";

export function ImportDialog({ onClose }: { onClose: () => void }) {
  const [upload, setUpload] = useState<ImportJob | null>(null);
  const [started, setStarted] = useState<string | null>(null);

  return (
    <Dialog open onOpenChange={(open) => !open && onClose()}>
      <DialogContent
        title="Import leads"
        description={
          started
            ? undefined
            : upload
              ? `${upload.file_name ?? "Your file"}: ${upload.total_rows} ${upload.total_rows === 1 ? "row" : "rows"}. Choose where each column goes.`
              : "A CSV with a header row, UTF-8, up to 200,000 rows. Each row needs a phone, email or WhatsApp ID."
        }
        className="sm:max-w-3xl"
      >
        {started ? (
          <ImportProgress id={started} onClose={onClose} />
        ) : upload ? (
          <MappingStep
            upload={upload}
            onBack={() => setUpload(null)}
            onStarted={() => setStarted(upload.id)}
          />
        ) : (
          <ChooseFile onUploaded={setUpload} onCancel={onClose} />
        )}
      </DialogContent>
    </Dialog>
  );
}

function ChooseFile({
  onUploaded,
  onCancel,
}: {
  onUploaded: (upload: ImportJob) => void;
  onCancel: () => void;
}) {
  const upload = useUploadImport();
  const input = useRef<HTMLInputElement>(null);

  const choose = (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = "";
    if (file) upload.mutate(file, { onSuccess: onUploaded });
  };

  return (
    <div className="space-y-4">
      {upload.isError && (
        <Alert title="Could not read the file">{errorMessage(upload.error)}</Alert>
      )}
      <div className="flex flex-col items-center gap-3 rounded-lg border-2 border-dashed border-gray-300 px-4 py-8 text-center">
        <FileUp className="size-8 text-gray-400" aria-hidden />
        <p className="text-sm text-gray-600">
          Columns are matched by their headers (Phone, Mobile, E-mail, Full Name, your custom
          fields…). You check the mapping before anything is imported.
        </p>
        <input
          ref={input}
          type="file"
          accept=".csv,text/csv"
          className="sr-only"
          aria-label="CSV file"
          onChange={choose}
        />
        <Button onClick={() => input.current?.click()} loading={upload.isPending}>
          <FileUp className="size-4" /> Choose a CSV file
        </Button>
      </div>
      <div className="flex justify-end">
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </div>
  );
}

function MappingStep({
  upload,
  onBack,
  onStarted,
}: {
  upload: ImportJob;
  onBack: () => void;
  onStarted: () => void;
}) {
  const confirm = useConfirmImport();
  const [mapping, setMapping] = useState<Mapping>(() =>
    initialMapping(upload.columns, upload.mapping, upload.targets),
  );
  const [mode, setMode] = useState<ImportMode>("upsert");
  const [tried, setTried] = useState(false);
  const options = targetOptions(upload.targets);
  const problem = mappingProblem(mapping);

  const submit = () => {
    setTried(true);
    if (problem) return;
    confirm.mutate({ id: upload.id, mapping, mode }, { onSuccess: onStarted });
  };

  return (
    <div className="space-y-4">
      {confirm.isError && (
        <Alert title="Could not start the import">{errorMessage(confirm.error)}</Alert>
      )}
      {tried && problem && <Alert title="Check the mapping">{problem}</Alert>}
      <div className="hidden rounded-md border border-gray-200 sm:block">
        <Table label="Column mapping">
          <thead>
            <tr>
              <Th>Column</Th>
              <Th>Examples</Th>
              <Th className="w-56">Import as</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-gray-100">
            {upload.columns.map((column) => (
              <tr key={column.header}>
                <Td className="font-medium text-gray-900">{column.header}</Td>
                <Td className="max-w-56 truncate text-gray-500" title={column.samples.join(", ")}>
                  {column.samples.filter(Boolean).join(", ") || "—"}
                </Td>
                <Td>
                  <TargetSelect
                    header={column.header}
                    value={mapping[column.header] ?? null}
                    options={options}
                    onChange={(t) => setMapping((m) => ({ ...m, [column.header]: t }))}
                  />
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </div>
      <ul className="space-y-3 sm:hidden" aria-label="Column mapping">
        {upload.columns.map((column) => (
          <li key={column.header} className="space-y-1.5 rounded-md border border-gray-200 p-3">
            <div className="text-sm font-medium text-gray-900">{column.header}</div>
            <div className="truncate text-xs text-gray-500">
              {column.samples.filter(Boolean).join(", ") || "—"}
            </div>
            <TargetSelect
              header={column.header}
              value={mapping[column.header] ?? null}
              options={options}
              onChange={(t) => setMapping((m) => ({ ...m, [column.header]: t }))}
            />
          </li>
        ))}
      </ul>
      <fieldset className="space-y-2">
        <legend className="text-sm font-medium text-gray-700">Rows matching a lead</legend>
        <div className="grid gap-2 sm:grid-cols-3">
          {IMPORT_MODES.map((m) => (
            <label
              key={m.value}
              className="flex cursor-pointer items-start gap-2 rounded-md border border-gray-200 p-3 text-sm has-[:checked]:border-brand-500 has-[:checked]:bg-brand-50"
            >
              <input
                type="radio"
                name="import-mode"
                value={m.value}
                checked={mode === m.value}
                onChange={() => setMode(m.value)}
                className="mt-0.5"
              />
              <span>
                <span className="block font-medium text-gray-900">{m.label}</span>
                <span className="block text-xs text-gray-500">{m.description}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="flex flex-wrap justify-end gap-2">
        <Button variant="secondary" onClick={onBack}>
          Choose another file
        </Button>
        <Button onClick={submit} loading={confirm.isPending}>
          Import {upload.total_rows} {upload.total_rows === 1 ? "row" : "rows"}
        </Button>
      </div>
    </div>
  );
}

function TargetSelect({
  header,
  value,
  options,
  onChange,
}: {
  header: string;
  value: string | null;
  options: { value: string; label: string }[];
  onChange: (target: string | null) => void;
}) {
  return (
    <Select
      aria-label={`Import ${header} as`}
      size="sm"
      value={value ?? SKIP}
      onValueChange={(v) => onChange(v === SKIP ? null : v)}
      options={options}
    />
  );
}

function ImportProgress({ id, onClose }: { id: string; onClose: () => void }) {
  const client = useQueryClient();
  const progress = useImportProgress(id);
  const job = progress.data;
  const done = importFinished(job?.status);
  const [downloading, setDownloading] = useState(false);
  const [downloadError, setDownloadError] = useState<unknown>(null);

  useEffect(() => {
    if (!done) return;
    void client.invalidateQueries({ queryKey: LEADS_KEY });
    void client.invalidateQueries({ queryKey: TAGS_KEY });
  }, [done, client]);

  const download = async () => {
    setDownloading(true);
    setDownloadError(null);
    try {
      saveBlob(await fetchImportErrors(id), `import-errors-${id.slice(0, 8)}.csv`);
    } catch (e) {
      setDownloadError(e);
    } finally {
      setDownloading(false);
    }
  };

  if (progress.isError && !job)
    return <Alert title="Could not follow the import">{errorMessage(progress.error)}</Alert>;
  if (!job) return <Spinner />;

  const percent = done ? 100 : importPercent(job.processed_rows, job.total_rows);
  const counts: [string, number][] = [
    ["Created", job.created],
    ["Updated", job.updated],
    ["Skipped", job.skipped],
    ["Errors", job.errors],
  ];

  return (
    <div className="space-y-4" data-testid="import-progress">
      <div className="space-y-1.5">
        <div className="flex justify-between text-sm">
          <span className="font-medium text-gray-900" data-testid="import-status">
            {job.status === "completed"
              ? "Import completed"
              : job.status === "failed"
                ? "Import failed"
                : job.status === "running"
                  ? "Importing…"
                  : "Waiting to start…"}
          </span>
          <span className="text-gray-500 tabular-nums">
            {job.processed_rows} / {job.total_rows}
          </span>
        </div>
        <div
          role="progressbar"
          aria-label="Import progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent}
          className="h-2 overflow-hidden rounded-full bg-gray-100"
        >
          <div
            className={`h-full rounded-full transition-all ${job.status === "failed" ? "bg-red-500" : "bg-brand-600"}`}
            style={{ width: `${percent}%` }}
          />
        </div>
      </div>
      {job.status === "failed" && (
        <Alert title="The import stopped">{job.error ?? "Something went wrong."}</Alert>
      )}
      <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4" aria-label="Import result">
        {counts.map(([label, n]) => (
          <div key={label} className="rounded-md border border-gray-200 px-3 py-2">
            <dt className="text-xs text-gray-500">{label}</dt>
            <dd
              className="text-lg font-semibold text-gray-900 tabular-nums"
              data-testid={`import-${label.toLowerCase()}`}
            >
              {n}
            </dd>
          </div>
        ))}
      </dl>
      {downloadError ? <Alert>{errorMessage(downloadError)}</Alert> : null}
      <div className="flex flex-wrap items-center justify-end gap-2">
        {done && job.skipped + job.errors > 0 && (
          <Button variant="secondary" onClick={() => void download()} loading={downloading}>
            <Download className="size-4" /> Download error report
          </Button>
        )}
        <Button onClick={onClose}>{done ? "Done" : "Close"}</Button>
      </div>
      {!done && (
        <p className="text-xs text-gray-500">
          You can close this window; the import carries on and the list updates when it is done.
        </p>
      )}
    </div>
  );
}
