// The NHS.UK components' behaviour (the menu that folds the navigation on narrow screens), and
// a page that follows a process: it reloads when the process has moved. Without JavaScript
// every page still works; the reader reloads it.
import { initAll } from "/static/nhsuk-frontend.min.js";

initAll();

const followed = document.querySelector("[data-follow-version]");
if (followed) {
  const url = followed.getAttribute("data-follow-url");
  const seen = followed.getAttribute("data-follow-version");
  const poll = async () => {
    try {
      const answer = await fetch(url, { headers: { Accept: "text/plain" } });
      if (answer.ok && (await answer.text()).trim() !== seen) {
        window.location.reload();
        return;
      }
    } catch {
      // The service is briefly unreachable: try again at the next tick.
    }
    window.setTimeout(poll, 3000);
  };
  window.setTimeout(poll, 3000);
}
