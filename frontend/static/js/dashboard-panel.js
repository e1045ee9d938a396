// The dashboard's KPI cards and details panel as HTML: the district or a sub-district with its
// figures, one branch with its stars and history, or one leader with the branches they answer for.
// Pure functions of the data handed in; dashboard.js puts the HTML in place and wires the clicks.
import { esc, figures, format, levelBadge, percent, starString } from "./dashboard-util.js";

const TARGETS = [["five_star", 5], ["four_star", 4], ["three_star", 3]];

export function kpiHtml(T, features, summary) {
  const cards = {};
  const all = figures(features);
  if (summary) {
    for (const [key] of TARGETS) {
      const p = summary.district.progress[key];
      const target = p.target || 0;
      const width = (n) => (target ? Math.min(100, (100 * n) / target) : 0);
      cards[key] = `<p class="big"><b>${p.held}</b>${p.target !== null ? `<span>/ ${p.target}</span>` : ""}</p>
        <div class="meter" aria-hidden="true"><i class="held" data-w="${width(p.held)}"></i><i class="flight" data-w="${Math.min(width(p.in_pipeline), 100 - width(p.held))}"></i></div>
        <p class="sub">${esc(format(T.kpiPipeline, { n: p.in_pipeline }))} · ${p.gap ? esc(format(T.kpiGap, { n: p.gap })) : `<span class="ok">${esc(T.kpiMet)}</span>`}</p>`;
    }
  }
  cards.share3 = `<p class="big"><b>${percent(all.atLeast3, all.n)}</b></p><p class="sub">${esc(format(T.kpiShare, { n: all.atLeast3, total: all.n, average: all.average.toFixed(2) }))}</p>`;
  const demo = features.filter((p) => p.demonstration);
  cards.demonstration = `<p class="big"><b>${demo.length}</b></p><p class="sub">${esc(format(T.kpiDemo, { n: demo.filter((p) => p.level === 5).length }))}</p>`;
  cards.weak = `<p class="big"><b class="${all.weak ? "warn" : ""}">${all.weak}</b></p><p class="sub">${esc(format(T.kpiWeak, { total: all.n }))}</p>`;
  return cards;
}

export class PanelHtml {
  constructor(T, config, period) {
    this.T = T;
    this.config = config;
    this.period = period;
  }

  areaLine(f) {
    return esc(format(this.T.areaLine, { n: f.n, average: f.average.toFixed(2), share3: percent(f.atLeast3, f.n) }));
  }

  levelBar(levels, total) {
    const T = this.T;
    return `<div class="level-bar" role="img" aria-label="${esc(T.levelDistribution)}">${[5, 4, 3, 2, 1, 0]
      .map((n) => (levels[n] ? `<i class="ink-lv-${n}" data-flex="${levels[n]}" title="${esc(T.levelNames[n])}: ${levels[n]}">${(100 * levels[n]) / total >= 7 ? levels[n] : ""}</i>` : ""))
      .join("")}</div>`;
  }

  progressRows(block) {
    const T = this.T;
    const rows = TARGETS.map(([key, level]) => {
      const p = block.progress[key];
      return `<tr><th>${levelBadge(level, T)} ${esc(T.targetNames[level])}</th><td><b>${p.held}</b></td><td>${p.target ?? "—"}</td><td>${p.in_pipeline || "—"}</td><td class="${p.gap ? "warn" : "ok"}">${p.gap ?? "—"}</td></tr>`;
    }).join("");
    return `<table class="progress-table"><thead><tr><th></th><th>${esc(T.held)}</th><th>${esc(T.target)}</th><th>${esc(T.inPipeline)}</th><th>${esc(T.gap)}</th></tr></thead><tbody>${rows}</tbody></table>`;
  }

  branchItem(p, note) {
    return `<li><button type="button" data-pick-c="${esc(p.code)}">${levelBadge(p.level, this.T)}<span class="pl-name">${esc(p.name)}</span><span class="pl-fig muted">${esc(note || "")}</span></button></li>`;
  }

  // The district (or the reader's sub-district) or one sub-district: figures, targets, and what to drill into.
  area(features, summary, subdistrict) {
    const T = this.T;
    const inArea = subdistrict ? features.filter((p) => p.subdistrict_code === subdistrict) : features;
    const f = figures(inArea);
    const block = subdistrict ? summary?.subdistricts.find((s) => s.code === subdistrict) : summary?.district;
    const name = subdistrict ? inArea[0]?.subdistrict_name : this.config.scope.name;
    let list;
    if (!subdistrict && this.config.scope.whole) {
      const groups = new Map();
      for (const p of features) {
        if (!groups.has(p.subdistrict_code)) groups.set(p.subdistrict_code, { name: p.subdistrict_name, items: [] });
        groups.get(p.subdistrict_code).items.push(p);
      }
      list = `<h3>${esc(T.subdistricts)}</h3><ul class="pick-list">${[...groups.entries()]
        .map(([code, g]) => {
          const gf = figures(g.items);
          return `<li><button type="button" data-pick-sd="${esc(code)}"><span class="pl-name">${esc(g.name)}</span>
            <span class="pl-bar">${this.levelBar(gf.levels, gf.n)}</span><span class="pl-fig">${gf.average.toFixed(1)}★</span></button></li>`;
        })
        .join("")}</ul>`;
    } else {
      const sorted = [...inArea].sort((a, b) => b.level - a.level || a.code.localeCompare(b.code));
      list = `<h3>${esc(T.communities)}</h3><ul class="pick-list">${sorted.map((p) => this.branchItem(p, p.leader)).join("")}</ul>`;
    }
    return `<header class="panel-head"><p class="eyebrow">${esc(subdistrict ? T.subdistrict : T.district)}</p><h2>${esc(name)}</h2>
        <p class="muted">${this.areaLine(f)}</p></header>
      ${this.levelBar(f.levels, f.n)}${block ? this.progressRows(block) : ""}${list}`;
  }

