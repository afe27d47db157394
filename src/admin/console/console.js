// The StrataDB web console. Once a second it reads this node's /status and /metrics (and
// each other member's /status), turns counters into rates and histograms into quantiles over
// the last second, and draws them as hand-written SVG line charts. Sessions and the
// slow-query log need the root password (HTTP Basic on /sessions, /slow-queries and
// /sessions/kill); the password is kept in this page's memory only, and travels with every
// request of those (the admin port speaks plain HTTP: keep it on a trusted network).
"use strict";

const HISTORY = 120;      // points per series: two minutes at one per second
const POLL_MS = 1000;
const SLOW_QUERIES_SHOWN = 25;
const COLORS = ["#2458c6", "#d9730d", "#2e8b57", "#b3261e", "#7b4fc9", "#0f8fa8", "#a0522d", "#c2185b"];

// ---- Prometheus text exposition -------------------------------------------------------

// Parses "name{k="v",...} value" lines into Map(name -> [{labels, value}]).
function parseMetrics(text) {
  const out = new Map();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    let name, labels = {}, rest;
    const brace = line.indexOf("{");
    const space = line.indexOf(" ");
    if (brace !== -1 && brace < space) {
      name = line.slice(0, brace);
      let i = brace + 1;
      while (i < line.length && line[i] !== "}") {
        const eq = line.indexOf("=", i);
        const key = line.slice(i, eq).replace(/^,/, "");
        let j = eq + 2, value = "";
        while (j < line.length && line[j] !== '"') {
          if (line[j] === "\\") { j++; value += line[j] === "n" ? "\n" : line[j]; } else value += line[j];
          j++;
        }
        labels[key] = value;
        i = j + 1;
        if (line[i] === ",") i++;
      }
      rest = line.slice(i + 1).trim();
    } else {
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    const value = parseFloat(rest.split(" ")[0].replace("+Inf", "Infinity"));
    if (!out.has(name)) out.set(name, []);
    out.get(name).push({ labels, value });
  }
  return out;
}

function sumOf(metrics, name, filter = () => true) {
  let total = 0;
  for (const s of metrics.get(name) || []) if (filter(s.labels)) total += s.value;
  return total;
}

// Values of `name` grouped by one label: Map(labelValue -> sum).
function byLabel(metrics, name, label) {
  const out = new Map();
  for (const s of metrics.get(name) || []) {
    const key = s.labels[label] || "";
    out.set(key, (out.get(key) || 0) + s.value);
  }
  return out;
}

// Cumulative bucket counts of a histogram, summed over its other labels: [[le, count]...].
function buckets(metrics, name) {
  const byLe = byLabel(metrics, name + "_bucket", "le");
  return [...byLe.entries()].map(([le, n]) => [parseFloat(le.replace("+Inf", "Infinity")), n])
                            .sort((a, b) => a[0] - b[0]);
}

// The q-quantile of the observations between two bucket snapshots (linear within a bucket);
// null when nothing was observed.
function quantile(prev, cur, q) {
  const before = new Map(prev);
  const deltas = cur.map(([le, n]) => [le, n - (before.get(le) || 0)]);
  const total = deltas.length ? deltas[deltas.length - 1][1] : 0;
  if (total <= 0) return null;
  const want = q * total;
  let lower = 0, below = 0;
  for (const [le, n] of deltas) {
    if (n >= want) {
      if (!isFinite(le)) return lower;  // in the overflow bucket: report its lower bound
      const inBucket = n - below;
      return lower + (inBucket > 0 ? (le - lower) * (want - below) / inBucket : 0);
    }
    lower = le;
    below = n;
  }
  return lower;
}

// ---- series and charts ----------------------------------------------------------------

