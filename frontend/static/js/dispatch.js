// The dispatch desk (/dispatch/): the open cases of the dispatcher's area, the
// suggested department with its reason, and possible duplicates to merge.
import { startDesk } from "./case-desk.js";
import { caseUrl, esc, fill, statusChip } from "./case-ui.js";

// Statuses in which the dispatcher still chooses where a case goes.
const ROUTING = new Set(["reported", "registered", "return_requested"]);

function suggestionHtml(c, T) {
  if (!ROUTING.has(c.status) || !c.suggestion) return "";
  const s = c.suggestion;
  const name = s.department ? esc(s.department.name) : `<span class="flag flag-unroutable">!</span> ${esc(T.unroutable)}`;
  return (
    `<section class="suggestion suggestion-${esc(s.level)}" data-department="${esc(s.department?.code || "")}">` +
    `<h3>${esc(T.suggestion)}</h3><p class="suggested">${name}</p><p class="reason">${esc(s.reason)}</p></section>`
  );
}

function duplicatesHtml(c, T, desk) {
  if (!["reported", "registered"].includes(c.status)) return "";
  const list = c.duplicates || [];
  if (!list.length) return `<section class="duplicates"><h3>${esc(T.duplicates)}</h3><p class="muted">${esc(T.noDuplicates)}</p></section>`;
  const canMerge = (c.allowed_actions || []).includes("merge");
  const items = list
    .map(
      (d) =>
        `<li data-number="${esc(d.number)}"><div><a href="${esc(caseUrl(desk.API.page, desk.API.placeholder, d.number))}" class="num">${esc(d.number)}</a> ` +
        `${statusChip(d.status, T.status[d.status])} <small>${esc(fill(T.metres, { n: Math.round(d.distance_m) }))} · ${esc(desk.fmt.short(d.reported_at))}</small></div>` +
        `<p>${esc(d.description)}</p>` +
        (canMerge ? `<button type="button" class="btn btn-quiet btn-small" data-merge="${esc(d.number)}">${esc(T.mergeInto)}</button>` : "") +
        `</li>`,
    )
    .join("");
  return `<section class="duplicates has-duplicates"><h3>${esc(T.duplicates)} <span class="count">${list.length}</span></h3><ul>${items}</ul></section>`;
}

startDesk({
  extras: (c, desk) => suggestionHtml(c, desk.T) + duplicatesHtml(c, desk.T, desk),
});
