// thermidor's page: plain JavaScript, no libraries. Every view is a URL that can be shared:
//   /                 a form to run a scenario with edited parameters
//   /runs/<key>       one run: live progress while it runs, then charts, chronology, targets
//   /runs             the stored runs, to open or compare
//   /compare?runs=a,b two or more runs side by side
"use strict";

const app = document.getElementById("app");
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
  "#7f7f7f", "#bcbd22", "#17becf"];
const DASHES = ["", "6 3", "2 2", "8 3 2 3"];
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
  let x0 = Math.min(...all.map((p) => p[0])), x1 = Math.max(...all.map((p) => p[0]));
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
    g += `<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="1.6" stroke-dasharray="${s.dash || ""}"/>`;
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
function figuresHtml(figs, runs, only) {
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
      runs.forEach((r, ri) => pc.forEach((c, ci) => {
        if (!r.columns[c]) return;
        series.push({
          name: multi ? (pc.length > 1 ? `${label(c, figs.labels)} — ${r.label}` : r.label) : label(c, figs.labels),
          colour: COLOURS[(multi ? ri : ci) % COLOURS.length],
          dash: multi ? DASHES[ci % DASHES.length] : "",
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
      const legend = multi ? runs.map((r, ri) => ({name: r.label, colour: COLOURS[ri % COLOURS.length], dash: ""}))
        .concat(pc.length > 1 ? pc.map((c, ci) => ({name: label(c, figs.labels), colour: "#666", dash: DASHES[ci % DASHES.length]})) : []) : null;
      charts += chart({title: p.title, unit: p.unit, log: p.log, series, marks, vlines, legend});
    }
    const note = absent.length ? ` <span class="missing">Not in ${multi ? "these runs" : "this run"}: ${esc(absent.join(", "))}.</span>` : "";
    html += `<section class="figure" id="${fig.id}"><h3>${esc(fig.title)}</h3><p class="muted">${esc(fig.about)}${note}</p><div class="charts">${charts}</div></section>`;
  }
  return html;
}

// -- view: a new run ---------------------------------------------------------------------------
async function newRunView() {
  const [sc, ps] = await Promise.all([api("/api/scenarios"), api("/api/params")]);
  const scenarios = sc.body, params = ps.body;
  const picked = new URLSearchParams(location.search).get("scenario") || "baseline";
  const groups = (cls) => {
    const by = new Map();
    for (const p of params.filter((q) => q.class === cls)) {
      if (!by.has(p.group)) by.set(p.group, []);
      by.get(p.group).push(p);
    }
    return [...by].map(([g, list]) => `<details data-group="${esc(g)}"><summary>${esc(g)} (${list.length})</summary>` +
      list.map((p) => `<div class="param" data-row="${esc(p.name)}">
        <div><label class="name" for="p-${esc(p.name)}">${esc(p.name)}</label>
        <span class="range">[${p.min}, ${p.max}] ${esc(p.unit)} · default ${p.default}</span></div>
        <div><input type="number" id="p-${esc(p.name)}" name="${esc(p.name)}" data-param="${esc(p.name)}"
          min="${p.min}" max="${p.max}" step="any" required aria-describedby="m-${esc(p.name)}">
          <span class="err" id="e-${esc(p.name)}"></span></div>
        <div class="meaning" id="m-${esc(p.name)}">${esc(p.meaning)} <span class="source">(${esc(p.source)})</span></div>
      </div>`).join("") + "</details>").join("");
  };
  app.innerHTML = `<h1>Run a scenario</h1>
  <form id="run-form" novalidate class="card">
    <div class="row">
      <div><label for="scenario">Scenario</label><select id="scenario" name="scenario">${scenarios.map((s) =>
        `<option value="${esc(s.name)}"${s.name === picked ? " selected" : ""}>${esc(s.name)} — ${esc(s.title)}</option>`).join("")}</select></div>
      <div><label for="seed">Seed</label><input type="number" id="seed" name="seed" value="0" min="0" step="1" required></div>
      <div><label for="scale">Persons per agent</label><input type="number" id="scale" name="scale" min="50" max="100000" step="1" placeholder="defaults"></div>
      <div><label for="end">Run until</label><input type="date" id="end" name="end"></div>
      <div><button type="submit" id="run-button">Run</button></div>
      <div><button type="button" class="secondary" id="reset-button">Reset parameters</button></div>
    </div>
    <p class="muted" id="scenario-about"></p>
    <p class="muted">A coarser scale (more persons per agent) and an earlier end make a run faster. Ranges are checked here and again by the server.</p>
    <div id="form-errors"></div>
    <fieldset id="structural"><legend>Structural parameters</legend><p class="muted">The war, harvests, revolutions abroad, initial conditions, the rates of social processes.</p>${groups("structural")}</fieldset>
    <fieldset id="political"><legend>Political parameters</legend><p class="muted">The readiness of each decision rule; the policies a faction could choose.</p>${groups("political")}</fieldset>
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
    }
  };
  const mark = (input) => {
    const s = current();
    input.closest(".param").classList.toggle("changed", Number(input.value) !== s.params[input.dataset.param]);
  };
  select.addEventListener("change", fill);
  document.getElementById("reset-button").addEventListener("click", fill);
  form.addEventListener("input", (e) => { if (e.target.dataset.param) mark(e.target); });
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
    const box = document.getElementById("form-errors");
    if (errors.length) { box.innerHTML = alertBox(errors, "form-error"); box.scrollIntoView({block: "center"}); return; }
    const s = current();
    const changed = {};
    for (const input of form.querySelectorAll("[data-param]")) {
      if (Number(input.value) !== s.params[input.name]) changed[input.name] = Number(input.value);
    }
    const body = {scenario: s.name, params: changed, seed: Number(document.getElementById("seed").value)};
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
    <p><button type="button" class="secondary" id="cancel-button">Cancel</button></p></div>
    <h2>Live</h2><div id="live"></div>`;
  document.getElementById("cancel-button").onclick = () => api(`/api/runs/${key}/cancel`, {method: "POST", headers: {"Content-Type": "application/json"}, body: "{}"});
  const rows = [];
  let pending = false;
  const draw = () => {
    pending = false;
    if (!document.getElementById("live")) return;  // the run finished and its page replaced this
    const dates = rows.map((r) => r.date);
    const columns = {};
    for (const r of rows) for (const [k, v] of Object.entries(r)) if (k !== "step" && k !== "date") (columns[k] ||= []).push(v);
    document.getElementById("live").innerHTML = figuresHtml(figs, [{label: job.label, dates, columns}], ["fig-classes", "fig-industry", "fig-indices"]);
  };
  const source = new EventSource(`/api/runs/${key}/progress`);
  source.addEventListener("progress", (e) => {
    const d = JSON.parse(e.data);
    rows.push(...d.rows);
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
  <h2 id="chronology">Chronology</h2>${chronology(run.events)}
  <h2 id="targets">Targets: the model against the essay</h2>${targets([run])}`;
  document.getElementById("copy-button").onclick = () => {
    const input = document.getElementById("share-url");
    input.select();
    if (navigator.clipboard) navigator.clipboard.writeText(input.value).catch(() => {});
  };
}

function chronology(events) {
  return `<table class="chronology"><thead><tr><th>week of</th><th>event</th><th>what happened</th></tr></thead><tbody>${
    events.map((e) => `<tr class="${e.forced ? "forced" : e.kind === "congress" ? "quiet" : ""}"><td>${esc(e.date)}</td><td>${esc(e.kind)}</td><td>${esc(e.text)}${
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
async function runsView() {
  const res = await api("/api/runs");
  const runs = res.body || [];
  const preselect = new URLSearchParams(location.search).get("with");
  app.innerHTML = `<h1>Runs</h1><p class="muted">Tick two or more runs to compare them. Every run is kept in the store under its content key.</p>
  <p><button type="button" id="compare-button" disabled>Compare selected</button> <a href="/">New run</a></p>
  <table id="runs-table"><thead><tr><th></th><th>run</th><th>seed</th><th>period</th><th>interventions</th><th>status</th></tr></thead><tbody>${
    runs.map((r) => `<tr data-key="${esc(r.key)}"><td><input type="checkbox" aria-label="select ${esc(r.key)}" value="${esc(r.key)}"${r.key === preselect ? " checked" : ""}></td>
      <td><a href="/runs/${esc(r.key)}">${esc(r.title || r.label || r.scenario)}</a><br><small class="muted">${esc(r.scenario || "")} · ${esc(r.key)}</small></td>
      <td>${esc(r.seed)}</td><td>${esc(r.start_date || "")} – ${esc(r.end_date || r.date || "")}</td>
      <td>${esc((r.interventions || []).join("; "))}</td><td>${esc(r.status)}</td></tr>`).join("") || `<tr><td colspan="6">No runs yet.</td></tr>`}
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
  const keys = new URLSearchParams(location.search).get("runs");
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
    kinds.map((k) => `<tr><td>${esc(k)}</td>${runs.map((r) => `<td>${esc(firstDate(r, k))}</td>`).join("")}</tr>`).join("")}</tbody></table>
  <h2>Targets</h2>${targets(runs)}`;
}

async function compareForm() {
  const scenarios = (await api("/api/scenarios")).body;
  app.innerHTML = `<h1>Compare</h1>
  <div class="card"><h2>Compare stored runs</h2><p>Pick two or more runs on the <a href="/runs">runs page</a>.</p></div>
  <form class="card" id="compare-form" novalidate><h2>Compare scenarios</h2><p class="muted">Each scenario runs with the same seed, so they share their random numbers and differ only by their interventions.</p>
  ${scenarios.map((s) => `<div><input type="checkbox" id="c-${esc(s.name)}" value="${esc(s.name)}"> <label for="c-${esc(s.name)}">${esc(s.name)}</label> — ${esc(s.title)}</div>`).join("")}
  <div class="row"><div><label for="cmp-seed">Seed</label><input type="number" id="cmp-seed" value="0" min="0" step="1"></div>
  <div><label for="cmp-scale">Persons per agent</label><input type="number" id="cmp-scale" min="50" max="100000" step="1" placeholder="defaults"></div>
  <div><label for="cmp-end">Run until</label><input type="date" id="cmp-end"></div>
  <div><button type="submit" id="compare-scenarios-button">Run and compare</button></div></div><div id="compare-errors"></div></form>`;
  document.getElementById("compare-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = {scenarios: [...document.querySelectorAll("#compare-form input[type=checkbox]:checked")].map((i) => i.value),
      seed: Number(document.getElementById("cmp-seed").value)};
    const scale = document.getElementById("cmp-scale").value, end = document.getElementById("cmp-end").value;
    if (scale) body.scale = Number(scale);
    if (end) body.end = end;
    const res = await api("/api/compare", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    if (res.ok) location.assign(res.body.url);
    else document.getElementById("compare-errors").innerHTML = alertBox(messages(res.body), "compare-error");
  });
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
