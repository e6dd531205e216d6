/**
 * A month calendar of upgrade dates for one tier, fed with GET /api/tickets/{ref}/upgrade-options.
 * Each bookable day shows the amount due and its button is named "Monday, November 30, $50.00"
 * (date and price side by side, as WCAG 2.5.3 "label in name" wants). Closed, sold-out and
 * out-of-window days are disabled, named with the reason and explained in a key below; the
 * cheapest days of the month carry a mark and say "cheapest" in their name.
 */
import { createContext, useContext, useEffect, useMemo, useRef, useState } from "react";
import { DayPicker, type DayButtonProps, type Modifiers } from "react-day-picker";
import "react-day-picker/style.css";
import type { CalendarDay, OptionReason, UpgradeOptions, UpgradeTierKey } from "../api/types";
import { monthKey, parseIsoDate, spokenDay, toIsoDate } from "../dates";
import { formatMoney, fromMinorUnits, toMinorUnits } from "../money";

/** Stock at or below this shows "Only N left". */
const LOW_STOCK = 10;

const REASON_WORDS: Record<OptionReason, string> = {
  sold_out: "sold out",
  date_closed: "park closed",
  date_out_of_window: "not bookable, outside the booking window",
  tier_not_higher: "not an upgrade for this ticket",
};

interface DayInfo {
  iso: string;
  bookable: boolean;
  amountDue: string | null;
  reason: OptionReason | null;
  remaining: number;
}

interface CalendarData {
  days: Map<string, DayInfo>;
  currency: string;
  /** Cheapest amount due per month ("2026-12" → minor units), only where prices differ. */
  cheapestByMonth: Map<string, number>;
}

const DataContext = createContext<CalendarData>({ days: new Map(), currency: "USD", cheapestByMonth: new Map() });

function dayInfo(day: CalendarDay, tier: UpgradeTierKey): DayInfo {
  const option = day.tiers[tier];
  const reason = option?.reason ?? (day.closed ? "date_closed" : null);
  return {
    iso: day.date,
    bookable: Boolean(option?.available) && !day.closed,
    amountDue: option?.amount_due ?? null,
    reason: option?.available ? null : (reason ?? "sold_out"),
    remaining: option?.remaining ?? 0,
  };
}

function buildData(options: UpgradeOptions, tier: UpgradeTierKey): CalendarData {
  const days = new Map<string, DayInfo>();
  const range = new Map<string, { min: number; max: number }>();
  for (const day of options.calendar) {
    const info = dayInfo(day, tier);
    days.set(day.date, info);
    if (info.bookable && info.amountDue) {
      const month = day.date.slice(0, 7);
      const cents = toMinorUnits(info.amountDue);
      const seen = range.get(month) ?? { min: cents, max: cents };
      range.set(month, { min: Math.min(seen.min, cents), max: Math.max(seen.max, cents) });
    }
  }
  // A month where every day costs the same has no "cheapest" day worth pointing at.
  const cheapestByMonth = new Map<string, number>();
  for (const [month, { min, max }] of range) if (min < max) cheapestByMonth.set(month, min);
  return { days, currency: options.currency, cheapestByMonth };
}

function isCheapest(data: CalendarData, info: DayInfo | undefined): boolean {
  if (!info?.bookable || !info.amountDue) return false;
  return data.cheapestByMonth.get(info.iso.slice(0, 7)) === toMinorUnits(info.amountDue);
}

/** The accessible name of a day button: date first, then price or reason, then extras. */
function dayLabel(data: CalendarData, date: Date, modifiers: Modifiers): string {
  const info = data.days.get(toIsoDate(date));
  const parts = [spokenDay(date)];
  if (info?.bookable && info.amountDue) {
    parts.push(formatMoney(info.amountDue, data.currency));
    if (isCheapest(data, info)) parts.push("cheapest");
    if (info.remaining <= LOW_STOCK) parts.push(`only ${info.remaining} left`);
  } else {
    parts.push(REASON_WORDS[info?.reason ?? "date_out_of_window"]);
  }
  if (modifiers.selected) parts.push("selected");
  return parts.join(", ");
}

