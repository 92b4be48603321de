// thermidor's page: plain JavaScript, no libraries. Every view is a URL that can be shared:
//   /                 a form to run a scenario with edited parameters
//   /runs/<key>       one run: live progress while it runs, then charts, chronology, targets
//   /runs             the stored runs, to open or compare
//   /compare?runs=a,b two or more runs side by side
"use strict";

const app = document.getElementById("app");
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
  "#7f7f7f", "#bcbd22", "#17becf"];
const DASHES = ["", "7 4", "2 3", "9 3 2 3", "4 2"];
const TXT = 'font-family="sans-serif" font-size="10" fill="#333" stroke="none"';

// -- small helpers -------------------------------------------------------------------------
function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;",
    '"': "&quot;", "'": "&#39;"}[c]));
}

function num(x) {
  if (x === null || x === undefined || !isFinite(x)) return "n/a";
  const a = Math.abs(x);
  if (a >= 1e6) return (x / 1e6).toPrecision(3) + " million";
  if (a >= 1000) return Math.round(x).toLocaleString("en-GB");
  return Number(x.toPrecision(3)).toString();
}

async function api(path, options) {
  const res = await fetch(path, options);
  let body = null;
  const text = await res.text();
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = text; }
  return {ok: res.ok, status: res.status, body};
}

// The messages of a 4xx answer: FastAPI's list of {loc, msg} or a plain string.
function messages(body) {
  if (!body) return ["no answer"];
  const d = body.detail ?? body;
  if (Array.isArray(d)) return d.map((x) => x.msg || JSON.stringify(x));
  return [typeof d === "string" ? d : JSON.stringify(d)];
}

function alertBox(lines, id) {
  return `<div class="alert" role="alert" id="${id || "alert"}"><strong>Not accepted:</strong>` +
    `<ul>${lines.map((l) => `<li>${esc(l)}</li>`).join("")}</ul></div>`;
}

const time = (iso) => Date.parse(iso + "T00:00:00Z");
const year = (t) => new Date(t).getUTCFullYear();

// -- charts: inline SVG ----------------------------------------------------------------------
// spec: {title, unit, log, series: [{name, colour, dash, points: [[t, y]], markers}],
//        marks: [{id, t, y, tol, atLeast}], vlines: [{t, label}]}
function chart(spec) {
  const W = 560, H = 280, L = 62, R = 14, T = 26, B = 40;
  if (spec.log) {  // as on paper: a log axis leaves out zeros
    spec = {...spec, series: spec.series.map((s) => ({...s, points: s.points.filter((p) => p[1] > 0)}))};
  }
  const pts = spec.series.flatMap((s) => s.points);
  const all = pts.concat(spec.marks.map((m) => [m.t, m.y]));
  if (!pts.length) return "";
  // the x-axis spans the whole run from the start (spec.span), not just the weeks drawn so far
  let x0 = spec.span ? spec.span[0] : Math.min(...all.map((p) => p[0]));
  let x1 = spec.span ? spec.span[1] : Math.max(...all.map((p) => p[0]));
  if (x1 === x0) x1 = x0 + 86400000 * 30;
  const ys = all.map((p) => p[1]).concat(spec.marks.map((m) => m.y + (m.tol || 0)));
  let y0, y1;
  const log = spec.log && ys.every((y) => y > 0);
  const f = log ? Math.log10 : (y) => y;
  if (log) {
    y0 = Math.floor(Math.log10(Math.min(...ys))); y1 = Math.ceil(Math.log10(Math.max(...ys)));
    if (y1 === y0) y1 += 1;
  } else {
    y0 = Math.min(0, ...ys); y1 = Math.max(...ys);
    if (y1 === y0) y1 = y0 + 1;
    y1 += (y1 - y0) * 0.05;
  }
  const sx = (t) => L + (t - x0) / (x1 - x0) * (W - L - R);
  const sy = (y) => H - B - (f(y) - y0) / (y1 - y0) * (H - T - B);
  let g = "";
  // axes and ticks
  for (let yr = year(x0) + 1; yr <= year(x1); yr++) {
    const x = sx(Date.UTC(yr, 0, 1));
    g += `<line x1="${x}" x2="${x}" y1="${T}" y2="${H - B}" stroke="#eee"/>` +
      `<text x="${x}" y="${H - B + 14}" text-anchor="middle" ${TXT}>${yr}</text>`;
  }
  const ticks = log ? range(y0, y1, 1).map((e) => Math.pow(10, e)) : niceTicks(y0, y1);
  for (const v of ticks) {
    const y = sy(v);
    g += `<line x1="${L}" x2="${W - R}" y1="${y}" y2="${y}" stroke="#eee"/>` +
      `<text x="${L - 5}" y="${y + 3.5}" text-anchor="end" ${TXT}>${tickLabel(v)}</text>`;
  }
  g += `<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="#888"/>` +
    `<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#888"/>`;
  g += `<text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle" ${TXT} fill="#555">date (year)</text>`;
  g += `<text transform="translate(13 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle" ${TXT} fill="#555">${esc(spec.unit)}</text>`;
  g += `<text x="${L}" y="15" ${TXT} font-size="11.5" font-weight="700">${esc(spec.title)}</text>`;
  for (const v of spec.vlines || []) {
    const x = sx(v.t);
    g += `<line x1="${x}" x2="${x}" y1="${T}" y2="${H - B}" stroke="${v.colour || "#555"}" stroke-dasharray="3 3"><title>${esc(v.label)}</title></line>`;
  }
  for (const s of spec.series) {
    if (!s.points.length) continue;
    const d = s.points.map((p, i) => `${i ? "L" : "M"}${sx(p[0]).toFixed(1)} ${sy(p[1]).toFixed(1)}`).join("");
    g += `<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="${s.width || 1.6}" stroke-dasharray="${s.dash || ""}"/>`;
    if (s.markers) {
      g += s.points.map((p) => `<circle cx="${sx(p[0]).toFixed(1)}" cy="${sy(p[1]).toFixed(1)}" r="2.4" fill="${s.colour}"/>`).join("");
    }
  }
  for (const m of spec.marks) {
    const x = sx(m.t), y = sy(m.y);
    if (!m.atLeast && m.tol) {
      g += `<line x1="${x}" x2="${x}" y1="${sy(m.y + m.tol)}" y2="${sy(Math.max(m.y - m.tol, log ? m.y / 10 : -Infinity))}" stroke="#000"/>`;
    }
    g += m.atLeast
      ? `<path d="M${x - 5} ${y + 4}L${x + 5} ${y + 4}L${x} ${y - 5}Z" fill="#000"/>`
      : `<path d="M${x} ${y - 5}L${x + 5} ${y}L${x} ${y + 5}L${x - 5} ${y}Z" fill="#000"/>`;
    g += `<text x="${x + 7}" y="${y - 5}" ${TXT} font-size="9">${esc(m.id)}</text>`;
  }
  const alt = describe(spec);
  const legend = (spec.legend || spec.series.filter((s) => s.points.length)).map((s) =>
    `<li><svg viewBox="0 0 26 10" aria-hidden="true"><line x1="0" x2="26" y1="5" y2="5" stroke="${s.colour}" stroke-width="2.5" stroke-dasharray="${s.dash || ""}"/></svg>${esc(s.name)}</li>`)
    .concat(spec.marks.length ? ["<li>◆ essay's figure ± tolerance</li>"] : [])
    .concat((spec.vlines || []).length ? ["<li>┆ forced decision</li>"] : []).join("");
  return `<figure class="chart"><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(alt)}">` +
    `<title>${esc(alt)}</title>${g}</svg>` +
    `<ul class="legend">${legend}</ul><figcaption class="sr">${esc(alt)}</figcaption></figure>`;
}

