// The simulated lead's identity in the playground.

const NAMES = [
  "Maria Gonzalez",
  "Oliver Smith",
  "Priya Shah",
  "Sam Lee",
  "Aisha Khan",
  "Lucas Martin",
  "Mei Chen",
  "Rahul Verma",
];

/** A fresh US test number, "+1555" and seven random digits. */
export function randomPhone(random: () => number = Math.random): string {
  let digits = "";
  for (let i = 0; i < 7; i += 1) digits += Math.floor(random() * 10).toString();
  return `+1555${digits}`;
}

export function randomName(random: () => number = Math.random): string {
  return NAMES[Math.floor(random() * NAMES.length)] ?? NAMES[0]!;
}

/** The digits of a phone number ("+1 555-010 0199" → "15550100199"). */
export function phoneDigits(phone: string | null | undefined): string {
  return (phone ?? "").replace(/\D/g, "");
}

/** Null when the number is usable, else what is wrong with it. */
export function phoneProblem(phone: string): string | null {
  const trimmed = phone.trim();
  if (!trimmed) return "Enter the lead's phone number.";
  if (!/^\+?[\d\s().-]+$/.test(trimmed)) return "Use digits only, like +15551234567.";
  const n = phoneDigits(trimmed).length;
  if (n < 7 || n > 15) return "A phone number has 7 to 15 digits, like +15551234567.";
  return null;
}

/** The number as sent to the API: "+" and digits. */
export function normalizePhone(phone: string): string {
  return `+${phoneDigits(phone)}`;
}

/** A stored number shown with its "+" ("15551234567" → "+15551234567"). */
export function withPlus(phone: string): string {
  const trimmed = phone.trim();
  return !trimmed || trimmed.startsWith("+") ? trimmed : `+${trimmed}`;
}
