/* 상담원 콘솔 · the queue: my chats, live chats waiting (longest wait first), others' chats, callback requests
 * (oldest first) with bulk dismiss. Rows come in working order from the server; this file groups them. */
(() => {
  "use strict";
  const C = window.AgentConsole;
  const { state, $, el, setText, button, duration, notice, post, get, failText, isMine, deptName } = C;
  const STATUS = { queued: "대기", assigned: "상담 중", callback: "콜백" };
  const LONG_WAIT_SECONDS = 300;
  const BASE_TITLE = document.title;
  const group = (t) => (isMine(t) ? "mine" : t.status === "queued" ? "live" : t.status === "callback" ? "callback" : "others");
  const ago = (sec) => (sec < 60 ? "방금 요청" : duration(sec) + " 전 요청");
  /* ---------- one row ---------- */
  function createRow(id) {
    const row = { li: el("li", "queue-item"), open: button("queue-open"), badge: el("span", "badge"),
      wait: el("span", "queue-wait"), away: el("span", "queue-away", "시민 연결 끊김"),
      question: el("span", "queue-question"), meta: el("span", "queue-meta"), unread: el("span", "unread-dot"),
      pick: Object.assign(el("input", "queue-pick"), { type: "checkbox" }),
      claim: button("button button-primary claim-button", "가져오기") };
    const top = el("span", "queue-top");
    row.li.dataset.ticketId = id;
    row.unread.hidden = true; row.unread.append(el("span", "visually-hidden", "새 메시지"));
    top.append(row.badge, row.wait, row.away, row.unread);
    row.open.append(top, row.question, row.meta);
    row.open.addEventListener("click", () => C.chat.select(id));
    row.claim.addEventListener("click", () => claim(id));
    row.pick.addEventListener("click", (e) => pick(id, row.pick.checked, e.shiftKey));
    row.li.append(row.pick, row.open, row.claim);
    state.rows.set(id, row);
    return row;
  }
  function updateRow(id) {
    const entry = state.tickets.get(id);
    if (!entry) return;
    const t = entry.t, row = state.rows.get(id) || createRow(id), selected = id === state.selected;
    const callback = t.status === "callback";
    row.li.dataset.status = t.status;
    row.li.className = "queue-item status-" + t.status + (t.callback ? " is-callback" : "") + (isMine(t) ? " is-mine" : "") +
      (selected ? " is-selected" : "") + (row.unread.hidden ? "" : " has-unread") + (state.picked.has(id) ? " is-picked" : "");
    if (selected) row.open.setAttribute("aria-current", "true"); else row.open.removeAttribute("aria-current");
    setText(row.badge, t.callback && t.status === "assigned" ? "콜백 처리 중" : STATUS[t.status] || t.status);
    row.away.hidden = t.status !== "queued" || t.citizen_online !== false;
    setText(row.question, t.last_question || "질문 없이 상담원 연결만 요청했어요");
    row.question.classList.toggle("is-empty", !t.last_question);
    row.question.title = t.last_question || "";
    row.pick.hidden = !callback;
    row.pick.checked = state.picked.has(id);
    row.pick.setAttribute("aria-label", "정리할 콜백 요청으로 선택 · #" + t.id + " " + (t.last_question || ""));
    row.claim.hidden = !["queued", "callback"].includes(t.status);
    row.claim.setAttribute("aria-label", "가져오기 · #" + t.id + " " + (t.last_question || t.category || ""));
    tickRow(id);
  }
  function tickRow(id) {
    const entry = state.tickets.get(id), row = state.rows.get(id);
    if (!entry || !row) return;
    const t = entry.t, passed = (performance.now() - entry.at) / 1000, sec = (t.waiting_seconds || 0) + passed;
    setText(row.wait, t.status === "queued" ? "대기 " + (sec < 60 ? "1분 미만" : duration(sec)) :
      t.status === "callback" ? ago(sec) : "상담 " + (sec < 60 ? "1분 미만" : duration(sec)));
    row.wait.classList.toggle("wait-long", t.status === "queued" && sec >= LONG_WAIT_SECONDS);
    const left = t.status === "callback" && t.expires_in_seconds != null ? t.expires_in_seconds - passed : null;
    setText(row.meta, [t.category || "분류 없음", deptName(t.department),
      t.agent ? "담당 " + t.agent.display_name + (isMine(t) ? " (나)" : "") : "",
      left == null ? "" : left < 60 ? "곧 자동 마감" : duration(left) + " 후 자동 마감"].filter(Boolean).join(" · "));
  }
  /* ---------- the list ---------- */
  function upsert(t) {
    const id = String(t.id);
    state.tickets.set(id, { t, at: performance.now() });
    updateRow(id);
    if (!state.order.includes(id)) state.order.push(id);
    if (id === state.selected && !state.closed) C.chat.ticketChanged(t);
  }
  function removeTicket(id) {
    if (state.rows.has(id)) state.rows.get(id).li.remove();
    state.rows.delete(id); state.tickets.delete(id); state.picked.delete(id);
    state.order = state.order.filter((x) => x !== id);
  }
  function placeRows() {
    const lists = { mine: $("my-chats"), live: $("live-list"), others: $("others-list"), callback: $("callback-list") };
    const count = { mine: 0, live: 0, others: 0, callback: 0 };
    for (const id of state.order) {
      const entry = state.tickets.get(id), row = state.rows.get(id);
      if (!entry || !row) continue;
      const g = group(entry.t), list = lists[g], at = list.children[count[g]];
      if (at !== row.li) list.insertBefore(row.li, at || null);  // move only what changed place
      count[g] += 1;
    }
    for (const g of Object.keys(lists)) {
      setText($(g + "-count"), count[g]);
      $(g + "-empty").hidden = count[g] > 0;
    }
    setText($("queue-count"), "실시간 대기 " + count.live);
    document.title = count.live ? "(" + count.live + ") " + BASE_TITLE : BASE_TITLE;
    updateBulk();
  }
  function applyQueue(tickets) {
    const ids = tickets.map((t) => String(t.id));
    [...state.tickets.keys()].filter((id) => !ids.includes(id)).forEach(removeTicket);
    state.order = ids;
    tickets.forEach(upsert);
    placeRows();
    if (state.selected && !state.loading && !ids.includes(state.selected)) C.chat.ended();
  }
  function applyTicket(t) {
    const id = String(t.id);
    if (C.isLive(t) && (t.status !== "callback" || t.has_callback_phone)) upsert(t); else removeTicket(id);
    placeRows();
    if (id === state.selected && !C.isLive(t)) C.chat.ended(t.status);
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
    if (r.status === 409) return notice("다른 상담원이 먼저 가져갔거나 지금은 가져올 수 없어요.", "error"), loadQueue();
    if (!r.ok) return notice(failText(r, "상담을 가져오지 못했어요."), "error");
    if (r.data && r.data.ticket) applyTicket(r.data.ticket);
    notice("#" + id + " 상담을 가져왔어요. 잘못 가져왔다면 '대기열로 되돌리기'를 누르세요.");
    return C.chat.select(id, true);  // now ours: the whole conversation, suggestions, the callback number
  }
  /* ---------- bulk dismiss of callback requests ---------- */
  const callbackIds = () => state.order.filter((id) => state.tickets.has(id) && group(state.tickets.get(id).t) === "callback");
  function pick(id, on, range) {
    const ids = callbackIds(), from = ids.indexOf(pick.last), to = ids.indexOf(id);
    const span = range && from >= 0 && to >= 0 ? ids.slice(Math.min(from, to), Math.max(from, to) + 1) : [id];
    span.forEach((x) => (on ? state.picked.add(x) : state.picked.delete(x)));
    pick.last = id;
    span.forEach(updateRow); updateBulk();
  }
  function updateBulk() {
    const ids = callbackIds(), picked = ids.filter((id) => state.picked.has(id)).length, all = $("callback-all");
    [...state.picked].filter((id) => !ids.includes(id)).forEach((id) => state.picked.delete(id));
    all.checked = ids.length > 0 && picked === ids.length;
    all.indeterminate = picked > 0 && picked < ids.length;
    all.disabled = ids.length === 0;
    $("dismiss-button").disabled = picked === 0;
    setText($("dismiss-button"), picked ? "선택한 " + picked + "건 정리" : "선택 정리");
    $("callback-bulk").hidden = ids.length === 0;
    if (!picked) $("dismiss-confirm").hidden = true;
  }
  function pickAll(on) {
    callbackIds().forEach((id) => (on ? state.picked.add(id) : state.picked.delete(id)));
    callbackIds().forEach(updateRow); updateBulk();
  }
  function askDismiss() {
    const n = callbackIds().filter((id) => state.picked.has(id)).length;
    if (!n) return;
    setText($("dismiss-question"), "콜백 요청 " + n + "건을 정리할까요? 시민에게는 다른 연락 방법을 안내해요.");
    $("dismiss-confirm").hidden = false;
    $("dismiss-yes").focus();
  }
  function cancelDismiss() { $("dismiss-confirm").hidden = true; $("dismiss-button").focus(); }
  async function dismiss() {
    const ids = callbackIds().filter((id) => state.picked.has(id));
    $("dismiss-yes").disabled = true;
    const r = await post("/callbacks/dismiss", { ids: ids.map(Number) });
    $("dismiss-yes").disabled = false;
    if (!r.ok) return notice(failText(r, "콜백 요청을 정리하지 못했어요."), "error");
    const done = (r.data.dismissed || []).length, skipped = (r.data.skipped || []).length;
    ids.forEach((id) => state.picked.delete(id));
    $("dismiss-confirm").hidden = true;
    notice("콜백 요청 " + done + "건을 정리했어요." + (skipped ? " " + skipped + "건은 이미 처리되어 건너뛰었어요." : ""));
    await loadQueue();
    $("callback-heading").focus();
  }
  function bind() {
    $("callback-all").addEventListener("change", (e) => pickAll(e.target.checked));
    $("dismiss-button").addEventListener("click", askDismiss);
    $("dismiss-yes").addEventListener("click", dismiss);
    $("dismiss-no").addEventListener("click", cancelDismiss);
    $("dismiss-confirm").addEventListener("keydown", (e) => { if (e.key === "Escape") cancelDismiss(); });
    setInterval(() => state.tickets.forEach((entry, id) => tickRow(id)), 15000);
  }
  C.queue = { bind, loadQueue, applyQueue, applyTicket, updateRow, placeRows, removeTicket, STATUS };
})();
