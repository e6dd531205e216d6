/**
 * Money as the API sends it: decimal strings ("31.25"). Comparisons use integer minor units so
 * no float ever decides which day is cheapest; formatting is for display only.
 */

/** "31.25" → 3125; "7" → 700; assumes a two-decimal currency, as the park's USD is. */
export function toMinorUnits(amount: string): number {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(amount.trim());
  if (!match) throw new Error(`Not a money amount: ${amount}`);
  const cents = Number(match[2]) * 100 + Number((match[3] ?? "").padEnd(2, "0"));
  return match[1] ? -cents : cents;
}

const formatters = new Map<string, Intl.NumberFormat>();

/** "31.25", "USD" → "$31.25" (en-US). */
export function formatMoney(amount: string, currency: string): string {
  let formatter = formatters.get(currency);
  if (!formatter) {
    formatter = new Intl.NumberFormat("en-US", { style: "currency", currency });
    formatters.set(currency, formatter);
  }
  return formatter.format(toMinorUnits(amount) / 100);
}

/** 3125 → "31.25", with integer arithmetic only. */
export function fromMinorUnits(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}
