/* 콘텐츠 스튜디오 shell: who is logged in, the tabs, and helpers the panels share (window.Studio).
   Each panel (studio-*.js) registers itself with Studio.panel(name, {init, show}); text via textContent only. */
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const panels = {};
  const started = new Set();
  let me = null;

  /** fetch JSON from the studio API: CSRF header on writes, login page on 401, {ok, status, data}. */
  async function api(path, options = {}) {
    const init = { credentials: "same-origin", method: options.method || "GET", headers: {} };
    if (options.body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.body);
    }
    if (init.method !== "GET" && me) init.headers["X-CSRF-Token"] = me.csrf_token;
    const res = await fetch(path, init);
    if (res.status === 401) { location.assign("/agent/login"); return { ok: false, status: 401, data: null }; }
    const data = await res.json().catch(() => null);
    return { ok: res.ok, status: res.status, data };
  }

  /** an element with text and attributes: el("button", {class: "button", type: "button"}, "저장") */
  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === false || value == null) continue;
      if (key.startsWith("on") && typeof value === "function") node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child == null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function notice(text) { $("studio-notice").textContent = text || ""; }

  function select(name) {
    for (const tab of document.querySelectorAll(".studio-tabs [role=tab]")) {
      const on = tab.id === "tab-" + name;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
      $(tab.getAttribute("aria-controls")).hidden = !on;
    }
    const panel = panels[name];
    if (panel && !started.has(name)) { started.add(name); panel.init && panel.init($("panel-" + name)); }
    if (panel && panel.show) panel.show($("panel-" + name));
    if (location.hash !== "#" + name) history.replaceState(null, "", "#" + name);
  }

  window.Studio = {
    api, el, notice, select,
    me: () => me,
    panel(name, impl) { panels[name] = impl; },
  };

  async function init() {
    const res = await fetch("/agent/api/me", { credentials: "same-origin" });
    if (!res.ok) return location.assign("/agent/login");
    me = await res.json();
    $("user-name").textContent = me.display_name || me.username;
    $("logout-button").addEventListener("click", async () => {
      await api("/agent/logout", { method: "POST", body: {} });
      location.assign("/agent/login");
    });
    const tabs = [...document.querySelectorAll(".studio-tabs [role=tab]")];
    tabs.forEach((tab, i) => {
      tab.addEventListener("click", () => select(tab.id.slice(4)));
      tab.addEventListener("keydown", (e) => {
        const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
        if (!step) return;
        const next = tabs[(i + step + tabs.length) % tabs.length];
        next.focus(); select(next.id.slice(4));
      });
    });
    const fromHash = () => {
      const wanted = location.hash.slice(1);
      return tabs.some((t) => t.id === "tab-" + wanted) ? wanted : null;
    };
    window.addEventListener("hashchange", () => { const name = fromHash(); if (name) select(name); });
    select(fromHash() || "editor");
  }
  document.addEventListener("DOMContentLoaded", init);
})();
