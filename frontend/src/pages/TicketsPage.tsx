/** My tickets: each with its number, tier, visit date and status, and whether and why it can be upgraded. */
import type { Ticket } from "../api/types";
import { Loading, Page } from "../app/Page";
import { useServices } from "../app/services";
import { useLoad } from "../app/useLoad";
import { ProblemMessage } from "../components/ProblemMessage";
import { longDate } from "../dates";
import { hrefFor, paths } from "../routing";
import { TICKET_STATUS, tierName } from "../words";

function TicketCard({ ticket }: { ticket: Ticket }) {
  const { eligibility } = ticket;
  const headingId = `ticket-${ticket.id}`;
  return (
    <li className="card ticket" aria-labelledby={headingId}>
      <h2 id={headingId}>{ticket.number}</h2>
      <dl className="facts">
        <dt>Tier</dt>
        <dd>{tierName(ticket.tier)}</dd>
        <dt>Visit date</dt>
        <dd>{longDate(ticket.visit_date)}</dd>
        <dt>Status</dt>
        <dd>{TICKET_STATUS[ticket.status] ?? ticket.status}</dd>
      </dl>
      <div className={eligibility.eligible ? "eligibility eligible" : "eligibility not-eligible"}>
        <p>
          <strong>{eligibility.eligible ? "Can be upgraded." : "Cannot be upgraded."}</strong>{" "}
          {eligibility.eligible ? "" : eligibility.message}
        </p>
        {eligibility.guidance && <p>{eligibility.guidance}</p>}
      </div>
      {eligibility.eligible ? (
        <a className="button" href={hrefFor(paths.upgrade(ticket.number))} aria-label={`Upgrade ticket ${ticket.number}`}>
          Upgrade
        </a>
      ) : (
        eligibility.code === "upgrade_in_progress" && (
          <a href={hrefFor(paths.dashboard())} aria-label={`See the upgrade waiting for payment for ${ticket.number}`}>
            See the upgrade waiting for payment
          </a>
        )
      )}
    </li>
  );
}

export function TicketsPage() {
  const { api } = useServices();
  const tickets = useLoad(() => api.tickets(), [api]);
  return (
    <Page title="My tickets">
      {tickets.state === "loading" && <Loading what="your tickets" />}
      {tickets.state === "error" && <ProblemMessage error={tickets.error} onRetry={tickets.reload} />}
      {tickets.state === "ready" &&
        (tickets.data.length === 0 ? (
          <p>You have no tickets on this account yet.</p>
        ) : (
          <ul className="cards" aria-label="Tickets">
            {tickets.data.map((ticket) => (
              <TicketCard key={ticket.id} ticket={ticket} />
            ))}
          </ul>
        ))}
    </Page>
  );
}