function range(a, b, step) { const out = []; for (let v = a; v <= b + 1e-9; v += step) out.push(v); return out; }

function niceTicks(lo, hi) {
  const span = hi - lo, raw = span / 5, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= 6) || mag * 10;
  return range(Math.ceil(lo / step) * step, hi, step).map((v) => Number(v.toPrecision(10)));
}

function tickLabel(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return (v / 1e6) + "M";
  if (a >= 1e4) return (v / 1e3) + "k";
  return String(Number(v.toPrecision(6)));
}

// A text alternative generated from the numbers drawn.
function describe(spec) {
  const parts = [`${spec.title} (${spec.unit}).`];
  for (const s of spec.series) {
    if (!s.points.length) continue;
    const p = s.points, first = p[0], last = p[p.length - 1];
    let lo = p[0], hi = p[0];
    for (const q of p) { if (q[1] < lo[1]) lo = q; if (q[1] > hi[1]) hi = q; }
    const m = (t) => new Date(t).toISOString().slice(0, 7);
    parts.push(`${s.name}: from ${num(first[1])} (${m(first[0])}) to ${num(last[1])} (${m(last[0])}), ` +
      `lowest ${num(lo[1])} (${m(lo[0])}), highest ${num(hi[1])} (${m(hi[0])}).`);
  }
  for (const k of spec.marks) parts.push(`Essay's figure ${k.id}: ${k.atLeast ? "at least " : ""}${num(k.y)}${k.atLeast ? "" : " ± " + num(k.tol)}.`);
  return parts.join(" ");
}

// -- figures from the shared declaration (/api/figures) -----------------------------------------
function expand(patterns, columns) {
  const out = [];
  for (const s of patterns) {
    if (s.endsWith(":*")) out.push(...columns.filter((c) => c.startsWith(s.slice(0, -1))).sort());
    else if (columns.includes(s)) out.push(s);
  }
  return out;
}

function label(col, labels) {
  if (labels[col]) return labels[col];
  const i = col.indexOf(":");
  return (i >= 0 ? col.slice(i + 1) : col).replace(/_/g, " ");
}

function points(dates, values, kind) {
  const pts = [];
  if (kind === "annual_sum") {
    const sums = new Map();
    dates.forEach((d, i) => { const y = d.slice(0, 4); if (values[i] !== null) sums.set(y, (sums.get(y) || 0) + values[i]); });
    for (const [y, v] of sums) pts.push([Date.UTC(+y, 6, 1), v]);
    return pts;
  }
  dates.forEach((d, i) => { if (values[i] !== null && values[i] !== undefined) pts.push([time(d), values[i]]); });
  return pts;
}

