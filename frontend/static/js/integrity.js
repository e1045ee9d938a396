// The signals page: bars take their width from data-w (no inline styles under the CSP);
// changing a date or the sub-district reloads the page with the new period.
import { paint } from "./common.js";

const overview = document.getElementById("signals-overview");
if (overview) paint(overview);
const form = document.getElementById("signals-form");
form?.querySelector("select")?.addEventListener("change", () => form.submit());
