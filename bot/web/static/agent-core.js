/* 안산시 민원상담 콜센터 · 상담원 콘솔: shared state, DOM helpers, durations, HTTP. Contract: docs/web-protocol.md.
 * Every text from the server is rendered with textContent only. One global: AgentConsole (queue: agent-queue.js,
 * chat and tools: agent.js). */
window.AgentConsole = (() => {
  "use strict";
  const API = "/agent/api";
  const state = {
    me: null, tickets: new Map(), rows: new Map(), order: [], departments: new Map(), picked: new Set(),
    selected: null, ticket: null, loading: false, closed: false, pending: [],
    ownSent: [], drafts: new Map(), sending: false, lastTyping: 0, typingTimer: 0,
    suggestSeq: 0, stick: true, ws: null, retry: 0, down: false, leaving: false
  };
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => Object.assign(document.createElement(tag), cls ? { className: cls } : {},
    text != null ? { textContent: String(text) } : {});
  const setText = (e, text) => { text = text == null ? "" : String(text); if (e.textContent !== text) e.textContent = text; };
  const button = (cls, text) => Object.assign(el("button", cls, text), { type: "button" });
  /** 0–59 s "방금", then "N분", "N시간 M분", "N일 M시간": how a person says a wait. */
  function duration(sec) {
    const m = Math.floor(Math.max(0, sec) / 60), h = Math.floor(m / 60), d = Math.floor(h / 24);
    if (m < 1) return "방금";
    if (h < 1) return m + "분";
    if (d < 1) return h + "시간" + (m % 60 ? " " + (m % 60) + "분" : "");
    return d + "일" + (h % 24 ? " " + (h % 24) + "시간" : "");
  }
  const clock = (ts, d = new Date(ts)) => (isNaN(d.getTime()) ? "" :
    d.toLocaleTimeString("ko-KR", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "Asia/Seoul" }));
  function notice(text, kind) {
    const n = Object.assign($("notice"), { className: "notice" + (kind ? " notice-" + kind : ""), textContent: text });
    clearTimeout(notice.timer);
    notice.timer = setTimeout(() => { n.textContent = ""; }, 7000);
  }
  /* ---------- HTTP ---------- */
  async function request(method, url, body) {
    const opts = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") {  // every POST: JSON body + the session's CSRF token
      Object.assign(opts.headers, { "Content-Type": "application/json", "X-CSRF-Token": state.me ? state.me.csrf_token : "" });
      opts.body = JSON.stringify(body || {});
    }
    let res, data = null;
    try { res = await fetch(url, Object.assign(opts, { signal: AbortSignal.timeout(30000) })); }
    catch (e) { return { ok: false, status: 0, data }; }
    if (res.status === 401 || (res.redirected && res.url.includes("/agent/login"))) {
      state.leaving = true; location.assign("/agent/login");
      return { ok: false, status: 401, data };
    }
    try { data = await res.json(); } catch (e) { data = null; }
    return { ok: res.ok, status: res.status, data };
  }
  async function get(path) {  // a GET counts as ok only with a JSON body
    const r = await request("GET", API + path);
    return Object.assign(r, { ok: r.ok && r.data !== null });
  }
  const post = (path, body) => request("POST", API + path, body);
  const failText = (r, fallback) => (r.status === 0 ? "서버에 연결할 수 없어요. 잠시 후 다시 시도해 주세요." :
    (r.data && typeof r.data.error === "string" && r.data.error) || fallback);
  const isMine = (t) => !!(t && state.me && t.status === "assigned" && t.agent && t.agent.username === state.me.username);
  const isLive = (t) => !!t && ["queued", "assigned", "callback"].includes(t.status);
  const deptName = (key) => (key ? state.departments.get(key) || key : "");
  return { state, $, el, setText, button, duration, clock, notice, request, get, post, failText, isMine, isLive,
    deptName };
})();
