import { useState } from "react";
import { Link } from "react-router";
import { errorMessage } from "../../api/errors";
import { Alert } from "../../components/ui/Alert";
import { Spinner } from "../../components/ui/Spinner";
import {
  entriesLabel,
  FaqAddButton,
  FaqAdded,
  FaqFileButton,
  FaqText,
  useFaqUpload,
} from "../agent";
import { useKnowledgeCount } from "./api";

/** E. The FAQ, added to the knowledge base through the same upload as Settings → Agent. */
export function FaqStep({ disabled }: { disabled: boolean }) {
  const count = useKnowledgeCount();
  const [unreadable, setUnreadable] = useState<string | null>(null);
  const faq = useFaqUpload({ verb: "Added", onSubmit: () => setUnreadable(null) });

  const onFile = async (chosen: File) => {
    let content: string;
    try {
      content = await chosen.text();
    } catch {
      setUnreadable(`Couldn't read ${chosen.name}.`);
      return;
    }
    faq.submit(content, chosen.name);
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
        Your knowledge base has {entriesLabel(count.data.faq)}
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
      {faq.add.error ? <Alert>{errorMessage(faq.add.error)}</Alert> : null}
      {unreadable && <Alert>{unreadable}</Alert>}
      <FaqAdded faq={faq} testId="faq-added" />
      <FaqText
        faq={faq}
        rows={7}
        emptyHint="Write each pair as a Q: line and an A: line, with a blank line between pairs."
        disabled={disabled}
      />
      <div className="flex flex-wrap items-center justify-end gap-2">
        <FaqFileButton
          faq={faq}
          testId="onboarding-faq-file"
          onFile={(file) => void onFile(file)}
          disabled={disabled}
        />
        <FaqAddButton faq={faq} disabled={disabled} />
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
