/**
 * Card checks the site can make before anything is sent: Luhn, brand from the IIN ranges, expiry
 * in the future, CVC length for the brand, a name. Messages are plain words for the customer.
 * Nothing here stores or logs the number.
 */
import type { PaymentCard } from "../api/types";

export type CardBrand =
  | "visa"
  | "mastercard"
  | "amex"
  | "discover"
  | "diners"
  | "jcb"
  | "unionpay"
  | "unknown";

interface BrandRule {
  brand: Exclude<CardBrand, "unknown">;
  name: string;
  /** Numeric prefix ranges [low, high], compared on the same number of leading digits. */
  ranges: Array<[number, number]>;
  lengths: number[];
  /** Digit groups for display, e.g. [4, 6, 5] for American Express. */
  groups: number[];
  cvcLength: number;
}

// Order matters: the more specific ranges first (Discover's 622126–622925 before UnionPay's 62).
const RULES: BrandRule[] = [
  { brand: "amex", name: "American Express", ranges: [[34, 34], [37, 37]], lengths: [15], groups: [4, 6, 5], cvcLength: 4 },
  { brand: "visa", name: "Visa", ranges: [[4, 4]], lengths: [13, 16, 19], groups: [4, 4, 4, 4, 3], cvcLength: 3 },
  { brand: "mastercard", name: "Mastercard", ranges: [[51, 55], [2221, 2720]], lengths: [16], groups: [4, 4, 4, 4], cvcLength: 3 },
  { brand: "discover", name: "Discover", ranges: [[6011, 6011], [644, 649], [65, 65], [622126, 622925]], lengths: [16, 17, 18, 19], groups: [4, 4, 4, 4, 3], cvcLength: 3 },
  { brand: "diners", name: "Diners Club", ranges: [[300, 305], [36, 36], [38, 39]], lengths: [14, 16], groups: [4, 6, 4], cvcLength: 3 },
  { brand: "jcb", name: "JCB", ranges: [[3528, 3589]], lengths: [16, 17, 18, 19], groups: [4, 4, 4, 4, 3], cvcLength: 3 },
  { brand: "unionpay", name: "UnionPay", ranges: [[62, 62]], lengths: [16, 17, 18, 19], groups: [4, 4, 4, 4, 3], cvcLength: 3 },
];

const DEFAULT_GROUPS = [4, 4, 4, 4, 3];
const MAX_DIGITS = 19;

export function digitsOnly(value: string): string {
  return value.replace(/\D/g, "");
}

/** The Luhn (mod 10) checksum every real card number passes. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function ruleFor(digits: string): BrandRule | undefined {
  return RULES.find((rule) =>
    rule.ranges.some(([low, high]) => {
      const width = String(low).length;
      if (digits.length < width) return false;
      const prefix = Number(digits.slice(0, width));
      return prefix >= low && prefix <= high;
    }),
  );
}

export function detectBrand(number: string): CardBrand {
  return ruleFor(digitsOnly(number))?.brand ?? "unknown";
}

export function brandName(brand: CardBrand): string {
  return RULES.find((rule) => rule.brand === brand)?.name ?? "Card";
}

export function cvcLength(brand: CardBrand): number {
  return brand === "amex" ? 4 : 3;
}

/** Groups the digits as the brand prints them ("4242 4242 4242 4242", "3782 822463 10005"). */
export function formatCardNumber(value: string): string {
  const digits = digitsOnly(value).slice(0, MAX_DIGITS);
  const rule = ruleFor(digits);
  const groups = rule?.groups ?? DEFAULT_GROUPS;
  const parts: string[] = [];
  let at = 0;
  for (const size of groups) {
    if (at >= digits.length) break;
    parts.push(digits.slice(at, at + size));
    at += size;
  }
  if (at < digits.length) parts.push(digits.slice(at));
  return parts.join(" ");
}

/**
 * Formats what the customer types into MM/YY. The slash appears with the third digit, so that
 * deleting back over it never gets stuck.
 */
