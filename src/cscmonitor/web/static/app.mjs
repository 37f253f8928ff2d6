// Progressive enhancement only: every page works without it. Loaded from this site (CSP).
import { initAll } from "/static/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
