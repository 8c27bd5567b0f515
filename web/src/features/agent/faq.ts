// A preview of what the server will make of a faq.txt: blocks of "Q: question" and
// "A: answer" lines, separated by blank lines. The server does the real parse; this only
// tells you, before you send it, how many pairs it holds.

export interface FaqPair {
  question: string;
  answer: string;
}

/**
 * The question/answer pairs of a faq.txt. A line that starts neither with Q: nor A: continues
 * the question or answer above it; a block without both a question and an answer is skipped.
 */
export function parseFaq(text: string): FaqPair[] {
  const pairs: FaqPair[] = [];
  const blocks = text.replace(/\r\n?/g, "\n").split(/\n\s*\n/);
  for (const block of blocks) {
    let question = "";
    let answer = "";
    let current: "q" | "a" | null = null;
    for (const raw of block.split("\n")) {
      const line = raw.trim();
      if (!line) continue;
      const q = /^Q\s*[:.)-]\s*(.*)$/i.exec(line);
      const a = /^A\s*[:.)-]\s*(.*)$/i.exec(line);
      if (q) {
        if (question && answer) {
          pairs.push({ question, answer });
          answer = "";
        }
        question = q[1]!.trim();
        current = "q";
      } else if (a) {
        answer = a[1]!.trim();
        current = "a";
      } else if (current === "q") {
        question = `${question} ${line}`.trim();
      } else if (current === "a") {
        answer = `${answer} ${line}`.trim();
      }
    }
    if (question && answer) pairs.push({ question, answer });
  }
  return pairs;
}