class Series {
  constructor() { this.points = new Map(); }  // name -> array of (number|null), HISTORY long
  push(values) {  // values: Map(name -> number|null); series missing from it get null
    for (const name of values.keys()) if (!this.points.has(name)) this.points.set(name, new Array(HISTORY).fill(null));
    for (const [name, arr] of this.points) {
      arr.push(values.has(name) ? values.get(name) : null);
      if (arr.length > HISTORY) arr.shift();
    }
  }
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmt(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  const a = Math.abs(v);
  if (a >= 1e6) return (v / 1e6).toFixed(1) + "M";
  if (a >= 1e4) return (v / 1e3).toFixed(0) + "k";
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

const SVG_NS = "http://www.w3.org/2000/svg";
function el(name, attrs, text) {
  const e = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function drawChart(svg, series, opts = {}) {
  const width = svg.clientWidth || 440, height = svg.clientHeight || 190;
  const left = 44, right = 8, top = 24, bottom = 18;
  const plotW = width - left - right, plotH = height - top - bottom;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.replaceChildren();
  let max = opts.max || 0;
  let pointCount = 0;
  for (const arr of series.points.values()) for (const v of arr) if (v !== null) { pointCount++; if (!opts.max) max = Math.max(max, v); }
  const yMax = opts.max || niceMax(max);
  for (let i = 0; i <= 4; i++) {
    const y = top + plotH - plotH * i / 4;
    svg.append(el("line", { class: "grid", x1: left, x2: left + plotW, y1: y, y2: y }));
    svg.append(el("text", { class: "axis-label", x: left - 4, y: y + 3, "text-anchor": "end" }, fmt(yMax * i / 4)));
  }
  svg.append(el("text", { class: "axis-label", x: left, y: height - 4 }, "−2 min"));
  svg.append(el("text", { class: "axis-label", x: left + plotW, y: height - 4, "text-anchor": "end" }, "now"));
  let legendX = left, colorIndex = 0, drawn = 0;
  for (const [name, arr] of series.points) {
    const color = COLORS[colorIndex++ % COLORS.length];
    // One polyline per run of known values (a null is a gap: nothing to measure then).
    let run = [];
    const flush = () => {
      if (run.length >= 2) { svg.append(el("polyline", { points: run.join(" "), stroke: color, "data-series": name })); drawn++; }
      else if (run.length === 1) { const [x, y] = run[0].split(","); svg.append(el("circle", { cx: x, cy: y, r: 1.5, fill: color })); }
      run = [];
    };
    arr.forEach((v, i) => {
      if (v === null) return flush();
      const x = left + plotW * i / (HISTORY - 1);
      const y = top + plotH - plotH * Math.min(v, yMax) / yMax;
      run.push(`${x.toFixed(1)},${y.toFixed(1)}`);
    });
    flush();
    const latest = [...arr].reverse().find(v => v !== null);
    const label = `${name} ${fmt(latest)}`;
    svg.append(el("rect", { x: legendX, y: 6, width: 10, height: 10, fill: color }));
    svg.append(el("text", { class: "legend", x: legendX + 14, y: 15 }, label));
    legendX += 24 + label.length * 6.2;
  }
  if (pointCount === 0) {
    svg.append(el("text", { class: "empty", x: left + plotW / 2, y: top + plotH / 2, "text-anchor": "middle" },
                  opts.emptyText || "nothing measured yet"));
  }
  svg.dataset.points = String(pointCount);
  svg.dataset.lines = String(drawn);
  svg.dataset.max = String(max);
}

// ---- polling ----------------------------------------------------------------------------

const charts = {
  qps: new Series(), latency: new Series(), raft: new Series(),
  io: new Series(), compaction: new Series(), cache: new Series(),
};
let previous = null;  // {t, metrics}
let auth = null;      // "Basic ..." once signed in

function rate(cur, prev, dt) { return Math.max(0, cur - prev) / dt; }

function sample(metrics, t) {
  if (!previous) { previous = { t, metrics }; return; }
  const dt = Math.max(0.001, t - previous.t);
  const p = previous.metrics;

  const kinds = byLabel(metrics, "stratadb_statements_total", "kind");
  const kindsBefore = byLabel(p, "stratadb_statements_total", "kind");
  const qps = new Map();
  for (const [kind, n] of kinds) qps.set(kind, rate(n, kindsBefore.get(kind) || 0, dt));
  charts.qps.push(qps);

  const lat = buckets(metrics, "stratadb_query_duration_seconds"), latBefore = buckets(p, "stratadb_query_duration_seconds");
  const ms = v => v === null ? null : v * 1000;
  charts.latency.push(new Map([["p50", ms(quantile(latBefore, lat, 0.5))], ["p99", ms(quantile(latBefore, lat, 0.99))]]));

  const commit = buckets(metrics, "stratadb_raft_commit_latency_seconds");
  const commitBefore = buckets(p, "stratadb_raft_commit_latency_seconds");
  charts.raft.push(new Map([["p50", ms(quantile(commitBefore, commit, 0.5))], ["p99", ms(quantile(commitBefore, commit, 0.99))]]));

  const io = byLabel(metrics, "stratadb_io_bytes_total", "class"), ioBefore = byLabel(p, "stratadb_io_bytes_total", "class");
  const ioRates = new Map();
  for (const [cls, n] of io) ioRates.set(cls, rate(n, ioBefore.get(cls) || 0, dt) / 1e6);
  charts.io.push(ioRates);

  const mb = name => rate(sumOf(metrics, name), sumOf(p, name), dt) / 1e6;
  charts.compaction.push(new Map([["flush", mb("stratadb_lsm_flush_bytes_total")],
                                  ["compaction", mb("stratadb_lsm_compaction_written_bytes_total")]]));

  const hitRate = (hits, misses) => {
    const h = sumOf(metrics, hits) - sumOf(p, hits), m = sumOf(metrics, misses) - sumOf(p, misses);
    return h + m > 0 ? 100 * h / (h + m) : null;
  };
  charts.cache.push(new Map([
    ["LSM block cache", hitRate("stratadb_lsm_block_cache_hits_total", "stratadb_lsm_block_cache_misses_total")],
    ["B+tree buffer pool", hitRate("stratadb_btree_buffer_pool_hits_total", "stratadb_btree_buffer_pool_misses_total")],
  ]));
  previous = { t, metrics };
}

function redraw() {
  const empty = { latency: "no statements in the window", raft: "no commits in the window",
                  cache: "no cache lookups in the window" };
  for (const svg of document.querySelectorAll("svg[data-chart]")) {
    const name = svg.dataset.chart;
    drawChart(svg, charts[name], { max: name === "cache" ? 100 : 0, emptyText: empty[name] });
  }
}

// Node ids are 64-bit: JSON.parse would round them. Integers of 16+ digits outside strings
// become strings first.
function quoteBigIntegers(text) {
  let out = "", inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c >= "0" && c <= "9" && !/[0-9.eE+-]/.test(text[i - 1] || "")) {
      let j = i;
      while (j < text.length && /[0-9]/.test(text[j])) j++;
      const digits = text.slice(i, j);
      const isInteger = !/[.eE]/.test(text[j] || "");
      out += digits.length >= 16 && isInteger ? `"${digits}"` : digits;
      i = j - 1;
    } else {
      out += c;
    }
  }
  return out;
}

async function fetchJson(url, options = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs || 2000);
  try {
    const res = await fetch(url, { ...options, signal: controller.signal, cache: "no-store" });
    const body = await res.text();
    return { status: res.status, body: body ? JSON.parse(quoteBigIntegers(body)) : null };
  } finally {
    clearTimeout(timer);
  }
}

