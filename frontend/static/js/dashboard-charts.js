// The dashboard's charts (ECharts from npm, served from static/vendor/echarts/): progress against
// the targets, the sub-district ranking and the trend across periods. ECharts is loaded after the
// map is drawn, so its 700 KB never delay the choropleth.
import { PALETTE, esc, figures, format } from "./dashboard-util.js";

const FONT = '"Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif';
const HELD = "#b91c1c";
const FLIGHT = "#f59e0b";
const GAP = "#e5e1d8";

export function loadECharts(url) {
  if (window.echarts) return Promise.resolve(window.echarts);
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = url;
    script.async = true;
    script.onload = () => resolve(window.echarts);
    script.onerror = () => reject(new Error(`could not load ${url}`));
    document.head.appendChild(script);
  });
}

const TARGETS = [
  ["five_star", 5],
  ["four_star", 4],
  ["three_star", 3],
];

export class Charts {
  constructor(echarts, T, { onPickSubdistrict }) {
    this.T = T;
    this.onPickSubdistrict = onPickSubdistrict;
    this.charts = {};
    for (const name of ["progress", "ranking", "trend"]) {
      const el = document.getElementById(`chart-${name}`);
      if (!el) continue;
      el.classList.remove("skeleton");
      this.charts[name] = echarts.init(el, null, { renderer: "canvas" });
      new ResizeObserver(() => this.charts[name].resize()).observe(el);
    }
    this.charts.ranking?.on("click", (params) => {
      const code = params.data?.code;
      if (code) this.onPickSubdistrict(code);
    });
  }

