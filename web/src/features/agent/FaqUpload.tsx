// Adding FAQ entries by pasting Q:/A: pairs or uploading a faq.txt: the state and the parts
// Settings → Agent → Knowledge and the onboarding wizard both lay out.

import { FileUp, Plus } from "lucide-react";
import { useRef, useState, type ChangeEvent } from "react";
import { Button } from "../../components/ui/Button";
import { Field } from "../../components/ui/Field";
import { Textarea } from "../../components/ui/Input";
import { useAddFaq } from "./api";
import { parseFaq } from "./faq";

const EXAMPLE =
  "Q: What are the fees?\nA: The course costs ₹2999.\n\nQ: Do you offer EMI?\nA: Yes, over 3 months.";

const PASTED = "the pasted text";

export function entriesLabel(n: number): string {
  return `${n} ${n === 1 ? "entry" : "entries"}`;
}

/**
 * The pasted text, the upload, and a line saying what it added ("Added 2 entries from
 * faq.txt."), which goes when the text changes. `onSubmit` runs as each upload starts.
 */
export function useFaqUpload({ verb, onSubmit }: { verb: string; onSubmit?: () => void }) {
  const add = useAddFaq();
  const [text, setText] = useState("");
  const [added, setAdded] = useState<string | null>(null);

  const submit = (content: string | File, source: string) => {
    setAdded(null);
    onSubmit?.();
    add.mutate(content, {
      onSuccess: (result) => {
        setAdded(`${verb} ${entriesLabel(result.created)} from ${source}.`);
        if (source === PASTED) setText("");
      },
    });
  };

  return {
    add,
    text,
    pairs: parseFaq(text),
    added: add.error ? null : added,
    submit,
    edit: (value: string) => {
      setText(value);
      setAdded(null);
      if (add.isError) add.reset();
    },
  };
}

export type FaqUpload = ReturnType<typeof useFaqUpload>;

/** What the last upload added. */
export function FaqAdded({ faq, testId }: { faq: FaqUpload; testId: string }) {
  if (!faq.added) return null;
  return (
    <p className="text-sm font-medium text-brand-700" data-testid={testId}>
      {faq.added}
    </p>
  );
}

/** The text box for Q:/A: pairs, counting the pairs found. */
export function FaqText({
  faq,
  rows,
  emptyHint,
  disabled,
}: {
  faq: FaqUpload;
  rows: number;
  /** Shown while the box is empty. */
  emptyHint?: string;
  disabled?: boolean;
}) {
  const found = faq.pairs.length;
  return (
    <Field
      label="Paste questions and answers"
      hint={
        faq.text.trim()
          ? found > 0
            ? `${found} question${found === 1 ? "" : "s"} found.`
            : "No Q:/A: pairs found yet."
          : emptyHint
      }
    >
      <Textarea
        value={faq.text}
        onChange={(e) => faq.edit(e.target.value)}
        rows={rows}
        placeholder={EXAMPLE}
        className="font-mono text-xs leading-5"
        disabled={disabled}
      />
    </Field>
  );
}

/** Uploads the pasted text. */
export function FaqAddButton({ faq, disabled }: { faq: FaqUpload; disabled?: boolean }) {
  const found = faq.pairs.length;
  return (
    <Button
      onClick={() => faq.submit(faq.text, PASTED)}
      disabled={disabled || !faq.text.trim()}
      loading={faq.add.isPending}
    >
      {!faq.add.isPending && <Plus className="size-4" aria-hidden="true" />}
      {found > 0 ? `Add ${entriesLabel(found)}` : "Add entries"}
    </Button>
  );
}

/** "Upload faq.txt": picks a file and hands it to `onFile`. */
export function FaqFileButton({
  faq,
  testId,
  onFile,
  disabled,
}: {
  faq: FaqUpload;
  testId: string;
  onFile: (file: File) => void;
  disabled?: boolean;
}) {
  const input = useRef<HTMLInputElement>(null);
  const onChange = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = "";
    if (file) onFile(file);
  };
  return (
    <>
      <input
        ref={input}
        type="file"
        accept=".txt,text/plain"
        className="sr-only"
        tabIndex={-1}
        aria-label="faq.txt file"
        data-testid={testId}
        onChange={onChange}
      />
      <Button
        variant="secondary"
        onClick={() => input.current?.click()}
        disabled={disabled || faq.add.isPending}
      >
        <FileUp className="size-4" aria-hidden="true" />
        Upload faq.txt
      </Button>
    </>
  );
}
