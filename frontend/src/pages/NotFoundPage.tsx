import { Page } from "../app/Page";
import { hrefFor, paths } from "../routing";

export function NotFoundPage() {
  return (
    <Page title="Page not found">
      <p>
        There is nothing at this address. <a href={hrefFor(paths.tickets())}>Go to my tickets</a>.
      </p>
    </Page>
  );
}
