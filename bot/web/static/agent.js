/* 상담원 콘솔 · the chat view, composer, suggestions and tools, live pushes, start. Contract: docs/web-protocol.md.
 * Shared state and helpers: agent-core.js; the queue: agent-queue.js. Every server text goes in with textContent. */
(() => {
  "use strict";
  const C = window.AgentConsole;
  const { state, $, el, setText, button, clock, notice, request, get, post, failText, isMine, isLive, deptName } = C;
  const Q = C.queue;
  const ROLE = { agent: "상담원", content: "콘텐츠 담당", admin: "관리자" };
  const WHO = { citizen: "시민", bot: "챗봇", agent: "상담원", system: "안내" };
  const TYPING_EVERY_MS = 3000;
  /* ---------- chat view ---------- */
  function renderHeader() {
    const t = state.ticket;
    $("chat-placeholder").hidden = !!state.selected;
    $("message-log").hidden = !state.selected;
    $("chat-presence").hidden = !t || state.closed || t.citizen_online !== false || !!t.callback;
    setText($("chat-title"), t ? "#" + t.id + " · " + (t.callback ? "콜백 요청 · " : "") + (t.category || "분류 없음") :
      state.selected ? "#" + state.selected : "상담을 선택하세요");
    setText($("chat-meta"), t ? [state.closed ? "종료" : t.callback && t.status === "assigned" ? "콜백 처리 중" :
      Q.STATUS[t.status] || t.status, t.agent ? "담당 " + t.agent.display_name : "배정 전", deptName(t.department),
      t.callback_phone ? "콜백 번호 " + t.callback_phone : "", t.callback_phone_error || ""].filter(Boolean).join(" · ") : "");
    $("put-back-button").hidden = state.closed || !isMine(t);
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
  function ticketChanged(t) {  // keep fields only the detail call has (callback_phone)
    state.ticket = Object.assign({}, state.ticket, t); renderHeader(); updateControls();
  }
  function addMessage(m) {
    const role = WHO[m.role] ? m.role : "system", li = el("div", "msg msg-" + role), meta = el("div", "msg-meta");
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
  function ended(status) {
    if (state.closed || !state.selected) return;  // once per chat
    state.closed = true;
    const text = status === "cancelled" ? "상담 요청이 취소되거나 마감되어 대화가 챗봇 상담으로 돌아갔어요."
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
    if (previous) Q.updateRow(previous);
    if (state.rows.has(id)) { state.rows.get(id).unread.hidden = true; Q.updateRow(id); }
    input.value = state.drafts.get(id) || ""; resetTools();
    log.replaceChildren(); log.setAttribute("aria-busy", "true");
    $("chat-state").hidden = true; document.querySelector(".panel-tools").scrollTop = 0;
    hideTyping(); renderSuggestions({ suggestions: [] }); renderHeader(); updateControls();
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
    if (r.ok && state.ticket && !isLive(state.ticket)) ended(state.ticket.status);
    renderHeader(); updateControls();
    if (r.ok) loadSuggestions();
    if (focusComposer && !input.disabled) input.focus();
  }
  async function putBack() {
    const id = state.selected;
    if (!id || !isMine(state.ticket)) return;
    const r = await post("/tickets/" + id + "/put-back", {});
    if (!r.ok) return notice(failText(r, "대기열로 되돌리지 못했어요."), "error");
    const back = r.data && r.data.ticket;
    if (back) { Q.applyTicket(back); ticketChanged(back); }
    notice("#" + id + (back && back.status === "callback" ? " 콜백 요청을 콜백 목록으로 되돌렸어요." : " 상담을 원래 대기 순서로 되돌렸어요."));
    state.drafts.delete(id); $("agent-input").value = "";
    updateControls(); renderSuggestions({ suggestions: [] });
    const row = state.rows.get(id);
    if (row) row.open.focus();
  }
  /* ---------- composer: Enter sends, Shift+Enter is a new line (kept all the way to the citizen) ---------- */
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
  function renderSuggestions(data) {
    const list = data.suggestions || [];
    $("suggestions").replaceChildren(...list.map((s) => {
      const li = el("li", "suggestion"), preview = el("p", "suggestion-preview", s.answer);
      const insert = button("button button-small insert-suggestion", "넣기");
      li.dataset.faqId = s.faq_id;
      insert.setAttribute("aria-label", "답변 입력창에 넣기: " + s.question);
      insert.addEventListener("click", () => insertText(s.answer || ""));
      li.append(el("p", "suggestion-question", s.question), preview, insert);
      return li;
    }));
    $("suggestions-basis").hidden = !data.question;
    setText($("suggestions-question"), data.question || "");
    setText($("suggestions-empty"), !state.selected || state.loading ? "시민의 최근 질문에 맞는 FAQ 답변이 여기에 보여요." :
      data.question ? "이 질문에 맞는 FAQ 답변이 없어요." : "시민이 남긴 질문이 없어요.");
    $("suggestions-empty").hidden = list.length > 0;
    updateControls();
  }
  async function loadSuggestions() {
    const id = state.selected, seq = ++state.suggestSeq; if (!id) return;
    const r = await get("/tickets/" + id + "/suggestions");
    if (seq === state.suggestSeq && state.selected === id) renderSuggestions(r.ok ? r.data : { suggestions: [] });
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
    state.tickets.forEach((entry, id) => Q.updateRow(id));
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
    if (r.ok && r.data.ticket) Q.applyTicket(r.data.ticket);
  }
  async function closeTicket() {
    const id = state.selected, outcome = $("close-outcome").value, note = $("close-note");
    if (!id) return;
    if (!outcome) return $("close-outcome").focus(), notice("상담 결과를 선택해 주세요.", "error");
    $("close-button").disabled = true;
    const r = await post("/tickets/" + id + "/close", { outcome, note: note.value.trim() });
    if (!r.ok) return updateControls(), notice(failText(r, "상담을 종료하지 못했어요."), "error");
    $("close-outcome").value = note.value = "";
    state.drafts.delete(id); Q.removeTicket(id); Q.placeRows();
    if (state.selected === id) ended("closed");
    notice("#" + id + " 상담을 종료했어요.");
  }
  /* ---------- pushes ---------- */
  function onMessage(p) {
    const id = String(p.ticket_id);
    if (id !== state.selected) {
      const row = state.rows.get(id), entry = state.tickets.get(id);
      if (row && p.role === "citizen" && entry && isMine(entry.t)) { row.unread.hidden = false; Q.updateRow(id); }
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
    if (p.type === "queue") Q.applyQueue(p.tickets || []);
    else if (p.type === "ticket" && p.ticket) Q.applyTicket(p.ticket);
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
      Q.loadQueue(); loadAgents();  // pushes may have been missed while the socket was down
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
    $("put-back-button").addEventListener("click", putBack);
    $("transfer-agent").addEventListener("change", (e) => { if (e.target.value) $("transfer-department").value = ""; });
    $("transfer-department").addEventListener("change", (e) => { if (e.target.value) $("transfer-agent").value = ""; });
    $("transfer-button").addEventListener("click", transfer);
    $("close-button").addEventListener("click", closeTicket);
    window.addEventListener("beforeunload", () => { state.leaving = true; });
    log.addEventListener("scroll", () => { state.stick = log.scrollHeight - log.scrollTop - log.clientHeight < 80; });
    new ResizeObserver(() => { if (state.stick) log.scrollTop = log.scrollHeight; }).observe(log);
    Q.bind();
  }
  async function init() {
    bind(); renderHeader();
    const r = await get("/me");
    if (!r.ok) return notice("상담원 정보를 불러오지 못했어요. 새로고침해 주세요.", "error");
    state.me = r.data; setText($("agent-name"), state.me.display_name || state.me.username);
    setText($("agent-role"), ROLE[state.me.role] || state.me.role);
    if (state.me.callback_expiry_hours) {
      setText($("callback-hint"), "전화번호를 남긴 요청만 보여요. " + state.me.callback_expiry_hours +
        "시간 안에 아무도 가져가지 않으면 자동으로 마감되고, 시민에게 다른 연락 방법을 안내해요.");
    }
    await Promise.all([Q.loadQueue(), loadCanned(), loadAgents()]);
    connect();
  }
  C.chat = { select, ended, ticketChanged };
  init();
})();
