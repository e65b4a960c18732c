/* 안산시 민원상담 콜센터 · 상담원 콘솔. Contract: docs/web-protocol.md.
 * Every text from the server is rendered with textContent only. One global: AgentConsole. */
window.AgentConsole = (() => {
  "use strict";
  const API = "/agent/api";
  const LIVE = ["queued", "assigned", "callback"];
  const CLAIMABLE = ["queued", "callback"];
  const STATUS = { queued: "대기", assigned: "상담 중", callback: "콜백" };
  const ROLE = { agent: "상담원", content: "콘텐츠 담당", admin: "관리자" };
  const WHO = { citizen: "시민", bot: "챗봇", agent: "상담원", system: "안내" };
  const TYPING_EVERY_MS = 3000;
  const BASE_TITLE = document.title;
  const state = {
    me: null, tickets: new Map(), rows: new Map(), order: [], departments: new Map(),
    selected: null, ticket: null, loading: false, closed: false, pending: [],
    ownSent: [], drafts: new Map(), sending: false, lastTyping: 0, typingTimer: 0,
    suggestSeq: 0, stick: true, ws: null, retry: 0, down: false, leaving: false
  };
  /* ---------- helpers ---------- */
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => Object.assign(document.createElement(tag), cls ? { className: cls } : {},
    text != null ? { textContent: String(text) } : {});
  const setText = (e, text) => { text = text == null ? "" : String(text); if (e.textContent !== text) e.textContent = text; };
  const button = (cls, text) => Object.assign(el("button", cls, text), { type: "button" });
  const pad = (n) => String(n).padStart(2, "0");
  const mmss = (sec) => { const s = Math.max(0, Math.floor(sec)); return pad(Math.floor(s / 60)) + ":" + pad(s % 60); };
  const clock = (ts, d = new Date(ts)) => (isNaN(d.getTime()) ? "" :
    d.toLocaleTimeString("ko-KR", { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "Asia/Seoul" }));
  function notice(text, kind) {
    const n = Object.assign($("notice"), { className: "notice" + (kind ? " notice-" + kind : ""), textContent: text });
    clearTimeout(notice.timer);
    notice.timer = setTimeout(() => { n.textContent = ""; }, 7000);
  }
  const isMine = (t) => !!(t && state.me && t.status === "assigned" && t.agent && t.agent.username === state.me.username);
  const isLive = (t) => !!t && LIVE.includes(t.status);
  const deptName = (key) => (key ? state.departments.get(key) || key : "");
  /* ---------- HTTP ---------- */
  async function request(method, url, body) {
    const opts = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method !== "GET") {  // every POST: JSON body + the session's CSRF token
      Object.assign(opts.headers, { "Content-Type": "application/json", "X-CSRF-Token": state.me ? state.me.csrf_token : "" });
      opts.body = JSON.stringify(body || {});
    }
    let res, data = null;
    try { res = await fetch(url, opts); } catch (e) { return { ok: false, status: 0, data }; }
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
  /* ---------- queue ---------- */
  function createRow(id) {
    const row = { li: el("li", "queue-item"), open: button("queue-open"), badge: el("span", "badge"),
      wait: el("span", "queue-wait"), waitSr: el("span", "visually-hidden"), cat: el("span", "queue-category"),
      question: el("span", "queue-question"), agent: el("span", "queue-agent"), unread: el("span", "unread-dot"),
      claim: button("button button-primary claim-button", "가져오기") };
    const top = el("span", "queue-top");
    row.li.dataset.ticketId = id;
    row.wait.setAttribute("aria-hidden", "true");  // ticks every second; waitSr carries it for screen readers
    row.unread.hidden = true; row.unread.append(el("span", "visually-hidden", "새 메시지"));
    top.append(row.badge, row.wait, row.waitSr, row.cat, row.unread);
    row.open.append(top, row.question, row.agent);
    row.open.addEventListener("click", () => select(id));
    row.claim.addEventListener("click", () => claim(id));
    row.li.append(row.open, row.claim);
    state.rows.set(id, row);
    return row;
  }
  function updateRow(id) {
    const entry = state.tickets.get(id);
    if (!entry) return;
    const t = entry.t, row = state.rows.get(id) || createRow(id), selected = id === state.selected;
    row.li.dataset.status = t.status;
    row.li.className = "queue-item status-" + t.status + (isMine(t) ? " is-mine" : "") +
      (selected ? " is-selected" : "") + (row.unread.hidden ? "" : " has-unread");
    if (selected) row.open.setAttribute("aria-current", "true"); else row.open.removeAttribute("aria-current");
    setText(row.badge, STATUS[t.status] || t.status);
    setText(row.waitSr, "대기 " + Math.floor((t.waiting_seconds || 0) / 60) + "분");
    setText(row.cat, [t.category || "분류 없음", deptName(t.department)].filter(Boolean).join(" · "));
    setText(row.question, t.last_question || "(질문 없음)");
    row.question.title = t.last_question || "";
    setText(row.agent, "담당: " + (t.agent ? t.agent.display_name + (isMine(t) ? " (나)" : "") : "배정 전"));
    row.claim.hidden = !CLAIMABLE.includes(t.status);
    row.claim.setAttribute("aria-label", "가져오기 · #" + t.id + " " + (t.category || ""));
    tickRow(id);
  }
  function tickRow(id) {
    const entry = state.tickets.get(id), row = state.rows.get(id);
    if (!entry || !row) return;
    const sec = (entry.t.waiting_seconds || 0) + (performance.now() - entry.at) / 1000;
    setText(row.wait, mmss(sec));
    row.wait.classList.toggle("wait-long", sec >= 300 && entry.t.status !== "assigned");
  }
  function upsert(t) {
    const id = String(t.id);
    state.tickets.set(id, { t, at: performance.now() });
    updateRow(id);
    if (!state.order.includes(id)) state.order.push(id);
    if (id === state.selected && !state.closed) {  // keep fields only the detail call has (callback_phone)
      state.ticket = Object.assign({}, state.ticket, t); renderHeader(); updateControls();
    }
  }
  function removeTicket(id) {
    if (state.rows.has(id)) state.rows.get(id).li.remove();
    state.rows.delete(id); state.tickets.delete(id);
    state.order = state.order.filter((x) => x !== id);
  }
  function placeRows() {
    const lists = { mine: $("my-chats"), others: $("queue-list") }, index = { mine: 0, others: 0 };
    let queued = 0;
    for (const id of state.order) {
      const entry = state.tickets.get(id), row = state.rows.get(id);
      if (!entry || !row) continue;
      const group = isMine(entry.t) ? "mine" : "others", list = lists[group], at = list.children[index[group]];
      if (at !== row.li) list.insertBefore(row.li, at || null);  // move only what changed place
      index[group] += 1;
      if (entry.t.status === "queued") queued += 1;
    }
    $("my-empty").hidden = index.mine > 0; setText($("my-count"), index.mine);
    $("queue-empty").hidden = index.others > 0; setText($("others-count"), index.others);
    setText($("queue-count"), "대기 " + queued);
    document.title = queued ? "(" + queued + ") " + BASE_TITLE : BASE_TITLE;
  }
  function applyQueue(tickets) {
    const ids = tickets.map((t) => String(t.id));
    [...state.tickets.keys()].filter((id) => !ids.includes(id)).forEach(removeTicket);
    state.order = ids;
    tickets.forEach(upsert);
    placeRows();
    if (state.selected && !state.loading && !ids.includes(state.selected)) chatEnded();
  }
  function applyTicket(t) {
    const id = String(t.id);
    if (isLive(t)) upsert(t); else removeTicket(id);
    placeRows();
    if (id === state.selected && !isLive(t)) chatEnded(t.status);
  }
  async function loadQueue() {
    const r = await get("/queue");
    if (r.ok) applyQueue(r.data.tickets || []);
    else notice(failText(r, "대기열을 불러오지 못했어요."), "error");
  }
  async function claim(id) {
    const row = state.rows.get(id);
    if (row) row.claim.disabled = true;
    const r = await post("/tickets/" + id + "/claim", {});
    if (row) row.claim.disabled = false;
    if (r.status === 409) return notice("다른 상담원이 먼저 가져갔어요.", "error"), loadQueue();
    if (!r.ok) return notice(failText(r, "상담을 가져오지 못했어요."), "error");
    if (r.data && r.data.ticket) applyTicket(r.data.ticket);
    notice("#" + id + " 상담을 가져왔어요.");
    return select(id, true);  // now ours: the whole conversation, suggestions, the callback number
  }
  /* ---------- chat view ---------- */
  function renderHeader() {
    const t = state.ticket;
    $("chat-placeholder").hidden = !!state.selected;
    $("message-log").hidden = !state.selected;
    $("chat-presence").hidden = !t || state.closed || t.citizen_online !== false;
    setText($("chat-title"), t ? "#" + t.id + " · " + (t.category || "분류 없음") :
      state.selected ? "#" + state.selected : "상담을 선택하세요");
    setText($("chat-meta"), t ? [state.closed ? "종료" : STATUS[t.status] || t.status,
      t.agent ? "담당 " + t.agent.display_name : "배정 전", deptName(t.department),
      t.callback_phone ? "콜백 번호 " + t.callback_phone : "",
      t.callback_phone_error || ""].filter(Boolean).join(" · ") : "");
  }
  function updateControls() {
    const input = $("agent-input"), mine = !state.closed && isMine(state.ticket);
    const manage = mine || (!state.closed && isLive(state.ticket) && !!state.me && state.me.role === "admin");
    input.disabled = !mine;
    $("agent-send").disabled = !mine || state.sending;
    input.placeholder = mine ? "답변을 입력하세요" : state.closed ? "종료된 상담이에요." :
      state.ticket ? "이 상담을 가져오면 답변할 수 있어요." : "상담을 선택하세요.";
    document.querySelectorAll(".insert-suggestion, .canned-reply").forEach((b) => { b.disabled = !mine; });
    ["transfer-agent", "transfer-department", "transfer-button", "close-outcome", "close-note", "close-button"]
      .forEach((id) => { $(id).disabled = !manage; });
  }
  function addMessage(m) {
    const role = WHO[m.role] ? m.role : "system", li = el("li", "msg msg-" + role), meta = el("div", "msg-meta");
    meta.append(el("span", "msg-who", role === "agent" && m.agent_name ? m.agent_name + " 상담원" : WHO[role]));
    if (m.ts) { const time = el("time", "msg-time", clock(m.ts)); time.dateTime = m.ts; meta.append(time); }
    // a citizen's button click is stored as its payload plus the title the citizen saw
    li.append(meta, el("div", "msg-text", role === "citizen" && m.title ? m.title : m.text || ""));
    if (Array.isArray(m.buttons) && m.buttons.length) {
      const ul = el("ul", "msg-buttons");
      ul.setAttribute("aria-label", "챗봇이 보여준 버튼");
      m.buttons.forEach((b) => ul.append(el("li", "msg-button", b.title || b.payload)));
      li.append(ul);
    }
    $("message-log").append(li);
  }
  function scrollLog(force) {
    const log = $("message-log");
    if (force || state.stick) log.scrollTop = log.scrollHeight;
  }
  const resetTools = () => ["transfer-agent", "transfer-department", "close-outcome", "close-note"].forEach((x) => { $(x).value = ""; });
  function hideTyping() { clearTimeout(state.typingTimer); setText($("typing-indicator"), ""); }
  function chatEnded(status) {
    if (state.closed || !state.selected) return;  // once per chat
    state.closed = true;
    const text = status === "cancelled" ? "시민이 상담원 연결을 취소했어요. 대화가 챗봇 상담으로 돌아갔어요."
      : "상담이 종료되어 대화가 챗봇 상담으로 돌아갔어요.";
    Object.assign($("chat-state"), { textContent: text, hidden: false });
    addMessage({ role: "system", text });
    scrollLog(true); hideTyping(); resetTools(); renderHeader(); updateControls();
  }
  async function select(id, focusComposer) {
    const input = $("agent-input"), log = $("message-log"), previous = state.selected;
    if (previous) state.drafts.set(previous, input.value);
    Object.assign(state, { selected: id, ticket: state.tickets.has(id) ? state.tickets.get(id).t : null,
      loading: true, closed: false, pending: [], ownSent: [], stick: true });
    if (previous) updateRow(previous);
    if (state.rows.has(id)) { state.rows.get(id).unread.hidden = true; updateRow(id); }
    input.value = state.drafts.get(id) || ""; resetTools();
    log.replaceChildren(); log.setAttribute("aria-busy", "true");
    $("chat-state").hidden = true; document.querySelector(".panel-tools").scrollTop = 0;
    hideTyping(); renderSuggestions([]); renderHeader(); updateControls();
    const r = await get("/tickets/" + id);
    if (state.selected !== id) return;
    state.loading = false;
    const transcript = r.ok ? r.data.transcript || [] : [];
    if (r.ok) state.ticket = r.data.ticket || state.ticket;
    else if (r.status === 403 && state.ticket) {  // not ours yet: the summary, and how to see more
      addMessage({ role: "citizen", text: state.ticket.last_question || "(질문 없음)" });
      addMessage({ role: "system", text: failText(r, "상담을 가져오면 대화 전체를 볼 수 있어요.") });
    } else addMessage({ role: "system", text: "대화를 불러오지 못했어요. 다시 선택해 주세요." });
    transcript.forEach(addMessage);
    // pushes that came while the transcript was loading: skip those it already has
    const tail = transcript.slice(-(state.pending.length + 5)).map((m) => m.role + "|" + m.text);
    state.pending.splice(0).forEach((p) => {
      const i = tail.indexOf(p.role + "|" + p.text);
      if (i >= 0) tail.splice(i, 1); else onMessage(p);
    });
    log.removeAttribute("aria-busy");
    scrollLog(true);
    if (r.ok && state.ticket && !isLive(state.ticket)) chatEnded(state.ticket.status);
    renderHeader(); updateControls();
    if (r.ok) loadSuggestions();
    if (focusComposer && !input.disabled) input.focus();
  }
  /* ---------- composer ---------- */
  async function sendMessage() {
    const input = $("agent-input"), text = input.value.trim(), id = state.selected;
    if (!text || !isMine(state.ticket) || state.closed || state.sending) return;
    // The server echoes our message (before or after the 200, maybe cleaned up); show it once: only the holder
    // writes in a chat, so an agent message push is matched to our oldest unechoed send.
    const sent = { text, shown: false, echoed: false };
    const forget = () => state.ownSent.splice(state.ownSent.indexOf(sent), 1);
    state.ownSent.push(sent); state.sending = true; input.value = ""; updateControls();
    const r = await post("/tickets/" + id + "/messages", { text });
    state.sending = false; updateControls();
    if (state.selected !== id) return;
    if (!r.ok) {
      forget();
      if (!input.value) input.value = text;
      notice(failText(r, "메시지를 보내지 못했어요."), "error");
    } else if (sent.echoed) forget();
    else {
      sent.shown = true;
      addMessage({ role: "agent", text, agent_name: state.me.display_name, ts: new Date().toISOString() });
      scrollLog(true);
    }
    input.focus();
  }
  function onInputKey(e) {
    if (e.key !== "Enter" || e.shiftKey || e.isComposing || e.keyCode === 229) return;  // 229: Hangul IME
    e.preventDefault(); sendMessage();
  }
  function onInput() {
    const now = Date.now();
    if (!$("agent-input").value.trim() || !isMine(state.ticket) || now - state.lastTyping < TYPING_EVERY_MS) return;
    state.lastTyping = now;
    post("/tickets/" + state.selected + "/typing", {});
  }
  function insertText(text) {
    const input = $("agent-input");
    if (input.disabled) return;
    const start = input.selectionStart, end = input.selectionEnd;
    input.value = input.value.slice(0, start) + text + input.value.slice(end);
    input.focus(); input.setSelectionRange(start + text.length, start + text.length);
  }
  /* ---------- right-hand tools ---------- */
  function renderSuggestions(list) {
    $("suggestions").replaceChildren(...list.map((s) => {
      const li = el("li", "suggestion"), preview = el("p", "suggestion-preview", s.answer);
      const insert = button("button button-small insert-suggestion", "넣기");
      li.dataset.faqId = s.faq_id; preview.title = s.answer || "";
      insert.setAttribute("aria-label", "넣기: " + s.question);
      insert.addEventListener("click", () => insertText(s.answer || ""));
      li.append(el("p", "suggestion-question", s.question), preview, insert);
      return li;
    }));
    $("suggestions-empty").hidden = list.length > 0;
    updateControls();
  }
  async function loadSuggestions() {
    const id = state.selected, seq = ++state.suggestSeq; if (!id) return;
    const r = await get("/tickets/" + id + "/suggestions");
    if (seq === state.suggestSeq && state.selected === id) renderSuggestions(r.ok ? r.data.suggestions || [] : []);
  }
  async function loadCanned() {
    const r = await get("/canned");
    if (!r.ok) return;
    $("canned").replaceChildren(...(r.data.replies || []).map((c) => {
      const li = el("li"), b = button("button button-small canned-reply", c.title);
      b.title = c.text;
      b.addEventListener("click", () => insertText(c.text || ""));
      li.append(b);
      return li;
    }));
    updateControls();
  }
  async function loadAgents() {
    const r = await get("/agents");
    if (!r.ok) return;
    const agents = $("transfer-agent"), depts = $("transfer-department"), keep = [agents.value, depts.value];
    agents.replaceChildren(new Option("상담원 선택", ""), ...(r.data.agents || [])
      .filter((a) => !state.me || a.username !== state.me.username)
      .map((a) => new Option(a.display_name + (a.online ? "" : " (오프라인)"), a.username)));
    state.departments = new Map((r.data.departments || []).map((d) => [d.key, d.name]));
    depts.replaceChildren(new Option("부서 선택", ""), ...[...state.departments].map(([k, n]) => new Option(n, k)));
    [agents.value, depts.value] = keep;
    state.tickets.forEach((entry, id) => updateRow(id));
    renderHeader();
  }
  async function transfer() {
    const id = state.selected, agentSel = $("transfer-agent"), deptSel = $("transfer-department");
    const agent = agentSel.value, dept = deptSel.value; if (!id) return;
    if (!agent && !dept) return agentSel.focus(), notice("이관할 상담원이나 부서를 선택해 주세요.", "error");
    const label = agent ? agentSel.selectedOptions[0].textContent + " 상담원에게" : deptName(dept) + "(으)로";
    const r = await post("/tickets/" + id + "/transfer", agent ? { agent } : { department: dept });
    if (!r.ok) return notice(failText(r, "이관하지 못했어요."), "error");
    agentSel.value = deptSel.value = "";
    notice("#" + id + " 상담을 " + label + " 이관했어요.");
    await refreshTicket(id);
  }
  async function refreshTicket(id) {
    const r = await get("/tickets/" + id);
    if (r.ok && r.data.ticket) applyTicket(r.data.ticket);
  }
  async function closeTicket() {
    const id = state.selected, outcome = $("close-outcome").value, note = $("close-note");
    if (!id) return;
    if (!outcome) return $("close-outcome").focus(), notice("상담 결과를 선택해 주세요.", "error");
    $("close-button").disabled = true;
    const r = await post("/tickets/" + id + "/close", { outcome, note: note.value.trim() });
    if (!r.ok) return updateControls(), notice(failText(r, "상담을 종료하지 못했어요."), "error");
    $("close-outcome").value = note.value = "";
    state.drafts.delete(id); removeTicket(id); placeRows();
    if (state.selected === id) chatEnded("closed");
    notice("#" + id + " 상담을 종료했어요.");
  }
  /* ---------- pushes ---------- */
  function onMessage(p) {
    const id = String(p.ticket_id);
    if (id !== state.selected) {
      const row = state.rows.get(id), entry = state.tickets.get(id);
      if (row && p.role === "citizen" && entry && isMine(entry.t)) { row.unread.hidden = false; updateRow(id); }
      return;
    }
    if (state.loading) { state.pending.push(p); return; }
    const own = p.role === "agent" && state.ownSent.find((s) => !s.echoed);
    if (own && own.shown) { state.ownSent.splice(state.ownSent.indexOf(own), 1); return; }
    if (own) { own.echoed = true; p = Object.assign({ agent_name: state.me.display_name }, p); }
    if (p.role === "citizen") { hideTyping(); loadSuggestions(); }
    addMessage(p);
    scrollLog(!!own);
  }
  function onPush(p) {
    if (!p || typeof p !== "object") return;
    if (p.type === "queue") applyQueue(p.tickets || []);
    else if (p.type === "ticket" && p.ticket) applyTicket(p.ticket);
    else if (p.type === "message") onMessage(p);
    else if (p.type === "typing" && String(p.ticket_id) === state.selected && !state.closed) {
      clearTimeout(state.typingTimer);
      if (p.on === false) return hideTyping();
      setText($("typing-indicator"), "시민이 입력 중…");
      state.typingTimer = setTimeout(hideTyping, 6000);
    }
  }
  function connect() {
    const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/agent/ws");
    state.ws = ws;
    ws.onopen = () => {
      const resync = state.down;
      Object.assign(state, { retry: 0, down: false });
      $("connection-banner").hidden = true;
      if (!resync) return;
      loadQueue(); loadAgents();  // pushes may have been missed while the socket was down
      if (state.selected && !state.closed) select(state.selected);
    };
    ws.onmessage = (e) => { let p = null; try { p = JSON.parse(e.data); } catch (err) { /* not JSON */ } onPush(p); };
    ws.onclose = (e) => {
      if (state.ws !== ws || state.leaving) return;
      if (e.code === 4401) return (state.leaving = true), location.assign("/agent/login");  // session gone
      Object.assign(state, { ws: null, down: true });
      $("connection-banner").hidden = false;
      const delay = Math.min(30000, 1000 * 2 ** state.retry) * (0.8 + Math.random() * 0.4);
      state.retry += 1;
      setTimeout(reconnect, delay);
    };
  }
  async function reconnect() {
    if (state.retry > 2) {  // a long outage: check the session (a 401 goes to the login page)
      const r = await get("/me");
      if (state.leaving) return;
      if (r.ok) state.me.csrf_token = r.data.csrf_token;
    }
    connect();
  }
  /* ---------- start ---------- */
  async function logout() {
    state.leaving = true; if (state.ws) state.ws.close();
    await request("POST", "/agent/logout", {});
    location.assign("/agent/login");
  }
  function bind() {
    const log = $("message-log");
    $("logout-button").addEventListener("click", logout);
    $("composer").addEventListener("submit", (e) => { e.preventDefault(); sendMessage(); });
    $("agent-input").addEventListener("keydown", onInputKey);
    $("agent-input").addEventListener("input", onInput);
    $("transfer-agent").addEventListener("change", (e) => { if (e.target.value) $("transfer-department").value = ""; });
    $("transfer-department").addEventListener("change", (e) => { if (e.target.value) $("transfer-agent").value = ""; });
    $("transfer-button").addEventListener("click", transfer);
    $("close-button").addEventListener("click", closeTicket);
    window.addEventListener("beforeunload", () => { state.leaving = true; });
    log.addEventListener("scroll", () => { state.stick = log.scrollHeight - log.scrollTop - log.clientHeight < 80; });
    new ResizeObserver(() => { if (state.stick) log.scrollTop = log.scrollHeight; }).observe(log);
  }
  async function init() {
    bind(); renderHeader();
    const r = await get("/me");
    if (!r.ok) return notice("상담원 정보를 불러오지 못했어요. 새로고침해 주세요.", "error");
    state.me = r.data; setText($("agent-name"), state.me.display_name || state.me.username);
    setText($("agent-role"), ROLE[state.me.role] || state.me.role);
    await Promise.all([loadQueue(), loadCanned(), loadAgents()]);
    connect();
    setInterval(() => state.tickets.forEach((entry, id) => tickRow(id)), 1000);
  }
  init();
  return { state, select, reload: loadQueue };
})();
