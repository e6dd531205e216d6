/**
 * Upgrade one ticket: the three tiers side by side (features from the API, with the lowest
 * amount due), the calendar for the chosen tier, and "Hold this upgrade", which asks for a quote
 * (POST /api/upgrades) with one Idempotency-Key per attempt, so a double click or a retry after
 * a lost answer holds one upgrade, not two.
 */
import { useRef, useState } from "react";
import { newIdempotencyKey } from "../api/client";
import { ApiError, networkError } from "../api/errors";
import type { TierInfo, UpgradeOptions, UpgradeTierKey } from "../api/types";
import { Loading, Page } from "../app/Page";
import { useServices } from "../app/services";
import { useLoad } from "../app/useLoad";
import { ProblemMessage } from "../components/ProblemMessage";
import { UpgradeCalendar } from "../components/UpgradeCalendar";
import { longDate, spokenDay, parseIsoDate } from "../dates";
import { formatMoney, fromMinorUnits, toMinorUnits } from "../money";
import { hrefFor, navigate, paths } from "../routing";
import { tierName } from "../words";

/** The lowest amount due for a tier over the calendar, or null when no day can be booked. */
/** The most dates the API prices in one answer; covers the booking window with room to spare. */
const CALENDAR_DAYS = 180;

function lowestDue(options: UpgradeOptions, tier: UpgradeTierKey): string | null {
  let lowest: number | null = null;
  for (const day of options.calendar) {
    const option = day.tiers[tier];
    if (option?.available && !day.closed) {
      const cents = toMinorUnits(option.amount_due);
      if (lowest === null || cents < lowest) lowest = cents;
    }
  }
  return lowest === null ? null : fromMinorUnits(lowest);
}

function isHigher(options: UpgradeOptions, tier: UpgradeTierKey): boolean {
  return !options.calendar.every((day) => day.tiers[tier]?.reason === "tier_not_higher");
}

function TierChoice({
  options,
  tier,
  checked,
  onChoose,
}: {
  options: UpgradeOptions;
  tier: TierInfo;
  checked: boolean;
  onChoose: () => void;
}) {
  const higher = isHigher(options, tier.key);
  const lowest = higher ? lowestDue(options, tier.key) : null;
  const inputId = `tier-${tier.key}`;
  const noteId = `${inputId}-note`;
  const note = !higher
    ? "Not an upgrade for this ticket."
    : lowest === null
      ? "No bookable days in the window."
      : `From ${formatMoney(lowest, options.currency)} to pay.`;
  return (
    <div className={`tier${checked ? " tier-chosen" : ""}${higher ? "" : " tier-unavailable"}`}>
      <input
        type="radio"
        name="tier"
        id={inputId}
        value={tier.key}
        checked={checked}
        disabled={!higher || lowest === null}
        onChange={onChoose}
        aria-describedby={noteId}
      />
      <label htmlFor={inputId}>{tier.name}</label>
      <ul className="features" aria-label={`${tier.name} includes`}>
        {tier.features.map((feature) => (
          <li key={feature}>{feature}</li>
        ))}
      </ul>
      <p id={noteId} className="tier-note">
        {note}
      </p>
    </div>
  );
}

