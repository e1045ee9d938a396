// The ranking page: choosing a period or an order reloads the page; a click on
// a column header re-sorts the rows here (rates best first, the "bad" ones and
// handling time lowest first) without asking the server again.
import { paint } from "./common.js";

const form = document.getElementById("ranking-form");
const table = document.getElementById("ranking");
if (table) paint(table);

form?.addEventListener("change", () => form.submit());

function sortBy(th) {
  const key = th.dataset.key;
  const lowFirst = th.dataset.kind === "bad" || th.dataset.kind === "time";
  const current = th.getAttribute("aria-sort");
  const ascending = current ? current === "descending" : lowFirst;
  const body = table.tBodies[0];
  const value = (row) => {
    const text = row.querySelector(`td[data-key="${key}"]`)?.dataset.value ?? "";
    return text === "" ? null : Number(text);
  };
  const rows = [...body.rows].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return (x === null) - (y === null); // no figure: last
    return ascending ? x - y : y - x;
  });
  // Ties share a rank (1, 2, 2, 4), as on the server.
  let previous;
  let rank = 0;
  rows.forEach((row, i) => {
    const v = value(row);
    if (v !== previous) {
      rank = i + 1;
      previous = v;
    }
    row.querySelector("td.rank").textContent = v === null ? "—" : String(rank);
    body.append(row);
  });
  for (const other of table.tHead.querySelectorAll("th[data-key]")) other.removeAttribute("aria-sort");
  th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
}

table?.tHead.addEventListener("click", (event) => {
  const th = event.target.closest("th[data-key]");
  if (th) sortBy(th);
});
