import { Check, Copy, Download } from "lucide-react";
import { useState } from "react";
import { Alert } from "../../components/ui/Alert";
import { Button } from "../../components/ui/Button";
import { copyText } from "../../lib/clipboard";

/** The recovery codes, shown once, with copy and download; `onDone` when they are saved. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const text = codes.join("\n") + "\n";

  const download = () => {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const link = document.createElement("a");
    link.href = url;
    link.download = "closer-recovery-codes.txt";
    link.click();
    URL.revokeObjectURL(url);
  };

  return (
    <div className="space-y-4">
      <Alert tone="info" title="Save your recovery codes now">
        Each code signs you in once if you lose your phone. They won&apos;t be shown again.
      </Alert>
      <ul
        aria-label="Recovery codes"
        className="grid grid-cols-2 gap-2 rounded-md border border-gray-200 bg-gray-50 p-4 font-mono text-sm text-gray-900 sm:grid-cols-5"
      >
        {codes.map((code) => (
          <li key={code} className="text-center">
            {code}
          </li>
        ))}
      </ul>
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" onClick={async () => setCopied(await copyText(text))}>
          {copied ? <Check className="size-4 text-brand-600" /> : <Copy className="size-4" />}
          {copied ? "Copied" : "Copy codes"}
        </Button>
        <Button variant="secondary" onClick={download}>
          <Download className="size-4" />
          Download
        </Button>
        <Button onClick={onDone}>I&apos;ve saved them</Button>
      </div>
    </div>
  );
}