function UpgradeForm({ options }: { options: UpgradeOptions }) {
  const { api } = useServices();
  const ticket = options.ticket;
  const choosable = options.tiers.filter((t) => isHigher(options, t.key) && lowestDue(options, t.key) !== null);
  const [tier, setTier] = useState<UpgradeTierKey | undefined>(choosable[0]?.key);
  const [date, setDate] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const sending = useRef(false);
  const attempt = useRef<{ key: string; fingerprint: string } | null>(null);

  const day = date ? options.calendar.find((d) => d.date === date) : undefined;
  const option = day && tier ? day.tiers[tier] : undefined;
  const ready = Boolean(tier && date && option?.available);

  function chooseTier(next: UpgradeTierKey) {
    setTier(next);
    setError(null);
    // Keep the date only if it can still be booked at the new tier.
    const still = date ? options.calendar.find((d) => d.date === date)?.tiers[next]?.available : false;
    if (!still) setDate(undefined);
  }

  async function hold() {
    if (!tier || !date || !ready || sending.current) return;
    const command = { ticket: ticket.number, tier, date };
    const fingerprint = JSON.stringify(command);
    if (!attempt.current || attempt.current.fingerprint !== fingerprint) {
      attempt.current = { key: newIdempotencyKey(), fingerprint };
    }
    sending.current = true;
    setBusy(true);
    setError(null);
    try {
      const order = await api.createUpgrade(command, attempt.current.key);
      navigate(paths.pay(order.id));
    } catch (caught) {
      const apiError = caught instanceof ApiError ? caught : networkError();
      if (!apiError.retryable) attempt.current = null;
      setError(apiError);
      setBusy(false);
    } finally {
      sending.current = false;
    }
  }

  return (
    <>
      <p className="lead">
        Ticket {ticket.number}: {tierName(ticket.tier)}, {longDate(ticket.visit_date)}.
      </p>
      <section aria-labelledby="tiers-heading">
        <h2 id="tiers-heading">1. Choose a tier</h2>
        <fieldset className="tiers">
          <legend className="visually-hidden">Upgrade tier</legend>
          {options.tiers.map((t) => (
            <TierChoice key={t.key} options={options} tier={t} checked={tier === t.key} onChoose={() => chooseTier(t.key)} />
          ))}
        </fieldset>
      </section>
      <section aria-labelledby="date-heading">
        <h2 id="date-heading">2. Choose your visit date</h2>
        {tier ? (
          <UpgradeCalendar options={options} tier={tier} selected={date} onSelect={setDate} />
        ) : (
          <p>This ticket has no upgrade that can be booked right now.</p>
        )}
      </section>
      <section aria-labelledby="hold-heading">
        <h2 id="hold-heading">3. Hold the price</h2>
        <p id="hold-summary" aria-live="polite">
          {ready && tier && date && option
            ? `${tierName(tier)} on ${spokenDay(parseIsoDate(date))}: ${formatMoney(option.amount_due, options.currency)} to pay. We hold it for 15 minutes while you pay.`
            : "Choose a tier and a date first."}
        </p>
        {error && (
          <>
            <ProblemMessage error={error} onRetry={hold} retrying={busy} />
            {error.code === "upgrade_in_progress" && (
              <p>
                <a href={hrefFor(paths.dashboard())}>Go to my upgrades</a> to pay for it or cancel it.
              </p>
            )}
          </>
        )}
        <button type="button" className="primary" onClick={hold} disabled={!ready || busy} aria-describedby="hold-summary">
          {busy ? "Holding…" : "Hold this upgrade"}
        </button>
      </section>
    </>
  );
}

export function UpgradePage({ ticket }: { ticket: string }) {
  const { api } = useServices();
  // The whole booking window (2 to 120 days ahead by default) in one answer: the API's
  // default of 30 days would hide most bookable dates behind a disabled "next month".
  const options = useLoad(() => api.upgradeOptions(ticket, { days: CALENDAR_DAYS }), [api, ticket]);
  return (
    <Page title={`Upgrade ticket ${ticket}`}>
      <p>
        <a href={hrefFor(paths.tickets())}>Back to my tickets</a>
      </p>
      {options.state === "loading" && <Loading what="the upgrade options" />}
      {options.state === "error" && <ProblemMessage error={options.error} onRetry={options.reload} />}
      {options.state === "ready" &&
        (options.data.ticket.eligibility.eligible ? (
          <UpgradeForm options={options.data} />
        ) : (
          <div className="eligibility not-eligible">
            <p>
              <strong>{options.data.ticket.eligibility.message}</strong>
            </p>
            {options.data.ticket.eligibility.guidance && <p>{options.data.ticket.eligibility.guidance}</p>}
          </div>
        ))}
    </Page>
  );
}