// runs: [{label, dates, columns: {name: [..]}, forced: [date]}]; draws every figure.
// whole: [t0, t1], the whole run's dates (a live run's chart does not grow as weeks arrive).
function figuresHtml(figs, runs, only, whole) {
  const multi = runs.length > 1;
  const cols = [...new Set(runs.flatMap((r) => Object.keys(r.columns)))];
  let html = "";
  for (const fig of figs.figures) {
    if (only && !only.includes(fig.id)) continue;
    const panels = fig.panels.filter((p) => expand(p.series, cols).length);
    const absent = fig.panels.flatMap((p) => p.series).filter((s) => !expand([s], cols).length);
    if (!panels.length) {
      html += `<p class="missing" id="${fig.id}-missing"><strong>${esc(fig.title)}</strong>: not drawn, as ${multi ? "these runs have" : "this run has"} no column ${esc(absent.join(", "))}.</p>`;
      continue;
    }
    let charts = "";
    for (const p of panels) {
      const pc = expand(p.series, cols);
      const series = [];
      // every line its own colour, and each run its own dash and width: where two runs
      // coincide, the later one (dashed, narrower) lies on the earlier and both show
      runs.forEach((r, ri) => pc.forEach((c, ci) => {
        if (!r.columns[c]) return;
        const k = ri * pc.length + ci;
        series.push({
          name: multi ? (pc.length > 1 ? `${label(c, figs.labels)} — ${r.label}` : r.label) : label(c, figs.labels),
          colour: COLOURS[k % COLOURS.length],
          dash: DASHES[(multi ? ri : Math.floor(ci / COLOURS.length)) % DASHES.length],
          width: multi ? Math.max(3.2 - 0.9 * ri, 1.2) : 1.6,
          points: points(r.dates, r.columns[c], p.kind),
          markers: p.kind !== "line",
        });
      }));
      const span = runs.flatMap((r) => r.dates.length ? [time(r.dates[0]), time(r.dates[r.dates.length - 1])] : []);
      const marks = figs.marks.filter((m) => pc.includes(m.quantity) && span.length &&
        time(m.date) >= Math.min(...span) && time(m.date) <= Math.max(...span))
        .map((m) => ({id: m.id, t: time(m.date), y: m.value, tol: m.tolerance, atLeast: m.at_least}));
      const vlines = runs.flatMap((r, ri) => (r.forced || []).map((d) => ({t: time(d), label: `forced decision (${r.label})`, colour: multi ? COLOURS[ri % COLOURS.length] : "#555"})));
      // several runs: a colour per run and a dash per series, each said once
      const legend = null;  // a line per entry: colour and dash as drawn
      charts += chart({title: p.title, unit: p.unit, log: p.log, series, marks, vlines, legend, span: whole});
    }
    const note = absent.length ? ` <span class="missing">Not in ${multi ? "these runs" : "this run"}: ${esc(absent.join(", "))}.</span>` : "";
    html += `<section class="figure" id="${fig.id}"><h3>${esc(fig.title)}</h3><p class="muted">${esc(fig.about)}${note}</p><div class="charts">${charts}</div></section>`;
  }
  return html;
}