export function formatExpiry(value: string): string {
  // "1/30" means January: a separator after one digit closes the month.
  const shortMonth = /^\s*\d\s*[-/. ]/.test(value);
  const digits = ((shortMonth ? "0" : "") + digitsOnly(value)).slice(0, 4);
  if (digits.length === 1 && Number(digits) > 1) return `0${digits}`;
  if (digits.length <= 2) return digits;
  return `${digits.slice(0, 2)}/${digits.slice(2)}`;
}

/** Month and four-digit year from "MM/YY" (also "MM/YYYY"), or null when it is not a date. */
export function parseExpiry(value: string): { month: number; year: number } | null {
  const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(value);
  if (!match) return null;
  const month = Number(match[1]);
  const year = match[2]!.length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
  if (month < 1 || month > 12) return null;
  return { month, year };
}

export interface CardInput {
  number: string;
  expiry: string;
  cvc: string;
  name: string;
}

export type CardField = keyof CardInput;
export type CardErrors = Partial<Record<CardField, string>>;

export interface CardCheck {
  brand: CardBrand;
  errors: CardErrors;
  valid: boolean;
}

/** The number's problem in words, or undefined when it is fine. */
export function numberError(number: string): string | undefined {
  const digits = digitsOnly(number);
  if (!digits) return "Enter the card number.";
  if (/[^\d\s-]/.test(number)) return "Use digits only for the card number.";
  const rule = ruleFor(digits);
  if (rule && !rule.lengths.includes(digits.length)) {
    const lengths = rule.lengths.length > 1
      ? `${rule.lengths.slice(0, -1).join(", ")} or ${rule.lengths[rule.lengths.length - 1]}`
      : String(rule.lengths[0]);
    return `A ${rule.name} card number has ${lengths} digits; this one has ${digits.length}.`;
  }
  if (!rule && (digits.length < 12 || digits.length > MAX_DIGITS)) {
    return "A card number has 12 to 19 digits. Check the number on your card.";
  }
  if (!luhnValid(digits)) return "This card number is not valid. Check for a mistyped digit.";
  return undefined;
}

/**
 * The expiry's problem in words. A card is good to the last day of its expiry month, judged
 * by the customer's calendar at `now`.
 */
export function expiryError(expiry: string, now: Date): string | undefined {
  if (!expiry.trim()) return "Enter the expiry date as MM/YY.";
  const parsed = parseExpiry(expiry);
  if (!parsed) return "Write the expiry date as MM/YY, for example 08/29.";
  const months = parsed.year * 12 + (parsed.month - 1);
  const current = now.getFullYear() * 12 + now.getMonth();
  if (months < current) return "This card has expired. Use another card.";
  if (months > current + 20 * 12) return "That expiry date is too far ahead. Check the date on your card.";
  return undefined;
}

export function cvcError(cvc: string, brand: CardBrand): string | undefined {
  const want = cvcLength(brand);
  const where = brand === "amex" ? "on the front of the card" : "on the back of the card";
  if (!cvc.trim()) return `Enter the ${want}-digit security code ${where}.`;
  if (!new RegExp(`^\\d{${want}}$`).test(cvc.trim())) {
    return `The security code is ${want} digits, ${where}.`;
  }
  return undefined;
}

export function nameError(name: string): string | undefined {
  return name.trim() ? undefined : "Enter the name as it is printed on the card.";
}

export function validateCard(input: CardInput, now: Date): CardCheck {
  const brand = detectBrand(input.number);
  const errors: CardErrors = {};
  const checks: Array<[CardField, string | undefined]> = [
    ["number", numberError(input.number)],
    ["expiry", expiryError(input.expiry, now)],
    ["cvc", cvcError(input.cvc, brand)],
    ["name", nameError(input.name)],
  ];
  for (const [field, message] of checks) if (message) errors[field] = message;
  return { brand, errors, valid: Object.keys(errors).length === 0 };
}

/** The API's card body from valid input; call only after validateCard says valid. */
export function toPaymentCard(input: CardInput): PaymentCard {
  const expiry = parseExpiry(input.expiry);
  if (!expiry) throw new Error("toPaymentCard needs a valid expiry");
  return {
    number: digitsOnly(input.number),
    exp_month: expiry.month,
    exp_year: expiry.year,
    cvc: input.cvc.trim(),
    name: input.name.trim(),
  };
}
