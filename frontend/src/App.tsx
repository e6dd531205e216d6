/**
 * The site's shell. The pages (sign-in, my tickets, upgrade, payment, progress, dashboard, chat)
 * are the rest of issue 6; until they land this only says where the customer is.
 */
export function App() {
  return (
    <main>
      <h1>Ticket upgrades</h1>
      <p>The customer site is being built. Meanwhile the API is described at <a href="/schema">/schema</a>.</p>
    </main>
  );
}