// -- view: a new run ---------------------------------------------------------------------------
async function newRunView() {
  const [sc, ps, ds] = await Promise.all([api("/api/scenarios"), api("/api/params"), api("/api/decisions")]);
  const scenarios = sc.body, params = ps.body, decisions = ds.body;
  const picked = new URLSearchParams(location.search).get("scenario") || "baseline";
  const row = (p) => `<div class="param" data-row="${esc(p.name)}">
        <div><label class="name" for="p-${esc(p.name)}">${esc(p.name)}</label>
        <span class="range">[${p.min}, ${p.max}] ${esc(p.unit)} · default ${p.default}</span></div>
        <div><input type="number" id="p-${esc(p.name)}" name="${esc(p.name)}" data-param="${esc(p.name)}"
          min="${p.min}" max="${p.max}" step="any" required aria-describedby="m-${esc(p.name)}">
          <span class="err" id="e-${esc(p.name)}"></span></div>
        <div class="meaning" id="m-${esc(p.name)}">${esc(p.meaning)} <span class="source">(${esc(p.source)})</span></div>
      </div>`;
  const groups = (cls) => {
    const by = new Map();
    for (const p of params.filter((q) => q.class === cls)) {
      if (!by.has(p.group)) by.set(p.group, []);
      by.get(p.group).push(p);
    }
    return [...by].map(([g, list]) => `<details data-group="${esc(g)}"><summary>${esc(g)} (${list.length})</summary>` +
      list.map(row).join("") + "</details>").join("");
  };
  // the political levers: a slider each, beside its exact value, with what it means
  const lever = (p) => `<div class="lever param" data-row="${esc(p.name)}">
      <div><label class="name" for="p-${esc(p.name)}">${esc(p.name)}</label>
        <span class="range">${esc(p.unit)} · default ${p.default}</span></div>
      <div class="slide"><input type="range" id="s-${esc(p.name)}" data-slider="${esc(p.name)}" min="${p.min}" max="${p.max}"
          step="${(p.max - p.min) / 100}" aria-label="${esc(p.name)} (slider)" aria-describedby="m-${esc(p.name)}">
        <input type="number" id="p-${esc(p.name)}" name="${esc(p.name)}" data-param="${esc(p.name)}"
          min="${p.min}" max="${p.max}" step="any" required aria-describedby="m-${esc(p.name)}">
        <span class="err" id="e-${esc(p.name)}"></span></div>
      <div class="meaning" id="m-${esc(p.name)}">${esc(p.meaning)} <span class="source">(${esc(p.source)})</span></div>
    </div>`;
  // the forced decisions: a switch each; on, the decision is taken on the date given, or never
  const decision = (d) => `<div class="decision" data-decision="${esc(d.name)}">
      <label class="switch"><input type="checkbox" role="switch" id="f-${esc(d.name)}" data-force="${esc(d.name)}"
        aria-describedby="fm-${esc(d.name)}"><span>${esc(d.title)}</span></label>
      <select id="fw-${esc(d.name)}" aria-label="${esc(d.title)}: when" disabled>
        <option value="date">on</option><option value="never">never</option></select>
      <input type="date" id="fd-${esc(d.name)}" aria-label="${esc(d.title)}: date" disabled>
      <span class="meaning" id="fm-${esc(d.name)}">${esc(d.meaning.replace(" (decision rule)", ""))}; off: the model's decision rule decides <code>${esc(d.name)}</code></span>
    </div>`;
  app.innerHTML = `<h1>Run a scenario</h1>
  <form id="run-form" novalidate class="card">
    <div class="row">
      <div><label for="scenario">Scenario</label><select id="scenario" name="scenario">${scenarios.map((s) =>
        `<option value="${esc(s.name)}"${s.name === picked ? " selected" : ""}>${esc(s.name)} — ${esc(s.title)}</option>`).join("")}</select></div>
      <div><label for="seed">Seed</label><input type="number" id="seed" name="seed" value="0" min="0" step="1" required></div>
      <div><label for="scale">Persons per agent</label><input type="number" id="scale" name="scale" min="50" max="100000" step="1" placeholder="defaults"></div>
      <div><label for="end">Run until</label><input type="date" id="end" name="end"></div>
      <div><label class="switch"><input type="checkbox" role="switch" id="start-paused"><span>Start paused</span></label></div>
      <div><button type="submit" id="run-button">Run</button></div>
      <div><button type="button" class="secondary" id="reset-button">Reset parameters</button></div>
    </div>
    <p class="muted" id="scenario-about"></p>
    <p class="muted">A coarser scale (more persons per agent) and an earlier end make a run faster. Started paused, a run waits after its first week for you to step it or play it. Ranges are checked here and again by the server.</p>
    <div id="form-errors"></div>
    <fieldset id="political"><legend>Political levers</legend><p class="muted">The readiness of each decision rule; the policies a faction could choose (Harman's choices, §3–§9).</p>
      <div id="levers">${params.filter((p) => p.class === "political").map(lever).join("")}</div></fieldset>
    <fieldset id="decisions"><legend>Forced decisions</legend><p class="muted">A forced decision is an intervention: it is taken on its date (or never) whatever the model's rule would do, and every result says so.</p>
      ${decisions.map(decision).join("")}</fieldset>
    <fieldset id="structural"><legend>Structural parameters</legend><p class="muted">The war, harvests, revolutions abroad, initial conditions, the rates of social processes.</p>${groups("structural")}</fieldset>
  </form>`;
  const form = document.getElementById("run-form");
  const select = document.getElementById("scenario");
  const current = () => scenarios.find((s) => s.name === select.value);
  const fill = () => {
    const s = current();
    document.getElementById("scenario-about").textContent =
      `${s.title} (${s.class}, ${s.section}): ${s.description} Runs ${s.start} to ${s.end}.` +
      (s.interventions.length ? ` Interventions: ${s.interventions.join("; ")}.` : "");
    const end = document.getElementById("end");
    end.min = s.start; end.max = s.end;
    for (const input of form.querySelectorAll("[data-param]")) {
      input.value = s.params[input.dataset.param];
      mark(input);
      const slider = document.getElementById("s-" + input.dataset.param);
      if (slider) slider.value = input.value;
    }
    for (const d of decisions) {
      const on = document.getElementById("f-" + d.name), when = document.getElementById("fw-" + d.name);
      const date = document.getElementById("fd-" + d.name);
      const given = (s.force || {})[d.name];
      on.checked = false; when.value = "date"; date.value = given && given !== "never" ? given : "";
      date.min = s.start; date.max = s.end;
      sync(d.name);
    }
  };
  const sync = (name) => {  // a switch enables its choice; "never" needs no date
    const on = document.getElementById("f-" + name).checked, when = document.getElementById("fw-" + name);
    when.disabled = !on;
    document.getElementById("fd-" + name).disabled = !on || when.value === "never";
    document.querySelector(`[data-decision="${name}"]`).classList.toggle("changed", on);
  };
  const mark = (input) => {
    const s = current();
    input.closest(".param").classList.toggle("changed", Number(input.value) !== s.params[input.dataset.param]);
  };
  select.addEventListener("change", fill);
  document.getElementById("reset-button").addEventListener("click", fill);
  form.addEventListener("input", (e) => {
    const t = e.target;
    if (t.dataset.slider) {  // the slider moves the number box, and the other way round
      const box = document.getElementById("p-" + t.dataset.slider);
      box.value = Number(Number(t.value).toPrecision(6)); mark(box);
    } else if (t.dataset.param) {
      mark(t);
      const slider = document.getElementById("s-" + t.dataset.param);
      if (slider) slider.value = t.value;
    }
  });
  form.addEventListener("change", (e) => {
    const t = e.target;
    if (t.dataset.force) sync(t.dataset.force);
    if (t.id && t.id.startsWith("fw-")) sync(t.id.slice(3));
  });
  fill();
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    for (const el of form.querySelectorAll(".err")) el.textContent = "";
    for (const el of form.querySelectorAll(".bad")) el.classList.remove("bad");
    const errors = [];
    const bad = (input, msg) => {
      errors.push(msg);
      input.classList.add("bad");
      const slot = document.getElementById("e-" + input.name);
      if (slot) slot.textContent = msg;
      const d = input.closest("details"); if (d) d.open = true;
    };
    for (const input of form.querySelectorAll("[data-param]")) {
      if (!input.checkValidity()) {
        bad(input, `params.${input.name}: got ${JSON.stringify(input.value)}; allowed: a number in [${input.min}, ${input.max}]`);
      }
    }
    for (const id of ["seed", "scale", "end"]) {
      const input = document.getElementById(id);
      if (!input.checkValidity()) bad(input, `${id}: ${input.validationMessage || "not allowed"}`);
    }
    const force = {};
    for (const d of decisions) {
      if (!document.getElementById("f-" + d.name).checked) continue;
      const when = document.getElementById("fw-" + d.name).value, date = document.getElementById("fd-" + d.name);
      if (when === "never") force[d.name] = "never";
      else if (date.value && date.checkValidity()) force[d.name] = date.value;
      else bad(date, `force.${d.name}: a date within the run, or "never"`);
    }
    const box = document.getElementById("form-errors");
    if (errors.length) { box.innerHTML = alertBox(errors, "form-error"); box.scrollIntoView({block: "center"}); return; }
    const s = current();
    const changed = {};
    for (const input of form.querySelectorAll("[data-param]")) {
      if (Number(input.value) !== s.params[input.name]) changed[input.name] = Number(input.value);
    }
    const body = {scenario: s.name, params: changed, seed: Number(document.getElementById("seed").value), force};
    if (document.getElementById("start-paused").checked) body.paused = true;
    const scale = document.getElementById("scale").value, end = document.getElementById("end").value;
    if (scale) body.scale = Number(scale);
    if (end) body.end = end;
    const button = document.getElementById("run-button");
    button.disabled = true;
    const res = await api("/api/runs", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    button.disabled = false;
    if (res.ok) { location.assign(res.body.url); return; }
    box.innerHTML = alertBox(messages(res.body), "form-error");
    for (const d of (Array.isArray(res.body?.detail) ? res.body.detail : [])) {
      const name = (d.loc || []).slice(-1)[0];
      const input = form.querySelector(`[name="${CSS.escape(String(name))}"]`);
      if (input) bad(input, d.msg);
    }
    box.scrollIntoView({block: "center"});
  });
}

