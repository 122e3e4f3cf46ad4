// FastLoad dashboard: plain script, no build step. Reads the API of `fastload serve` (same origin), draws the live
// figures with uPlot (vendored, served from the assembly), starts and stops runs with the bearer token.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const fmt = (v, digits) => v === null || v === undefined ? "-" : Number(v).toLocaleString("en-US", { maximumFractionDigits: digits ?? 0 });
  const state = { runId: null, stream: null, figures: [], status: null, charts: {} };

  // The token stays in this tab only.
  $("token").value = sessionStorage.getItem("fastload-token") || "";
  $("token").addEventListener("change", () => sessionStorage.setItem("fastload-token", $("token").value.trim()));

  function message(text, ok) {
    $("message").textContent = text || "";
    $("message").className = ok ? "ok" : "";
  }

  async function api(method, path, body) {
    const headers = { "Accept": "application/json" };
    const token = $("token").value.trim();
    if (token) headers["Authorization"] = "Bearer " + token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    let json = null;
    try { json = await response.json(); } catch (e) { /* no body */ }
    return { status: response.status, json };
  }

  // ---- charts -------------------------------------------------------------------------------------------------
  function chart(id, series) {
    const el = $(id);
    const width = Math.max(320, Math.min(560, (document.body.clientWidth - 80) / 3));
    const opts = {
      width, height: 220,
      scales: { x: { time: true } },
      series: [{}].concat(series.map((s) => ({ label: s.label, stroke: s.color, width: 2, dash: s.dash, spanGaps: false, value: (u, v) => v === null ? "-" : v.toFixed(1) }))),
      axes: [{}, { size: 56 }],
      legend: { live: true },
    };
    return new uPlot(opts, [[]].concat(series.map(() => [])), el);
  }
  // achieved first, so the dashed intended line is drawn over it and stays visible when they agree
  state.charts.rate = chart("chart-rate", [{ label: "achieved", color: "#2563eb" }, { label: "intended", color: "#111827", dash: [6, 4] }]);
  state.charts.latency = chart("chart-latency", [{ label: "p50", color: "#16a34a" }, { label: "p99", color: "#ea580c" }]);
  state.charts.errors = chart("chart-errors", [{ label: "errors/s", color: "#dc2626" }]);

  function redraw() {
    const f = state.figures;
    const x = f.map((p) => Date.parse(p.time) / 1000);
    const col = (name) => f.map((p) => p[name] === undefined ? null : p[name]);
    state.charts.rate.setData([x, col("achievedRate"), col("targetRate")]);
    state.charts.latency.setData([x, col("ackP50Ms"), col("ackP99Ms")]);
    state.charts.errors.setData([x, col("errorRate")]);
  }

  // ---- the live run ---------------------------------------------------------------------------------------------
  function showStatus(text) {
    state.status = text;
    $("run-status").textContent = text;
    $("run-status").className = "status " + text;
    $("stop").disabled = !(text === "setup" || text === "sending" || text === "draining" || text === "running");
  }

  function showFigures(p) {
    $("t-target").textContent = fmt(p.targetRate, 1);
    $("t-achieved").textContent = fmt(p.achievedRate, 1);
    $("t-sent").textContent = fmt(p.sent);
    $("t-accepted").textContent = fmt(p.accepted);
    $("t-errors").textContent = fmt(p.errors);
    $("t-included").textContent = fmt(p.included);
    $("t-inflight").textContent = fmt(p.inFlight);
    $("t-p99").textContent = fmt(p.ackP99Ms, 2);
    const rows = (p.nodes || []).map((n) => `<tr><td>${n.node}</td><td class="url">${escapeHtml(n.url)}</td><td>${fmt(n.rate, 1)}</td><td>${fmt(n.sent)}</td>` +
      `<td>${fmt(n.accepted)}</td><td>${fmt(n.errors)}</td><td>${fmt(n.included)}</td><td>${fmt(n.inFlight)}</td><td>${fmt(n.ackP50Ms, 2)}</td><td>${fmt(n.ackP99Ms, 2)}</td></tr>`);
    $("nodes").tBodies[0].innerHTML = rows.join("");
  }

  function attach(id) {
    if (state.stream) state.stream.close();
    state.runId = id;
    state.figures = [];
    $("run-id").textContent = id;
    showStatus("running");
    redraw();
    const stream = new EventSource(`/api/runs/${encodeURIComponent(id)}/stream`);
    state.stream = stream;
    stream.addEventListener("figures", (e) => {
      const p = JSON.parse(e.data);
      state.figures.push(p);
      showFigures(p);
      showStatus(p.stage);
      redraw();
    });
    stream.addEventListener("end", (e) => {
      const run = JSON.parse(e.data);
      stream.close();
      state.stream = null;
      showStatus(run.status);
      message(`run ${run.id} ended: ${run.status}${run.error ? " (" + run.error + ")" : ""}`, run.status === "complete");
      refreshRuns();
    });
  }

  // ---- start and stop -------------------------------------------------------------------------------------------
  $("start-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const options = {};
    if ($("rpc").value.trim()) options.rpc = $("rpc").value.trim();
    if ($("rate").value) options.rate = Number($("rate").value);
    if ($("duration").value.trim()) options.duration = $("duration").value.trim();
    if ($("wallets").value) options.wallets = Number($("wallets").value);
    if ($("workload").value.trim()) options.workload = $("workload").value.trim();
    const body = { options };
    if ($("scenario").value.trim()) body.scenario = $("scenario").value.trim();
    const extra = $("extra").value.trim();
    if (extra) body.args = extra.split(/\s+/);
    message("starting...", true);
    $("start").disabled = true;
    try {
      const r = await api("POST", "/api/runs", body);
      if (r.status === 201) {
        message(`run ${r.json.run.id} started`, true);
        attach(r.json.run.id);
        refreshRuns();
      } else {
        message(`${r.status}: ${r.json && r.json.error ? r.json.error : "start refused"}`);
      }
    } finally {
      $("start").disabled = false;
    }
  });

  $("stop").addEventListener("click", async () => {
    if (!state.runId) return;
    const r = await api("POST", `/api/runs/${encodeURIComponent(state.runId)}/stop`);
    if (r.status === 202) message(`stopping run ${state.runId}: no more signing, draining in-flight answers...`, true);
    else message(`${r.status}: ${r.json && r.json.error ? r.json.error : "stop refused"}`);
  });

  // ---- past runs ------------------------------------------------------------------------------------------------
  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  async function refreshRuns() {
    const r = await api("GET", "/api/runs");
    if (r.status !== 200) return;
    const rows = r.json.map((run) => {
      const id = encodeURIComponent(run.id);
      const ended = run.status !== "running" && run.status !== "unreadable";
      const links = ended ? `<a href="/api/runs/${id}/report" target="_blank">report</a><a href="/api/runs/${id}/summary" target="_blank">summary</a>` : "";
      const started = run.startedAt ? run.startedAt.replace("T", " ").replace(/\.\d+/, "").replace("+00:00", "").replace("Z", "") : "-";
      return `<tr data-id="${escapeHtml(run.id)}"><td>${escapeHtml(run.id)}</td><td><span class="status ${escapeHtml(run.status)}">${escapeHtml(run.status)}</span></td>` +
        `<td>${escapeHtml(started)}</td><td>${run.durationSeconds === undefined ? "-" : fmt(run.durationSeconds, 1) + " s"}</td><td>${fmt(run.sent)}</td>` +
        `<td>${fmt(run.accepted)}</td><td>${fmt(run.errors)}</td><td>${fmt(run.achievedRate, 1)}</td><td>${run.ackP99Ms === undefined ? "-" : fmt(run.ackP99Ms, 2) + " ms"}</td><td>${links}</td></tr>`;
    });
    $("runs").tBodies[0].innerHTML = rows.join("");
  }

  async function init() {
    const r = await api("GET", "/api");
    if (r.status === 200) {
      $("service").textContent = "results: " + r.json.resultsFolder;
      if (r.json.live) attach(r.json.live);
    }
    refreshRuns();
    setInterval(refreshRuns, 5000);
  }

  // For tests and the curious: what the charts hold.
  window.fastloadDashboard = {
    get runId() { return state.runId; },
    get status() { return state.status; },
    get figures() { return state.figures.slice(); },
    chartPoints: () => state.charts.rate.data[0].length,
  };
  init();
})();
