/**
 * Hides anything that looks like a card number in text the customer typed, for display while
 * the question is on screen. Stricter than the server (no Luhn check): any run of 13 or more
 * digits, spaces or dashes allowed between them, is hidden.
 */
export const REDACTED_CARD = "[card number removed]";

const DIGIT_RUN = /\d(?:[ -]?\d){12,}/g;

export function hideCardNumbers(text: string): string {
  return text.replace(DIGIT_RUN, REDACTED_CARD);
}