// -- view: one run -----------------------------------------------------------------------------
async function runView(key) {
  const res = await api(`/api/runs/${encodeURIComponent(key)}`);
  if (res.status === 404) { app.innerHTML = `<h1>No such run</h1>${alertBox(messages(res.body))}<p><a href="/runs">All runs</a></p>`; return; }
  if (res.body.status === "done") return showRun(res.body);
  if (res.body.status === "failed" || res.body.status === "cancelled") {
    app.innerHTML = `<h1>${esc(res.body.label)}</h1>${alertBox([`The run ${res.body.status}: ${res.body.error || ""}`])}`;
    return;
  }
  watchRun(key, res.body);
}

async function watchRun(key, job) {
  const figs = (await api("/api/figures")).body;
  app.innerHTML = `<h1 id="run-title">${esc(job.label)}</h1>
    <div class="card"><p id="run-status" role="status">${esc(job.status)}…</p>
    <progress id="run-progress" max="1" value="0"></progress>
    <p class="playback" id="playback"><button type="button" id="play-button" title="run on, week after week">▶ Play</button>
      <button type="button" class="secondary" id="pause-button" title="stop between two weeks">❚❚ Pause</button>
      <button type="button" class="secondary" id="step-button" title="one more week, then pause">Step a week</button>
      <span class="muted" id="playback-state"></span>
      <button type="button" class="secondary" id="cancel-button">Cancel</button></p></div>
    <h2>Live</h2><div id="live"></div>`;
  const post = {method: "POST", headers: {"Content-Type": "application/json"}, body: "{}"};  // JSON: web/guard.py
  document.getElementById("cancel-button").onclick = () => api(`/api/runs/${key}/cancel`, post);
  const control = async (action) => {
    const res = await api(`/api/runs/${key}/playback?action=${action}`, post);
    if (res.ok) document.getElementById("playback-state").textContent = res.body.state === "paused" ? "paused" : "playing";
  };
  document.getElementById("play-button").onclick = () => control("play");
  document.getElementById("pause-button").onclick = () => control("pause");
  document.getElementById("step-button").onclick = () => control("step");
  document.getElementById("playback-state").textContent = job.paused ? "paused" : "playing";
  const rows = [];
  let pending = false, span = null;
  const draw = () => {
    pending = false;
    if (!document.getElementById("live")) return;  // the run finished and its page replaced this
    const dates = rows.map((r) => r.date);
    const columns = {};
    for (const r of rows) for (const [k, v] of Object.entries(r)) if (k !== "step" && k !== "date") (columns[k] ||= []).push(v);
    document.getElementById("live").innerHTML = figuresHtml(figs, [{label: job.label, dates, columns}], ["fig-classes", "fig-industry", "fig-indices"], span);
  };
  const source = new EventSource(`/api/runs/${key}/progress`);
  source.addEventListener("progress", (e) => {
    const d = JSON.parse(e.data);
    rows.push(...d.rows);
    if (!span && d.start && d.total) span = [time(d.start), time(d.start) + (d.total - 1) * d.step_days * 86400000];
    const status = d.status === "queued" ? `queued (${d.position} ahead)` : `running: week ${d.step} of ${d.total}${d.date ? ", " + d.date : ""}`;
    document.getElementById("run-status").textContent = status;
    const bar = document.getElementById("run-progress");
    bar.max = d.total || 1; bar.value = d.step;
    if (!pending && rows.length) { pending = true; setTimeout(draw, 400); }
  });
  source.addEventListener("done", () => { source.close(); runView(key); });
  const fail = (e) => {
    source.close();
    let msg = "the connection was lost";
    try { const d = JSON.parse(e.data); msg = `the run ${e.type}: ${d.message}`; } catch (err) { /* keep msg */ }
    document.getElementById("run-status").innerHTML = alertBox([msg]);
  };
  source.addEventListener("failed", fail);
  source.addEventListener("cancelled", fail);
}

async function showRun(run) {
  const key = run.key;
  const [figs, series] = await Promise.all([api("/api/figures"), api(`/api/runs/${key}/series`)]);
  const m = run.manifest;
  const changed = Object.entries(run.changed_params);
  const forced = run.events.filter((e) => e.forced).map((e) => e.date);
  const url = location.origin + `/runs/${key}`;
  const files = ["indicators.csv", "events.csv", "indicators.parquet", "events.parquet", "manifest.json", "report.html"];
  app.innerHTML = `<h1 id="run-title">${esc(run.label)}</h1>
  <div class="card">
    <div class="share"><label for="share-url">Share</label><input id="share-url" readonly value="${esc(url)}">
      <button type="button" class="secondary" id="copy-button">Copy</button>
      <a href="/runs?with=${key}" id="compare-link">Compare with…</a></div>
    <table class="summary"><tbody>
      <tr><th>scenario</th><td>${esc(m.scenario.name)}${m.scenario.meta.title && m.scenario.meta.title !== m.scenario.name ? " — " + esc(m.scenario.meta.title) : ""}</td></tr>
      <tr><th>period</th><td>${esc(run.start)} to ${esc(run.end)}</td></tr>
      <tr><th>seed</th><td>${esc(m.seed)}</td></tr>
      <tr><th>persons per agent</th><td>${esc(Object.entries(m.scales).map(([k, v]) => `${k} ${v}`).join(", "))}</td></tr>
      <tr><th>changed parameters</th><td>${changed.length ? changed.map(([k, v]) => `<code>${esc(k)}</code> = ${esc(v)}`).join("; ") : "none (the declared defaults)"}</td></tr>
      <tr><th>interventions</th><td>${esc((m.interventions || []).join("; ") || "none")}</td></tr>
      <tr><th>version</th><td>${esc(m.package_version)} (${esc(m.source_hash)}), ${esc(m.wall_time_s)} s</td></tr>
    </tbody></table>
    <p class="downloads" id="downloads">Download: ${files.map((f) => `<a href="/api/runs/${key}/files/${f}" download>${f}</a>`).join("")}</p>
  </div>
  <h2>Charts</h2><div id="figures">${figuresHtml(figs.body, [{label: run.label, dates: series.body.dates, columns: series.body.columns, forced}])}</div>
  <h2 id="chronology">Chronology</h2>${chronology(run.events, figs.body.event_names)}
  <h2 id="targets">Targets: the model against the essay</h2>${targets([run])}`;
  document.getElementById("copy-button").onclick = () => {
    const input = document.getElementById("share-url");
    input.select();
    if (navigator.clipboard) navigator.clipboard.writeText(input.value).catch(() => {});
  };
}

