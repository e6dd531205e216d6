/**
 * Park-local calendar dates ("2026-12-01") to and from Date objects at local midnight, the form
 * react-day-picker works in. No time zone arithmetic: a visit date is a calendar day.
 */

export function parseIsoDate(iso: string): Date {
  const [year, month, day] = iso.split("-").map(Number);
  return new Date(year!, month! - 1, day!);
}

export function toIsoDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** "Monday, November 30": the accessible day name (the year is in the month caption). */
export function spokenDay(date: Date): string {
  return date.toLocaleDateString("en-US", { weekday: "long", month: "long", day: "numeric" });
}

export function monthKey(date: Date): string {
  return toIsoDate(date).slice(0, 7);
}

/** "Sunday, December 6, 2026": a visit date in full, for text outside the calendar. */
export function longDate(iso: string): string {
  return parseIsoDate(iso).toLocaleDateString("en-US", {
    weekday: "long",
    month: "long",
    day: "numeric",
    year: "numeric",
  });
}

/** True when the park-local date `iso` is after today on this device. */
export function isAfterToday(iso: string, now: Date = new Date()): boolean {
  return iso > toIsoDate(now);
}
