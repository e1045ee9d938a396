// The dashboard's tables: leader accountability, demonstration and weak branches, and the
// village/community table under the map (which downloads as XLSX with the same filters).
import { esc, figures, format, levelBadge, percent, sortable } from "./dashboard-util.js";

export class Tables {
  constructor(T, starNames, { onPickCommunity, onPickLeader }) {
    this.T = T;
    this.starNames = starNames;
    this.onPickCommunity = onPickCommunity;
    this.onPickLeader = onPickLeader;
    this.leaders = [];
    this.shown = [];

    const leadersTable = document.getElementById("leaders-table");
    this.renderLeaders = sortable(leadersTable, () => this.leaders, (rows) => this.drawLeaders(leadersTable, rows));
    const communityTable = document.getElementById("community-table");
    this.renderCommunities = sortable(communityTable, () => this.shown, (rows) => this.drawCommunities(communityTable, rows));

    const pick = (selector, handler) =>
      document.addEventListener("click", (e) => {
        const row = e.target.closest(selector);
        if (row && !e.target.closest("a")) handler(row.dataset.code);
      });
    pick("#community-table tbody tr[data-code], .branch-list li[data-code]", (code) => this.onPickCommunity(code));
    pick("#leaders-table tbody tr[data-code]", (code) => this.onPickLeader(code));
    for (const id of ["community-table", "leaders-table"]) {
      document.getElementById(id).addEventListener("keydown", (e) => {
        if (e.key === "Enter" && e.target.matches("tr[data-code]")) e.target.click();
      });
    }
  }

  starList(p, stars) {
    return stars.map((n) => this.starNames[p.kind][n - 1]).join("、");
  }

  // Everything drawn from the features of the reader's area (one call per period).
  setFeatures(features) {
    const byLeader = new Map();
    for (const p of features) {
      if (!p.leader_code) continue;
      if (!byLeader.has(p.leader_code)) byLeader.set(p.leader_code, []);
      byLeader.get(p.leader_code).push(p);
    }
    this.leaders = [...byLeader.entries()].map(([code, branches]) => {
      const f = figures(branches);
      return {
        code, name: branches[0].leader, title: branches[0].leader_title, branches: f.n,
        average: f.average, share3: f.share3, pipeline: f.pipeline, weak: f.weak,
        list: [...branches].sort((a, b) => b.level - a.level || a.code.localeCompare(b.code)),
      };
    });
    document.getElementById("leaders-count").textContent = format(this.T.leadersCount, { n: this.leaders.length });
    this.renderLeaders();

    const demo = features.filter((p) => p.demonstration).sort((a, b) => b.level - a.level || a.code.localeCompare(b.code));
    const weak = features.filter((p) => p.weak).sort((a, b) => a.level - b.level || a.code.localeCompare(b.code));
    this.drawList("demo", demo, (p) => this.T.demonstration[p.demonstration] || "");
    this.drawList("weak", weak, () => this.T.weakLabel);
  }

  drawLeaders(table, rows) {
    const T = this.T;
    table.tBodies[0].innerHTML = rows
      .map(
        (r) => `<tr data-code="${esc(r.code)}" tabindex="0">
          <td><b>${esc(r.name)}</b><small>${esc(r.title)}</small></td>
          <td class="n">${r.branches}</td>
          <td class="n">${r.average.toFixed(2)}</td>
          <td class="n">${percent(r.share3 * r.branches, r.branches)}</td>
          <td class="n">${r.pipeline || ""}</td>
          <td class="n">${r.weak ? `<span class="warn">${r.weak}</span>` : ""}</td>
          <td class="levels">${r.list.map((p) => levelBadge(p.level, T, "mini").replace("title=\"", `title="${esc(p.name)} · `)).join("")}</td>
        </tr>`,
      )
      .join("");
  }

  drawList(name, items, note) {
    document.getElementById(`${name}-count`).textContent = format(this.T.branchCount, { n: items.length });
    const list = document.getElementById(`${name}-list`);
    list.innerHTML = items.length
      ? items
          .map(
            (p) => `<li data-code="${esc(p.code)}" tabindex="0" role="button">
              ${levelBadge(p.level, this.T)}
              <span class="bl-name">${esc(p.name)}<small>${esc(p.subdistrict_name)} · ${esc(note(p))}</small></span>
              <span class="bl-leader">${esc(p.leader || "")}</span>
            </li>`,
          )
          .join("")
      : `<li class="empty">${esc(this.T.none)}</li>`;
  }

  // The rows under the map: the features that pass the filters (and the chosen sub-district).
  setShown(features, total) {
    this.shown = features.map((p) => ({ ...p, pipeline_count: p.pipeline.length }));
    document.getElementById("table-count").textContent = format(this.T.tableCount, { n: features.length, total });
    this.renderCommunities();
  }

  drawCommunities(table, rows) {
    const T = this.T;
    table.tBodies[0].innerHTML = rows.length
      ? rows
          .map(
            (p) => `<tr data-code="${esc(p.code)}" tabindex="0">
              <td class="mono">${esc(p.code)}</td>
              <td><b>${esc(p.name)}</b> <span class="kind kind-${p.kind}">${esc(T.kinds[p.kind])}</span>${p.demonstration ? ` <span class="tag demo">${esc(T.demoShort)}</span>` : ""}${p.weak ? ` <span class="tag weak">${esc(T.weakShort)}</span>` : ""}</td>
              <td>${esc(p.subdistrict_name)}</td>
              <td>${levelBadge(p.level, T)}</td>
              <td class="stars-cell">${esc(this.starList(p, p.stars)) || '<span class="muted">—</span>'}</td>
              <td class="stars-cell flight">${esc(this.starList(p, p.pipeline))}</td>
              <td>${esc(p.leader || "")}</td>
            </tr>`,
          )
          .join("")
      : `<tr><td colspan="7" class="empty">${esc(T.noMatch)}</td></tr>`;
  }
}