// An event kind (or kind:city) in words, from the report's EVENT_NAMES.
function eventName(key, names) {
  const [kind, where] = key.split(":");
  const name = (names || {})[kind] || kind.replace(/_/g, " ");
  return where ? `${name} (${where.replace(/_/g, " ")})` : name;
}

function chronology(events, names) {
  return `<table class="chronology"><thead><tr><th>week of</th><th>event</th><th>what happened</th></tr></thead><tbody>${
    events.map((e) => `<tr class="${e.forced ? "forced" : e.kind === "congress" ? "quiet" : ""}"><td class="date">${esc(e.date)}</td><td title="${esc(e.kind)}">${esc(eventName(e.kind, names))}</td><td>${esc(e.text)}${
      "for" in (e.data || {}) && "against" in e.data ? ` (for ${esc(e.data.for)}, against ${esc(e.data.against)})` : ""}</td></tr>`).join("")}</tbody></table>`;
}

function verdict(t) { return !t.modelled ? "not modelled yet" : t.passed ? "pass" : "fail"; }
function simulated(t) {
  if (!t.modelled) return "–";
  if (t.kind === "event") return t.simulated_median ?? "never";
  return num(t.simulated_median);
}
function essay(t) {
  if (t.kind === "event") return `${t.when} ± ${t.tolerance} months`;
  return t.compare === "at_least" ? `≥ ${num(t.target)}` : `${num(t.target)} ± ${num(t.tolerance)}`;
}

function targets(runs) {
  const rows = runs[0].targets.map((t, i) => `<tr><td>${esc(t.id)}</td><td>${esc(t.quantity)}</td><td>${esc(t.when)}</td><td>${esc(essay(t))}</td>${
    runs.map((r) => { const x = r.targets[i]; const v = verdict(x); return `<td>${esc(simulated(x))}</td><td class="${v === "pass" ? "pass" : v === "fail" ? "fail" : "na"}">${esc(v)}</td>`; }).join("")
  }<td>${esc(t.role)}</td></tr>`).join("");
  const heads = runs.map((r) => runs.length > 1 ? `<th>${esc(r.label)}</th><th>result</th>` : "<th>model</th><th>result</th>").join("");
  return `<table class="targets"><thead><tr><th>id</th><th>quantity</th><th>when</th><th>essay</th>${heads}<th>role</th></tr></thead><tbody>${rows}</tbody></table>`;
}

// -- view: the runs ----------------------------------------------------------------------------
// A run's scale: persons per agent, one number when every population has the same.
function scaleText(r) {
  if (r.scales && typeof r.scales === "object") {
    const v = [...new Set(Object.values(r.scales))];
    return v.length === 1 ? num(v[0]) : Object.entries(r.scales).map(([k, x]) => `${k} ${num(x)}`).join(", ");
  }
  return r.scale ? num(r.scale) : "defaults";
}

async function runsView() {
  const res = await api("/api/runs");
  const runs = res.body || [];
  const preselect = new URLSearchParams(location.search).get("with");
  app.innerHTML = `<h1>Runs</h1><p class="muted">Tick two or more runs to compare them. Every run is kept in the store under its content key.</p>
  <p><button type="button" id="compare-button" disabled>Compare selected</button> <a href="/">New run</a></p>
  <table id="runs-table"><thead><tr><th></th><th>run</th><th>seed</th><th>persons per agent</th><th>period</th><th>interventions</th><th>status</th></tr></thead><tbody>${
    runs.map((r) => `<tr data-key="${esc(r.key)}"><td><input type="checkbox" aria-label="select ${esc(r.key)}" value="${esc(r.key)}"${r.key === preselect ? " checked" : ""}></td>
      <td><a href="/runs/${esc(r.key)}">${esc(r.title || r.label || r.scenario)}</a><br><small class="muted">${esc(r.scenario || "")} · ${esc(r.key)}</small></td>
      <td>${esc(r.seed)}</td><td class="scale">${esc(scaleText(r))}</td><td class="date">${esc(r.start_date || "")} – ${esc(r.end_date || r.date || "")}</td>
      <td>${esc((r.interventions || []).join("; "))}</td><td>${esc(r.status)}</td></tr>`).join("") || `<tr><td colspan="7">No runs yet.</td></tr>`}
  </tbody></table>`;
  const button = document.getElementById("compare-button");
  const picked = () => [...document.querySelectorAll("#runs-table input:checked")].map((i) => i.value);
  document.getElementById("runs-table").addEventListener("change", () => { button.disabled = picked().length < 2; });
  button.disabled = picked().length < 2;
  // the oldest first: the run made first is usually the base the others are compared with
  button.onclick = () => location.assign("/compare?runs=" + picked().reverse().join(","));
}

