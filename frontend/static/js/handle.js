// The handling desk (/handle/): the department's cases; accept or return,
// ask for time or pending, report a part or the result with photos.
import { startDesk } from "./case-desk.js";
import { esc } from "./case-ui.js";

// What the dispatcher asked for, shown above the actions: the deadline and any note.
function instructionsHtml(c, T) {
  const dispatch = [...c.events].reverse().find((e) => e.action === "dispatch");
  const failed = c.status === "handling" && c.rework_count
    ? [...c.events].reverse().find((e) => e.action === "verify_fail" || e.action === "send_back")
    : null;
  const notes = [dispatch?.note, failed ? `${T.events[failed.action]}: ${failed.note}` : ""].filter(Boolean);
  if (!notes.length) return "";
  return `<section class="instructions">${notes.map((n) => `<p>${esc(n)}</p>`).join("")}</section>`;
}

startDesk({ extras: (c, desk) => instructionsHtml(c, desk.T) });