  // One branch: its level, each star held / under assessment / not held, who answers for it; the grid picked.
  community(p, grid, hotspots) {
    const T = this.T;
    const stars = this.config.starNames[p.kind]
      .map((name, index) => {
        const n = index + 1;
        const state = p.stars.includes(n) ? "held" : p.pipeline.includes(n) ? "flight" : "none";
        return `<li class="star-${state}"><span class="star-icon">${state === "held" ? "★" : "☆"}</span><span>${esc(name)}</span><em>${esc(T.starStates[state])}</em></li>`;
      })
      .join("");
    const spot = grid && hotspots?.get(grid.code);
    const gridBox = grid
      ? `<section class="grid-box"><h3>${esc(T.grid)} · ${esc(grid.name)}</h3><table class="facts">
          <tr><th>${esc(T.code)}</th><td class="mono">${esc(grid.code)}</td></tr>
          <tr><th>${esc(T.households)}</th><td>${grid.households}</td></tr>
          <tr><th>${esc(T.population)}</th><td>${grid.population}</td></tr>
          ${hotspots ? `<tr><th>${esc(T.gridCases)}</th><td>${spot ? esc(format(T.hotspotTip, { cases: spot.cases, open: spot.open })) : 0}</td></tr>` : ""}
        </table><button type="button" class="dash-btn small" data-pick-c="${esc(p.code)}">${esc(T.backToCommunity)}</button></section>`
      : "";
    const later = p.pipeline_level > p.level ? `<small>${esc(format(T.pipelineLevel, { n: p.pipeline_level }))}</small>` : "";
    return `<header class="panel-head"><p class="eyebrow">${esc(p.subdistrict_name)} · ${esc(T.kinds[p.kind])}</p>
        <h2>${esc(p.name)}</h2><p class="muted">${esc(p.branch || "")}</p>
        <button type="button" class="close" data-close aria-label="${esc(T.close)}">×</button></header>
      ${gridBox}
      <div class="level-pill ink-lv-${p.level}"><span>${starString(p.level)}</span><b>${esc(T.levelNames[p.level])}</b>${later}</div>
      <ul class="star-states">${stars}</ul>
      <table class="facts">
        <tr><th>${esc(T.leader)}</th><td>${esc(p.leader || "—")} <small>${esc(p.leader_title || "")}</small></td></tr>
        <tr><th>${esc(T.demonstrationLabel)}</th><td>${p.demonstration ? `<span class="tag demo">${esc(T.demonstration[p.demonstration])}</span>` : "—"}</td></tr>
        <tr><th>${esc(T.weakLabel)}</th><td>${p.weak ? `<span class="tag weak">${esc(T.yes)}</span>` : esc(T.no)}</td></tr>
        <tr><th>${esc(T.openCases)}</th><td>${p.cases === null ? `<span class="muted">${esc(T.notMeasured)}</span>` : p.cases}</td></tr>
        <tr><th>${esc(T.code)}</th><td class="mono">${esc(p.code)}</td></tr>
      </table>
      <section class="history" id="branch-history" data-code="${esc(p.code)}"><h3>${esc(T.history)}</h3><p class="muted">${esc(T.loading)}</p></section>`;
  }

  // The branch across periods (GET /api/dashboard/branches/<code>/), with the link to its page when it exists.
  history(answer) {
    const T = this.T;
    const periods = answer.history
      .map((h) => {
        const stars = h.stars.map((s) => `<i class="st st-${esc(s.status)}" title="${esc(s.name)} · ${esc(s.status_label)}">${esc(s.name)}</i>`).join("");
        return `<li class="${h.period === this.period ? "now" : ""}"><span class="hp">${esc(h.name)}</span>${levelBadge(h.level, T)}
          <span class="hs">${stars || `<span class="muted">${esc(T.noApplications)}</span>`}</span></li>`;
      })
      .join("");
    const events = answer.events
      .map((e) => `<li><time>${esc(e.at)}</time> <b>${esc(e.star)}</b> ${esc(T.actions[e.action] || e.action)}${e.actor ? ` <small>${esc(e.actor)}</small>` : ""}</li>`)
      .join("");
    const link = answer.page ? `<a class="dash-btn primary history-link" href="${esc(answer.page)}">${esc(T.openHistory)} →</a>` : "";
    return `<h3>${esc(T.history)}</h3><ol class="history-list">${periods}</ol>
      ${events ? `<h3>${esc(T.latestSteps)}</h3><ol class="event-list">${events}</ol>` : ""}${link}`;
  }

  // One leader (包保): the branches they answer for, best first; "" when none is in the reader's area.
  leader(features, code) {
    const T = this.T;
    const mine = features.filter((p) => p.leader_code === code).sort((a, b) => b.level - a.level || a.code.localeCompare(b.code));
    if (!mine.length) return "";
    const f = figures(mine);
    return `<header class="panel-head"><p class="eyebrow">${esc(T.leader)}</p><h2>${esc(mine[0].leader)}</h2><p class="muted">${esc(mine[0].leader_title)}</p>
        <button type="button" class="close" data-close aria-label="${esc(T.close)}">×</button></header>
      <p class="muted">${this.areaLine(f)}</p>${this.levelBar(f.levels, f.n)}
      <ul class="pick-list">${mine.map((p) => this.branchItem(p, p.subdistrict_name)).join("")}</ul>`;
  }
}