function cell(tr, text, cls) {
  const td = document.createElement("td");
  td.textContent = text === null || text === undefined ? "" : String(text);
  if (cls) td.className = cls;
  tr.append(td);
  return td;
}

async function renderMembers(status) {
  const raft = status.raft || {};
  const members = raft.members && raft.members.length ? raft.members
                  : [{ id: status.node_id, admin_addr: `${location.host}`, role: raft.role, match_index: raft.applied_index, lag: 0 }];
  // Each member's own view (term, commit, applied); this node's is in hand already.
  const views = await Promise.all(members.map(async m => {
    if (String(m.id) === String(status.node_id)) return raft;
    try {
      const r = await fetchJson(`http://${m.admin_addr}/status`, { timeoutMs: 800 });
      return r.status === 200 && r.body ? r.body.raft : null;
    } catch (e) {
      return null;  // down or unreachable from this browser
    }
  }));
  const tbody = document.querySelector("#members tbody");
  tbody.replaceChildren();
  members.forEach((m, i) => {
    const v = views[i];
    const tr = document.createElement("tr");
    if (m.role === "leader") tr.className = "leader";
    if (!v) tr.className = "down";
    cell(tr, m.id);
    cell(tr, m.admin_addr);
    cell(tr, v ? v.role : `${m.role} (unreachable)`);
    cell(tr, v ? v.term : "", "num");
    cell(tr, v ? v.commit_index : "", "num");
    cell(tr, v ? v.applied_index : "", "num");
    cell(tr, m.match_index, "num");
    cell(tr, m.lag, "num");
    tbody.append(tr);
  });
  document.getElementById("node-summary").textContent =
    `node ${status.node_id} · ${raft.role || "?"} · term ${raft.term} · ${status.mysql_version || ""} · ` +
    `MySQL port ${status.ports ? status.ports.mysql : "?"}`;
}

