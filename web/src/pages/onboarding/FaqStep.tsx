import { FileUp, Plus } from "lucide-react";
import { useRef, useState, type ChangeEvent } from "react";
import { Link } from "react-router";
import { errorMessage } from "../../api/errors";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { Field } from "../../components/ui/Field";
import { Textarea } from "../../components/ui/Input";
import { Spinner } from "../../components/ui/Spinner";
import { useAddFaq } from "../settings/agent/api";
import { parseFaq } from "../settings/agent/faq";
import { useKnowledgeCount } from "./api";

const EXAMPLE =
  "Q: What are the fees?\nA: The course costs ₹2,999.\n\nQ: Do you offer EMI?\nA: Yes, over 3 months.";

function entries(n: number): string {
  return `${n} ${n === 1 ? "entry" : "entries"}`;
}

/** E. The FAQ, added to the knowledge base through the same upload as Settings → Agent. */
export function FaqStep({ disabled }: { disabled: boolean }) {
  const count = useKnowledgeCount();
  const add = useAddFaq();
  const [text, setText] = useState("");
  const [added, setAdded] = useState<string | null>(null);
  const [unreadable, setUnreadable] = useState<string | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const pairs = parseFaq(text);

  const submit = (content: string, source: string) => {
    setAdded(null);
    setUnreadable(null);
    add.mutate(content, {
      onSuccess: (result) => {
        setAdded(`Added ${entries(result.created)} from ${source}.`);
        if (source === "the pasted text") setText("");
      },
    });
  };

  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const chosen = event.target.files?.[0];
    event.target.value = "";
    if (!chosen) return;
    let content: string;
    try {
      content = await chosen.text();
    } catch {
      setUnreadable(`Couldn't read ${chosen.name}.`);
      return;
    }
    submit(content, chosen.name);
  };

  let status;
  if (count.isPending)
    status = (
      <p className="flex items-center gap-2 text-sm text-gray-500" role="status">
        <Spinner className="size-4" /> Checking your knowledge base…
      </p>
    );
  else if (count.isError)
    status = (
      <Alert>
        Couldn't check the knowledge base: {errorMessage(count.error)}{" "}
        <button type="button" className="underline" onClick={() => void count.refetch()}>
          Retry
        </button>
      </Alert>
    );
  else if (count.data.faq > 0)
    status = (
      <Alert tone="success">
        Your knowledge base has {entries(count.data.faq)}
        {count.data.more ? " or more" : ""} from FAQs. Add more below, or continue.
      </Alert>
    );
  else
    status = (
      <Alert tone="info">
        No FAQ yet. Add the questions leads ask most, with your answers: fees, timings, refunds, how
        to start.
      </Alert>
    );

  return (
    <div className="space-y-5">
      <div data-testid="faq-status">{status}</div>
      {add.error ? <Alert>{errorMessage(add.error)}</Alert> : null}
      {unreadable && <Alert>{unreadable}</Alert>}
      {added && !add.error && (
        <p className="text-sm font-medium text-brand-700" data-testid="faq-added">
          {added}
        </p>
      )}
      <Field
        label="Paste questions and answers"
        hint={
          text.trim()
            ? pairs.length > 0
              ? `${pairs.length} question${pairs.length === 1 ? "" : "s"} found.`
              : "No Q:/A: pairs found yet."
            : "Write each pair as a Q: line and an A: line, with a blank line between pairs."
        }
      >
        <Textarea
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setAdded(null);
            if (add.isError) add.reset();
          }}
          rows={7}
          placeholder={EXAMPLE}
          className="font-mono text-xs leading-5"
          disabled={disabled}
        />
      </Field>
      <div className="flex flex-wrap items-center justify-end gap-2">
        <input
          ref={file}
          type="file"
          accept=".txt,text/plain"
          className="sr-only"
          tabIndex={-1}
          aria-label="faq.txt file"
          data-testid="onboarding-faq-file"
          onChange={(e) => void onFile(e)}
        />
        <Button
          variant="secondary"
          onClick={() => file.current?.click()}
          disabled={disabled || add.isPending}
        >
          <FileUp className="size-4" aria-hidden="true" />
          Upload faq.txt
        </Button>
        <Button
          onClick={() => submit(text, "the pasted text")}
          disabled={disabled || !text.trim()}
          loading={add.isPending}
        >
          {!add.isPending && <Plus className="size-4" aria-hidden="true" />}
          {pairs.length > 0 ? `Add ${entries(pairs.length)}` : "Add entries"}
        </Button>
      </div>
      <p className="text-xs text-gray-500">
        Entries go to your{" "}
        <Link to="/settings/knowledge" className="text-brand-700 hover:underline">
          knowledge base
        </Link>
        , where you can review or delete them.
      </p>
    </div>
  );
}
