/* 콘텐츠 담당 페이지: the analytics counters of a period (GET /agent/api/stats). Text via textContent only. */
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const ROWS = [
    ["conversations", "대화 수"], ["resolved_by_bot", "챗봇이 해결한 대화"], ["resolved_by_agent", "상담원이 해결한 대화"],
    ["bot_self_resolution_rate", "자체처리율", "percent"], ["handoff_rate", "상담원 연결 비율", "percent"],
    ["bot_answers", "챗봇 답변"], ["bot_clarifications", "되묻기"], ["bot_fallbacks", "답변하지 못함"],
  ];
  let me = null;
  const show = (value, kind) => (value == null ? "—" : kind === "percent" ? (value * 100).toFixed(1) + "%" : String(value));
  async function load(from, to) {
    const params = new URLSearchParams();
    if (from) params.set("from", from);
    if (to) params.set("to", to);
    const res = await fetch("/agent/api/stats?" + params, { credentials: "same-origin" });
    if (res.status === 401) return location.assign("/agent/login");
    const data = await res.json().catch(() => null);
    $("stats-error").textContent = res.ok ? "" : (data && data.error) || "통계를 불러오지 못했어요.";
    if (!res.ok || !data) return;
    $("from").value = data.period.from; $("to").value = data.period.to;
    $("stats").replaceChildren(...ROWS.map(([key, label, kind]) => {
      const tr = document.createElement("tr"), th = document.createElement("th"), td = document.createElement("td");
      th.scope = "row"; th.textContent = label; td.textContent = show(data[key], kind);
      tr.append(th, td);
      return tr;
    }));
  }
  async function init() {
    const res = await fetch("/agent/api/me", { credentials: "same-origin" });
    if (!res.ok) return location.assign("/agent/login");
    me = await res.json();
    $("user-name").textContent = me.display_name || me.username;
    $("period").addEventListener("submit", (e) => { e.preventDefault(); load($("from").value, $("to").value); });
    $("logout-button").addEventListener("click", async () => {
      await fetch("/agent/logout", { method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": me.csrf_token }, body: "{}" });
      location.assign("/agent/login");
    });
    load();
  }
  init();
})();