async function refreshRootOnly() {
  if (!auth) return;
  const headers = { Authorization: auth };
  const [sessions, slow] = await Promise.all([fetchJson("/sessions", { headers }), fetchJson("/slow-queries", { headers })]);
  if (sessions.status === 401 || slow.status === 401) return signOut((sessions.body || slow.body || {}).error);
  const tbody = document.querySelector("#sessions tbody");
  tbody.replaceChildren();
  for (const s of sessions.body || []) {
    const tr = document.createElement("tr");
    tr.dataset.id = s.id;
    for (const [k, cls] of [["id", "num"], ["user"], ["host"], ["db"], ["command"], ["time", "num"], ["state"]]) cell(tr, s[k], cls);
    cell(tr, s.info, "stmt");
    const td = cell(tr, "");
    for (const [label, scope] of [["KILL", "connection"], ["KILL QUERY", "query"]]) {
      if (scope === "query" && s.info === null) continue;
      const b = document.createElement("button");
      b.className = "kill";
      b.dataset.scope = scope;
      b.textContent = label;
      b.addEventListener("click", () => kill(s.id, scope));
      td.append(b, " ");
    }
    tbody.append(tr);
  }
  const slowBody = document.querySelector("#slow-queries tbody");
  slowBody.replaceChildren();
  for (const q of [...(slow.body || [])].reverse().slice(0, SLOW_QUERIES_SHOWN)) {
    const tr = document.createElement("tr");
    cell(tr, new Date(q.ts * 1000).toLocaleTimeString());
    cell(tr, q.user);
    cell(tr, q.db);
    cell(tr, q.query_time.toFixed(3), "num");
    cell(tr, q.rows_examined, "num");
    cell(tr, q.rows_sent, "num");
    cell(tr, q.error || "", "num");
    cell(tr, q.statement, "stmt");
    slowBody.append(tr);
  }
}

async function kill(id, scope) {
  const r = await fetchJson(`/sessions/kill?id=${encodeURIComponent(id)}&scope=${scope}`, { method: "POST", headers: { Authorization: auth } });
  if (r.status === 401) return signOut(r.body && r.body.error);
  const killError = document.getElementById("kill-error");
  killError.textContent = r.status === 200 ? "" : (r.body && r.body.error) || `KILL failed (${r.status})`;
  killError.hidden = r.status === 200;
  await refreshRootOnly();
}

function signOut(message) {
  auth = null;
  document.getElementById("signed-in").hidden = true;
  document.getElementById("login").hidden = false;
  const err = document.getElementById("login-error");
  err.textContent = message || "";
  err.hidden = !message;
}

async function signIn(event) {
  event.preventDefault();
  const password = document.getElementById("password").value;
  const candidate = "Basic " + btoa(unescape(encodeURIComponent("root:" + password)));
  const r = await fetchJson("/sessions", { headers: { Authorization: candidate } });
  if (r.status !== 200) return signOut((r.body && r.body.error) || `sign-in failed (${r.status})`);
  auth = candidate;
  document.getElementById("password").value = "";
  document.getElementById("login").hidden = true;
  document.getElementById("login-error").hidden = true;
  document.getElementById("signed-in").hidden = false;
  await refreshRootOnly();
}

async function poll() {
  const errorBox = document.getElementById("poll-error");
  try {
    const [status, metricsText] = await Promise.all([
      fetchJson("/status").then(r => r.body),
      fetch("/metrics", { cache: "no-store" }).then(r => r.text()),
    ]);
    sample(parseMetrics(metricsText), performance.now() / 1000);
    redraw();
    await renderMembers(status);
    await refreshRootOnly();
    errorBox.hidden = true;
  } catch (e) {
    errorBox.textContent = `cannot reach the node: ${e.message || e}`;
    errorBox.hidden = false;
  } finally {
    setTimeout(poll, POLL_MS);
  }
}

document.getElementById("login").addEventListener("submit", signIn);
document.getElementById("logout").addEventListener("click", () => signOut());
window.addEventListener("resize", redraw);
poll();