// -- view: a comparison -------------------------------------------------------------------------
async function compareView() {
  const query = new URLSearchParams(location.search);
  if (query.get("members")) return membersView(query.get("members"));
  const keys = query.get("runs");
  if (!keys) return compareForm();
  const res = await api(`/api/compare?runs=${encodeURIComponent(keys)}`);
  if (!res.ok) { app.innerHTML = `<h1>Comparison</h1>${alertBox(messages(res.body))}`; return; }
  const waiting = res.body.runs.filter((r) => r.status !== "done");
  if (waiting.length) {
    app.innerHTML = `<h1>Comparison</h1><div class="card" role="status" id="compare-status">Waiting for ${waiting.length} of ${res.body.runs.length} runs: ${
      waiting.map((r) => `${esc(r.label)} — ${esc(r.status)}${r.total ? ` (week ${r.step} of ${r.total})` : ""}`).join("; ")}</div>`;
    if (waiting.some((r) => r.status === "failed" || r.status === "cancelled")) return;
    setTimeout(compareView, 1000);
    return;
  }
  const runs = res.body.runs;
  const [figs, ...series] = await Promise.all([api("/api/figures"), ...runs.map((r) => api(`/api/runs/${r.key}/series`))]);
  const data = runs.map((r, i) => ({label: r.label, dates: series[i].body.dates, columns: series[i].body.columns,
    forced: r.events.filter((e) => e.forced).map((e) => e.date)}));
  const url = location.origin + res.body.url;
  const kinds = [...new Set(runs.flatMap((r) => r.events.filter((e) => e.kind !== "congress").map((e) => e.kind + (e.data.city ? ":" + e.data.city : e.data.episode ? ":" + e.data.episode : ""))))];
  const firstDate = (r, k) => { const e = r.events.find((x) => x.kind + (x.data.city ? ":" + x.data.city : x.data.episode ? ":" + x.data.episode : "") === k); return e ? e.date : "never"; };
  app.innerHTML = `<h1 id="compare-title">Comparison of ${runs.length} runs</h1>
  <div class="card"><div class="share"><label for="share-url">Share</label><input id="share-url" readonly value="${esc(url)}"></div>
  <table id="compare-runs"><thead><tr><th></th><th>run</th><th>seed</th><th>period</th><th>changed parameters</th><th>interventions</th></tr></thead><tbody>${
    runs.map((r, i) => `<tr><td><svg width="22" height="10" aria-hidden="true"><line x1="0" x2="22" y1="5" y2="5" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="3"/></svg></td>
    <td><a href="/runs/${esc(r.key)}">${esc(r.label)}</a></td><td>${esc(r.seed)}</td><td>${esc(r.start)} to ${esc(r.end)}</td>
    <td>${Object.entries(r.changed_params).map(([k, v]) => `<code>${esc(k)}</code> = ${esc(v)}`).join("; ") || "none"}</td><td>${esc((r.interventions || []).join("; ") || "none")}</td></tr>`).join("")}</tbody></table>
  <p class="downloads"><a id="compare-report" href="${esc(res.body.report)}" download>Download the comparison report (HTML)</a></p></div>
  <h2>Charts</h2><div id="figures">${figuresHtml(figs.body, data)}</div>
  <h2>When things happened</h2><table id="compare-events"><thead><tr><th>event</th>${runs.map((r) => `<th>${esc(r.label)}</th>`).join("")}</tr></thead><tbody>${
    kinds.map((k) => `<tr><td title="${esc(k)}">${esc(eventName(k, figs.body.event_names))}</td>${runs.map((r) => `<td class="date">${esc(firstDate(r, k))}</td>`).join("")}</tr>`).join("")}</tbody></table>
  <h2>Targets</h2>${targets(runs)}`;
}

async function compareForm() {
  const [scenarios, figs] = await Promise.all([api("/api/scenarios"), api("/api/figures")]).then((r) => r.map((x) => x.body));
  const events = Object.entries(figs.event_names);
  app.innerHTML = `<h1>Compare</h1>
  <div class="card"><h2>Compare stored runs</h2><p>Pick two or more runs on the <a href="/runs">runs page</a>.</p></div>
  <form class="card" id="compare-form" novalidate><h2>Compare scenarios</h2><p class="muted">Each scenario runs with the same seeds, so they share their random numbers and differ only by their interventions. With more than one member each, the page gives the probability of an event in each scenario with its 95% interval, and each difference from the first scenario.</p>
  ${scenarios.map((s) => `<div><input type="checkbox" id="c-${esc(s.name)}" value="${esc(s.name)}"> <label for="c-${esc(s.name)}">${esc(s.name)}</label> — ${esc(s.title)}</div>`).join("")}
  <div class="row"><div><label for="cmp-members">Members (seeds each)</label><input type="number" id="cmp-members" value="1" min="1" max="50" step="1"></div>
  <div><label for="cmp-seed">Seed (root seed with members)</label><input type="number" id="cmp-seed" value="0" min="0" step="1"></div>
  <div><label for="cmp-scale">Persons per agent</label><input type="number" id="cmp-scale" min="50" max="100000" step="1" placeholder="defaults"></div>
  <div><label for="cmp-end">Run until</label><input type="date" id="cmp-end"></div>
  <div><label for="cmp-event">Event</label><select id="cmp-event">${events.map(([k, v]) => `<option value="${esc(k)}"${k === "bureaucracy_consolidated" ? " selected" : ""}>${esc(v)}</option>`).join("")}</select></div>
  <div><button type="submit" id="compare-scenarios-button">Run and compare</button></div></div><div id="compare-errors"></div></form>`;
  document.getElementById("compare-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const scenarios = [...document.querySelectorAll("#compare-form input[type=checkbox]:checked")].map((i) => i.value);
    const seed = Number(document.getElementById("cmp-seed").value), members = Number(document.getElementById("cmp-members").value);
    const scale = document.getElementById("cmp-scale").value, end = document.getElementById("cmp-end").value;
    const body = members > 1 ? {scenarios, members, root: seed, event: document.getElementById("cmp-event").value} : {scenarios, seed};
    if (scale) body.scale = Number(scale);
    if (end) body.end = end;
    const res = await api(members > 1 ? "/api/comparisons" : "/api/compare", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    if (res.ok) location.assign(res.body.url);
    else document.getElementById("compare-errors").innerHTML = alertBox(messages(res.body), "compare-error");
  });
}