/**
 * Declared at module level (not inside the calendar's render) so days do not remount on every
 * render, and it focuses itself when react-day-picker moves focus here (arrow keys).
 */
function PricedDayButton({ day, modifiers, children, ...button }: DayButtonProps) {
  const data = useContext(DataContext);
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (modifiers.focused) ref.current?.focus();
  }, [modifiers.focused]);
  const info = data.days.get(toIsoDate(day.date));
  const price = info?.bookable && info.amountDue ? formatMoney(info.amountDue, data.currency) : null;
  return (
    <button ref={ref} {...button} title={price ? undefined : button["aria-label"]}>
      <span className="day-number">{children}</span>
      {price ? <span className="day-price">{price}</span> : <span className="day-price" aria-hidden="true">—</span>}
      {isCheapest(data, info) && <span className="day-cheapest-mark" aria-hidden="true" />}
    </button>
  );
}

export interface UpgradeCalendarProps {
  options: UpgradeOptions;
  tier: UpgradeTierKey;
  /** The chosen date (ISO), if any. */
  selected?: string;
  onSelect: (date: string) => void;
}

function openingDay(options: UpgradeOptions): string {
  const visit = options.ticket.visit_date;
  const bookable = visit >= options.first_bookable && visit <= options.last_bookable;
  return bookable ? visit : options.first_bookable;
}

export function UpgradeCalendar({ options, tier, selected, onSelect }: UpgradeCalendarProps) {
  const data = useMemo(() => buildData(options, tier), [options, tier]);
  const first = options.calendar[0]?.date ?? options.first_bookable;
  const last = options.calendar[options.calendar.length - 1]?.date ?? options.last_bookable;
  // Open where the customer most likely looks: the chosen day, else the ticket's own visit day
  // (most upgrades keep it), else the first bookable day.
  const [month, setMonth] = useState(() => parseIsoDate(selected ?? openingDay(options)));
  const selectedDate = selected ? parseIsoDate(selected) : undefined;
  const selectedInfo = selected ? data.days.get(selected) : undefined;
  const cheapest = data.cheapestByMonth.get(monthKey(month));

  return (
    <DataContext.Provider value={data}>
      <DayPicker
        mode="single"
        month={month}
        onMonthChange={setMonth}
        startMonth={parseIsoDate(first)}
        endMonth={parseIsoDate(last)}
        selected={selectedDate}
        onSelect={(date) => date && onSelect(toIsoDate(date))}
        disabled={(date) => !data.days.get(toIsoDate(date))?.bookable}
        modifiers={{
          cheapest: (date) => isCheapest(data, data.days.get(toIsoDate(date))),
          soldOut: (date) => data.days.get(toIsoDate(date))?.reason === "sold_out",
          closed: (date) => data.days.get(toIsoDate(date))?.reason === "date_closed",
        }}
        modifiersClassNames={{ cheapest: "day-cheapest", soldOut: "day-sold-out", closed: "day-closed" }}
        components={{ DayButton: PricedDayButton }}
        labels={{ labelDayButton: (date, modifiers) => dayLabel(data, date, modifiers) }}
        footer={
          selected && selectedInfo?.amountDue
            ? `You chose ${spokenDay(parseIsoDate(selected))}: ${formatMoney(selectedInfo.amountDue, data.currency)} to pay.`
            : "Pick a date to see the amount due."
        }
      />
      <ul className="calendar-key" aria-label="Calendar key">
        {cheapest !== undefined && (
          <li>
            <span className="day-cheapest-mark" aria-hidden="true" /> Cheapest this month:{" "}
            {formatMoney(fromMinorUnits(cheapest), data.currency)}
          </li>
        )}
        <li>Sold out: no places left for this upgrade that day.</li>
        <li>Park closed: nothing can be booked that day.</li>
        <li>Greyed out: outside the booking window, 2 to 120 days ahead.</li>
      </ul>
    </DataContext.Provider>
  );
}