  base() {
    return {
      textStyle: { fontFamily: FONT },
      animationDuration: 400,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true, textStyle: { fontFamily: FONT, fontSize: 12 } },
    };
  }

  // Held / in flight / still missing, per target level, for the reader's area and the chosen sub-district.
  progress(summary, subdistrict) {
    const T = this.T;
    const blocks = [[summary.scope.name, summary.district]];
    if (subdistrict && summary.scope.whole) {
      const row = summary.subdistricts.find((s) => s.code === subdistrict);
      if (row) blocks.push([row.name, row]);
    }
    const categories = [];
    const held = [];
    const flight = [];
    const rest = [];
    const labels = [];
    for (const [name, block] of blocks) {
      for (const [key, level] of TARGETS) {
        const p = block.progress[key];
        categories.push(blocks.length > 1 ? `${name} · ${T.targetNames[level]}` : T.targetNames[level]);
        const inFlight = p.gap === null ? p.in_pipeline : Math.min(p.in_pipeline, p.gap);
        held.push(p.held);
        flight.push(inFlight);
        rest.push(p.gap === null ? 0 : Math.max(p.gap - inFlight, 0));
        labels.push(p.target === null ? `${p.held}` : `${p.held}/${p.target}`);
      }
    }
    const tip = (index) => {
      const [, block] = blocks[Math.floor(index / 3)];
      const p = block.progress[TARGETS[index % 3][0]];
      return format(T.progressTip, {
        held: p.held, target: p.target ?? "—", pipeline: p.in_pipeline, gap: p.gap ?? "—",
      });
    };
    this.charts.progress.setOption(
      {
        ...this.base(),
        tooltip: {
          ...this.base().tooltip,
          formatter: (items) => `<b>${esc(items[0].name)}</b><br>${tip(items[0].dataIndex)}`,
        },
        legend: { bottom: 0, itemWidth: 12, itemHeight: 10, textStyle: { fontSize: 12 } },
        grid: { left: 8, right: 48, top: 8, bottom: 30, containLabel: true },
        xAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#eee" } } },
        yAxis: { type: "category", data: categories, inverse: true, axisTick: { show: false }, axisLabel: { fontSize: 12 } },
        series: [
          { name: T.held, type: "bar", stack: "p", data: held, itemStyle: { color: HELD }, barMaxWidth: 22 },
          {
            name: T.inPipeline, type: "bar", stack: "p", data: flight,
            itemStyle: { color: FLIGHT, decal: { symbol: "rect", dashArrayX: [1, 0], dashArrayY: [3, 3], rotation: -0.8 } },
          },
          {
            name: T.gap, type: "bar", stack: "p", data: rest, itemStyle: { color: GAP },
            label: { show: true, position: "right", formatter: (p) => labels[p.dataIndex], color: "#374151", fontWeight: 600 },
          },
        ],
        aria: { enabled: true, decal: { show: false } },
      },
      true,
    );
  }

  // Sub-districts by a metric, best first (or last): click a bar to drill down.
  ranking(summary, features, metric, order, selected) {
    const T = this.T;
    const bySub = new Map();
    for (const p of features) {
      if (!bySub.has(p.subdistrict_code)) bySub.set(p.subdistrict_code, []);
      bySub.get(p.subdistrict_code).push(p);
    }
    const rows = summary.subdistricts.map((s) => {
      const f = figures(bySub.get(s.code) || []);
      const value = {
        share3: +(100 * f.share3).toFixed(1),
        average: +f.average.toFixed(2),
        four_plus: f.fourPlus,
        pipeline: f.pipeline,
      }[metric];
      return { code: s.code, name: s.name, value, f };
    });
    rows.sort((a, b) => (order === "desc" ? b.value - a.value : a.value - b.value) || a.code.localeCompare(b.code));
    const unit = metric === "share3" ? "%" : "";
    this.charts.ranking.setOption(
      {
        ...this.base(),
        tooltip: {
          ...this.base().tooltip,
          formatter: (items) => {
            const r = rows[items[0].dataIndex];
            return `<b>${esc(r.name)}</b><br>${format(T.rankingTip, {
              n: r.f.n, average: r.f.average.toFixed(2), share3: `${(100 * r.f.share3).toFixed(0)}%`, pipeline: r.f.pipeline,
            })}`;
          },
        },
        grid: { left: 8, right: 44, top: 4, bottom: 4, containLabel: true },
        xAxis: { type: "value", show: false, max: metric === "share3" ? 100 : null },
        yAxis: {
          type: "category", inverse: true, data: rows.map((r) => r.name), axisTick: { show: false },
          axisLine: { show: false }, axisLabel: { fontSize: 12, color: "#374151" },
        },
        series: [
          {
            type: "bar", barMaxWidth: 16, cursor: "pointer",
            data: rows.map((r) => ({
              value: r.value, code: r.code,
              itemStyle: { color: r.code === selected ? "#7f1d1d" : "#e34a33", borderRadius: [0, 3, 3, 0] },
            })),
            label: { show: true, position: "right", fontSize: 11, color: "#374151", formatter: (p) => `${p.value}${unit}` },
            showBackground: true, backgroundStyle: { color: "#f4f1ea" },
          },
        ],
      },
      true,
    );
  }

  // Branches at each level in every period, stacked, the shown period marked.
  trend(summary) {
    const T = this.T;
    const periods = summary.trend;
    this.charts.trend.setOption(
      {
        ...this.base(),
        tooltip: {
          ...this.base().tooltip,
          // ECharts' own tooltip draws its colour dots with style="" (refused by the CSP); the legend shows the colours.
          formatter: (items) => `<b>${esc(items[0].name)}</b><br>${items.map((i) => `${esc(i.seriesName)}: ${i.value}`).join("<br>")}`,
        },
        legend: { top: 0, itemWidth: 12, itemHeight: 10, itemGap: 8, textStyle: { fontSize: 11 } },
        grid: { left: 8, right: 12, top: 48, bottom: 4, containLabel: true },
        xAxis: {
          type: "category",
          data: periods.map((p) => p.name),
          axisLabel: {
            fontSize: 12,
            interval: 0,
            formatter: (value, index) => (periods[index].period === summary.period ? `{on|${value}}` : value),
            rich: { on: { fontWeight: 700, color: "#7f1d1d" } },
          },
        },
        yAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#eee" } } },
        series: [0, 1, 2, 3, 4, 5].map((level) => ({
          name: T.levelNames[level],
          type: "bar",
          stack: "levels",
          barMaxWidth: 46,
          data: periods.map((p) => p.levels[String(level)]),
          itemStyle: { color: PALETTE[level], borderColor: "#fff", borderWidth: 0.5 },
          emphasis: { focus: "series" },
        })),
      },
      true,
    );
  }
}