// -- view: a comparison over N members (the lab's compare) ------------------------------------------
const pct = (x) => x === null || x === undefined ? "–" : `${Math.round(x * 100)}%`;
const signed = (x) => x === null || x === undefined ? "–" : `${x > 0 ? "+" : ""}${Math.round(x * 100)} pp`;

// Each scenario's probability as a dot on [0, 1] with its interval as a bar.
function intervalChart(rows) {
  const W = 560, L = 170, R = 20, H = 30 + 26 * rows.length;
  const sx = (p) => L + p * (W - L - R);
  let g = [0, 0.25, 0.5, 0.75, 1].map((p) => `<line x1="${sx(p)}" x2="${sx(p)}" y1="14" y2="${H - 16}" stroke="#eee"/><text x="${sx(p)}" y="${H - 4}" text-anchor="middle" ${TXT}>${pct(p)}</text>`).join("");
  rows.forEach((r, i) => {
    const y = 26 + 26 * i, c = COLOURS[i % COLOURS.length];
    g += `<text x="${L - 8}" y="${y + 4}" text-anchor="end" ${TXT}>${esc(r.scenario)}</text>` +
      `<line x1="${sx(r.probability_interval[0])}" x2="${sx(r.probability_interval[1])}" y1="${y}" y2="${y}" stroke="${c}" stroke-width="5" stroke-linecap="round" opacity=".45"/>` +
      `<circle cx="${sx(r.probability)}" cy="${y}" r="5" fill="${c}"/>`;
  });
  const alt = "Probability with its 95% interval: " + rows.map((r) => `${r.scenario} ${pct(r.probability)} (${pct(r.probability_interval[0])} to ${pct(r.probability_interval[1])})`).join("; ");
  return `<figure class="chart" id="members-chart"><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(alt)}"><title>${esc(alt)}</title>${g}</svg></figure>`;
}

async function membersView(id) {
  const res = await api(`/api/comparisons/${encodeURIComponent(id)}`);
  if (!res.ok) { app.innerHTML = `<h1>Comparison</h1>${alertBox(messages(res.body))}`; return; }
  const c = res.body, q = c.request;
  const names = (await api("/api/figures")).body.event_names;
  if (c.status !== "done") {
    const live = c.status === "queued" || c.status === "running";
    const said = c.status === "failed" ? alertBox([c.error])
      : `${esc(c.status)}: ${c.done} of ${c.total || q.members * q.scenarios.length} runs${c.already_stored ? ` (${c.already_stored} already stored)` : ""}${
        c.status === "cancelled" ? ". The runs done are stored: asking again goes on from them." : ""}`;
    app.innerHTML = `<h1>Comparison over ${q.members} members</h1><div class="card"><div role="status" id="members-status">${said}</div>
      <progress id="members-progress" max="${c.total || 1}" value="${c.done}"></progress>${
      live ? `<p><button type="button" class="secondary" id="members-cancel" title="stop before the next run">Cancel</button></p>` : ""}</div>`;
    if (live) {
      const timer = setTimeout(() => membersView(id), 700);
      document.getElementById("members-cancel").onclick = async () => {
        clearTimeout(timer);
        const post = {method: "POST", headers: {"Content-Type": "application/json"}, body: "{}"};  // JSON: web/guard.py
        await api(`/api/comparisons/${encodeURIComponent(id)}/cancel`, post);
        membersView(id);
      };
    }
    return;
  }
  const r = c.result, event = eventName(r.event, names);
  const few = r.seeds < 10 ? `<p class="alert" id="members-few">Only ${r.seeds} members per scenario: the intervals are wide; 10 or more give a usable estimate.</p>` : "";
  app.innerHTML = `<h1 id="members-title">Comparison over ${r.seeds} members: ${esc(event)} by ${esc(r.by)}</h1>
  <div class="card"><div class="share"><label for="share-url">Share</label><input id="share-url" readonly value="${esc(location.origin + c.url)}"></div>
  <p class="muted">Every scenario ran with the same ${r.seeds} member seeds (root ${r.root}; common random numbers): each run of an alternative differs from the base's run with the same seed by its interventions, not by chance. Intervals: Wilson 95% for each probability; a paired bootstrap over seeds (${r.bootstrap.resamples} resamples) for each difference.</p>
  ${few}${intervalChart(r.scenarios)}
  <table id="members-table"><thead><tr><th>scenario</th><th>interventions</th><th>P(${esc(event)} by ${esc(r.by)})</th><th>95% interval</th><th>never</th><th>median date</th><th>difference from ${esc(r.base)}</th></tr></thead><tbody>${
    r.scenarios.map((s) => { const d = (s.differences || {}).probability; return `<tr><td>${esc(s.scenario)}</td><td>${esc((s.interventions || []).join("; ") || "none")}</td>
      <td>${pct(s.probability)}</td><td class="date">${pct(s.probability_interval[0])} – ${pct(s.probability_interval[1])}</td><td>${pct(s.never_share)}</td><td class="date">${esc(s.median_date || "never")}</td>
      <td>${d ? `${signed(d.estimate)} (${signed(d.lo)} to ${signed(d.hi)})` : "the base"}</td></tr>`; }).join("")}</tbody></table>
  ${(r.notes || []).length ? `<ul class="muted">${r.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : ""}</div>`;
}

// -- routing -------------------------------------------------------------------------------------
async function main() {
  const path = location.pathname.replace(/\/+$/, "") || "/";
  try {
    if (path === "/") await newRunView();
    else if (path === "/runs") await runsView();
    else if (path.startsWith("/runs/")) await runView(decodeURIComponent(path.slice(6)));
    else if (path === "/compare") await compareView();
    else app.innerHTML = `<h1>Not found</h1><p><a href="/">New run</a></p>`;
  } catch (err) {
    app.innerHTML = alertBox([`The page failed: ${err}`]);
    throw err;
  }
}

main();
