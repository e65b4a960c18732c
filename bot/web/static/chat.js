/* 안산시 민원상담 챗봇 — citizen chat client. Protocol: docs/web-protocol.md (WS /ws/citizen). */
(function () {
  "use strict";

  var STORAGE_KEY = "ansan-chat-resume";              // the server-signed token that resumes this conversation
  var RESEND_MS = 3000;                                // a message the server could not keep yet is sent again
  var MAX_CHARS = 1000, COUNTER_FROM = 800;          // textarea maxlength; the counter shows from 800
  var TYPING_SEND_MS = 3000, TYPING_HIDE_MS = 15000; // citizen typing throttle; hide a stale indicator
  var RETRY_MIN_MS = 1000, RETRY_MAX_MS = 15000;     // reconnect backoff 1 s, 2 s, 4 s … 15 s
  var ROLES = { bot: 1, agent: 1, citizen: 1, system: 1 };
  var STATES = { bot: 1, queued: 1, assigned: 1, callback: 1 };
  var DISCONNECTED_TEXT = "연결이 끊겼어요. 다시 연결하는 중…";
  var TOPICS_AGAIN_TEXT = "많이 묻는 주제예요. 궁금한 주제를 골라 보세요.";
  var SEND_FAILED_TEXT = "연결이 끊겨 보내지 못했어요. 다시 연결되면 한 번 더 눌러 주세요.";

  var embed = new URLSearchParams(location.search).get("embed") === "1";
  if (embed) document.documentElement.classList.add("is-embed");

  var el = {};
  var ws = null, ready = false;  // ready: welcome received on the current socket
  var retryMs = RETRY_MIN_MS, retryTimer = null;
  var memoryStore = null;     // used when localStorage is unavailable
  var pending = [];           // sent citizen messages not acked yet: {frame, node}
  var echoes = [];            // texts shown locally, so a server echo of them is not shown twice
  var cards = [];             // rating / callback cards, kept across re-renders
  var done = {};              // "rating:12" / "callback:12" already answered
  var current = { state: "bot" };  // the last state frame
  var greeting = null;        // the welcome the server sends: {text, buttons}
  var lastTypingSent = 0, typingTimer = null;
  var shownRetry = {};        // client ids whose "will send again" note is already on screen

  function warn(what, detail) { console.warn("[ansan-chat] " + what, detail); }

  function storageGet() {
    try { return window.localStorage.getItem(STORAGE_KEY); } catch (e) { return memoryStore; }
  }
  function storageSet(value) {
    memoryStore = value;
    try { window.localStorage.setItem(STORAGE_KEY, value); } catch (e) { /* private mode, blocked storage */ }
  }

  function uuid() {  // crypto.randomUUID needs a secure context; getRandomValues does not
    if (window.crypto.randomUUID) return window.crypto.randomUUID();
    return "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
      return (c ^ (window.crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16);
    });
  }

  var render = window.AnsanChatRender, make = render.make;

  function isId(v) { return (typeof v === "number" && isFinite(v)) || (typeof v === "string" && v !== ""); }
  function isNum(v) { return typeof v === "number" && isFinite(v) && v >= 0; }
  var agentName = render.agentName;

  /* ---------- connection ---------- */

  function connect() {
    clearTimeout(retryTimer);
    retryTimer = null;
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/citizen";
    var sock;
    try { sock = new WebSocket(url); } catch (e) { warn("WebSocket failed", e); scheduleReconnect(); return; }
    ws = sock; ready = false;
    sock.onopen = function () {
      if (ws === sock) sock.send(JSON.stringify({ type: "hello", resume: storageGet() || null }));
    };
    sock.onmessage = function (ev) { if (ws === sock) handleFrame(ev.data); };
    sock.onclose = function () {
      if (ws !== sock) return;
      ws = null; ready = false;
      hideTyping();
      if (el.connection.hidden) keepBottom(function () {
        el.connection.textContent = DISCONNECTED_TEXT;
        el.connection.hidden = false;
      });
      scheduleReconnect();
    };
  }

  // "새 대화": ask first (a dialog), then forget this conversation on this device and open a fresh one.
  function askStartOver() {
    var dialog = el.confirmNew;
    dialog.querySelector(".confirm-agent").hidden = current.state !== "queued" && current.state !== "assigned";
    dialog.returnValue = "";
    dialog.showModal();
  }

  function startOver() {
    if (current.state === "queued") transmit({ type: "cancel_handoff" });  // nobody will be there to wait
    storageSet("");
    pending = []; echoes = []; cards = []; done = {};
    while (el.log.firstChild) el.log.removeChild(el.log.firstChild);
    var old = ws;
    ws = null; ready = false;
    if (old) old.close();
    retryMs = RETRY_MIN_MS;
    connect();
    el.input.focus();
  }

  function scheduleReconnect() {
    if (retryTimer) return;
    retryTimer = setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  }

  function transmit(frame) {
    if (!ws || ws.readyState !== 1 || !ready) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  /* ---------- server frames ---------- */

  function handleFrame(raw) {
    var f;
    try { f = JSON.parse(raw); } catch (e) { warn("ignored a frame that is not JSON", raw); return; }
    if (!f || typeof f !== "object" || !handlers.hasOwnProperty(f.type)) { warn("ignored an unknown frame", f); return; }
    try { handlers[f.type](f); } catch (e) { warn("ignored a malformed " + f.type + " frame", e); }
  }

  var handlers = {
    welcome: function (f) {
      if (typeof f.resume === "string" && f.resume) {
        if (f.resume !== storageGet()) cards = [];  // a new conversation: old rating/callback cards go
        storageSet(f.resume);
      }
      ready = true; retryMs = RETRY_MIN_MS;
      el.connection.hidden = true;
      if (f.greeting && typeof f.greeting.text === "string") greeting = f.greeting;
      renderHistory(Array.isArray(f.history) ? f.history : []);
      if (f.state != null) applyState(typeof f.state === "string" ? { state: f.state } : f.state);
    },
    message: function (f) {
      if (!validMessage(f)) { warn("ignored a malformed message", f); return; }
      if (f.role === "citizen" && takeMatch(echoes, f, false)) return;
      if (f.role === "bot" || f.role === "agent") hideTyping();
      var buttons = render.validButtons(f.buttons);
      if (buttons.length) removeQuickReplies();
      var row = render.message(f, buttons, choose);
      if (f.role === "bot" && typeof f.faq_id === "string" && f.faq_id && typeof f.reply_to === "string" && f.reply_to) {
        row.appendChild(feedbackGroup(f.reply_to));
      }
      if (f.role === "citizen") addToLog(row, true);
      else addReply(row);
    },
    feedback_saved: function (f) {
      var group = el.log.querySelector('.answer-feedback[data-reply-to="' + CSS.escape(String(f.reply_to)) + '"]');
      if (group) group.querySelector(".feedback-note").textContent = "의견을 보냈어요. 고마워요!";
    },
    state: function (f) { applyState(f); },
    typing: function (f) {
      if (f.role !== "bot" && f.role !== "agent") { warn("ignored a typing frame", f); return; }
      if (f.on === false) hideTyping(); else showTyping(f.role);
    },
    ack: function (f) {
      var i = pending.findIndex(function (p) { return p.frame.client_id === f.client_id; });
      if (i >= 0) pending.splice(i, 1)[0].node.classList.remove("is-pending");
    },
    rating_request: function (f) { if (isId(f.ticket_id)) showRating(f.ticket_id); else warn("rating_request without ticket_id", f); },
    callback_form: function (f) { if (isId(f.ticket_id)) showCallbackForm(f.ticket_id); else warn("callback_form without ticket_id", f); },
    error: function (f) {
      if ((f.code === "retry" || f.code === "rate_limited") && typeof f.client_id === "string") {
        resendLater(f.client_id);  // kept pending: it goes again by itself, the citizen need not retype it
        if (f.code === "retry" && shownRetry[f.client_id]) return;
        shownRetry[f.client_id] = true;
      }
      var text = typeof f.text === "string" && f.text ? f.text : "문제가 생겼어요. 잠시 후 다시 시도해 주세요.";
      var row = render.message({ role: "system", text: text }, []);
      row.firstChild.classList.add("msg-error");
      addToLog(row, true);
    }
  };

  function resendLater(clientId) {
    setTimeout(function () {
      var p = pending.find(function (item) { return item.frame.client_id === clientId; });
      if (p) transmit(p.frame);
    }, RESEND_MS);
  }

  function validMessage(m) {
    return m && typeof m === "object" && ROLES.hasOwnProperty(m.role) && typeof m.text === "string";
  }

  // Does a citizen message from the server match one shown locally ({text, title})? Consumes the match.
  function takeMatch(list, m, sent) {
    for (var i = 0; i < list.length; i++) {
      var a = sent ? m : list[i], b = sent ? list[i] : m;  // a: sent locally, b: from the server
      if (b.text === a.text || (a.title && (b.text === a.title || b.title === a.title))) {
        list.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  /* ---------- rendering ---------- */

  function choose(b, ev) {  // a quick-reply or topic button
    sendText(b.payload, b.title);
    if (ev.detail === 0) el.input.focus();
  }

  // The welcome above every conversation (first: true, with its note), or the topics again at the end.
  function welcomeRow(first) {
    var note = first ? document.getElementById("tpl-welcome-note").content.firstElementChild.cloneNode(true) : null;
    return render.welcome(first ? greeting.text : TOPICS_AGAIN_TEXT, note, greeting.buttons, !first, choose);
  }

  function showTopics() {
    if (!greeting) return;
    removeQuickReplies();
    addReply(welcomeRow(false));
    var first = el.log.lastChild.querySelector("button");
    if (first) first.focus({ preventScroll: true });
  }

  // 👍/👎 under a bot answer: one vote per answer (aria-pressed shows it), and it can change.
  function feedbackGroup(replyTo) {
    var group = make("div", { className: "answer-feedback", role: "group", "aria-label": "이 답변이 도움이 됐나요?" });
    group.setAttribute("data-reply-to", replyTo);
    var note = make("span", { className: "feedback-note", role: "status" });
    [["up", "도움이 됐어요 👍"], ["down", "아쉬워요 👎"]].forEach(function (choice) {
      var btn = make("button", { type: "button", className: "feedback-" + choice[0], "aria-pressed": "false" }, choice[1]);
      btn.addEventListener("click", function () {
        if (!transmit({ type: "feedback", reply_to: replyTo, rating: choice[0] })) { note.textContent = SEND_FAILED_TEXT; return; }
        Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) {
          b.setAttribute("aria-pressed", b === btn ? "true" : "false");
        });
        note.textContent = "보내는 중…";
      });
      group.appendChild(btn);
    });
    group.appendChild(note);
    return group;
  }

  function renderHistory(history) {
    el.log.setAttribute("aria-busy", "true");  // do not read the whole history out again on a reconnect
    el.log.textContent = "";
    hideTyping();
    if (greeting) el.log.appendChild(welcomeRow(true));
    var lastCitizen = -1;
    history.forEach(function (m, i) { if (m && m.role === "citizen") lastCitizen = i; });
    var delivered = [];
    history.forEach(function (m, i) {
      if (!validMessage(m)) { warn("ignored a malformed history item", m); return; }
      el.log.appendChild(render.message(m, i > lastCitizen ? render.validButtons(m.buttons) : [], choose));
      if (m.role === "citizen") delivered.push(m);
    });
    cards.forEach(function (card) { el.log.appendChild(card); });
    // Messages sent but not acked: drop those the server already has, send the rest again.
    delivered = delivered.slice(-pending.length || delivered.length);
    pending = pending.filter(function (p) { return !takeMatch(delivered, p.frame, true); });
    if (pending.length) removeQuickReplies();
    echoes = pending.map(function (p) { return { text: p.frame.text, title: p.frame.title || null }; });
    pending.forEach(function (p) {
      el.log.appendChild(p.node);
      transmit(p.frame);
    });
    el.log.scrollTop = revealTop(lastChild(".row-citizen"));
    el.log.removeAttribute("aria-busy");
  }

  function lastChild(selector) {
    var rows = el.log.querySelectorAll(":scope > " + selector);
    return rows.length ? rows[rows.length - 1] : null;
  }

  // Where to scroll so the newest exchange reads from its start (anchor: the citizen's question,
  // or a reply): the end of the log, unless that hides the anchor — or, after a long question,
  // the start of the reply — above the top.
  function revealTop(anchor) {
    var log = el.log, bottom = log.scrollHeight - log.clientHeight;
    if (!anchor) return bottom;
    var next = anchor.nextElementSibling, top = anchor.offsetTop - 8;
    if (next && next.offsetTop - top > log.clientHeight / 2) top = next.offsetTop - 8;
    return Math.max(0, Math.min(bottom, top));
  }

  // Run change(); stay scrolled to the bottom of the log if we were there (or if force).
  function keepBottom(change, force) {
    var log = el.log;
    var stick = force || log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    change();
    if (stick) log.scrollTop = log.scrollHeight;
  }

  function addToLog(node, force) {
    keepBottom(function () { el.log.appendChild(node); }, force);
  }

  // A reply (bot, agent, system): if the citizen was following the end, show it from its start
  // (with their question above it, if that was still in view); never scroll back up.
  function addReply(node) {
    var log = el.log, was = log.scrollTop, follow = log.scrollHeight - was - log.clientHeight < 80;
    log.appendChild(node);
    if (!follow) return;
    var question = lastChild(".row-citizen");
    log.scrollTop = Math.max(was, revealTop(question && question.offsetTop >= was ? question : node));
  }

  function removeQuickReplies() {
    Array.prototype.forEach.call(el.log.querySelectorAll(".quick-replies"), function (g) { g.remove(); });
  }

  function applyState(s) {
    if (!s || typeof s !== "object" || !STATES.hasOwnProperty(s.state)) { warn("ignored a malformed state", s); return; }
    current = s;
    var text = { bot: "챗봇 상담 중", callback: "운영 시간 외 · 콜백 요청" }[s.state];
    if (s.state === "queued") {
      var parts = ["상담원 연결 대기 중"], wait = s.estimated_wait_minutes;
      if (isNum(s.queue_position)) parts.push("대기 순서 " + Math.round(s.queue_position) + "번째");
      if (isNum(wait)) parts.push(wait >= 1 ? "예상 대기 약 " + Math.round(wait) + "분" : "예상 대기 1분 미만");
      text = parts.join(" · ");
    } else if (s.state === "assigned") {
      text = "상담 중 · " + agentName(s) + "상담원";
    }
    if (el.status.textContent !== text) el.status.textContent = text;
    el.status.setAttribute("data-state", s.state);
    el.statebar.setAttribute("data-state", s.state);
    el.cancel.hidden = s.state !== "queued";
    el.cancel.disabled = false;
    el.topics.hidden = s.state !== "bot" || !greeting;
  }

  function showTyping(role) {
    el.typingText.textContent = (role === "agent" ? agentName(current) + "상담원이" : "챗봇이") + " 입력 중…";
    el.typing.setAttribute("data-role", role);
    el.typing.hidden = false;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(hideTyping, TYPING_HIDE_MS);
  }

  function hideTyping() {
    clearTimeout(typingTimer);
    if (el.typing) el.typing.hidden = true;
  }

  /* ---------- rating and callback cards ---------- */

  function addCard(card, id) {
    var old = document.getElementById(id);  // one #rating / #callback-card at a time
    if (old) old.removeAttribute("id");
    if (old && !old.classList.contains("is-done")) {  // an unanswered older card is replaced
      old.remove();
      cards = cards.filter(function (c) { return c !== old; });
    }
    card.id = id;
    cards.push(card);
    if (cards.length > 6) cards.shift();
    addToLog(card, true);
  }

  function finishCard(card, key, text) {
    var hadFocus = card.contains(document.activeElement);
    done[key] = true;
    card.textContent = "";
    card.removeAttribute("aria-labelledby");
    card.classList.add("is-done");
    card.appendChild(make("p", "card-done", text));
    card.tabIndex = -1;
    if (hadFocus) card.focus({ preventScroll: true });
  }

  function hasCard(key) {
    return done[key] || cards.some(function (c) { return c.getAttribute("data-key") === key; });
  }

  function cardFrom(templateId, key) {
    var card = document.getElementById(templateId).content.firstElementChild.cloneNode(true);
    card.setAttribute("data-key", key);
    return card;
  }

  function showError(card, text, focus) {
    var note = card.querySelector(".form-error");
    note.textContent = text;
    note.hidden = false;
    if (focus) focus.focus();
  }

  function showRating(ticketId) {
    var key = "rating:" + ticketId;
    if (hasCard(key)) return;
    var card = cardFrom("tpl-rating", key);
    Array.prototype.forEach.call(card.querySelectorAll("button"), function (btn) {
      var score = Number(btn.value);
      btn.addEventListener("click", function () {
        if (!transmit({ type: "rating", ticket_id: ticketId, score: score })) return showError(card, SEND_FAILED_TEXT);
        finishCard(card, key, "평가해 주셔서 감사합니다. 더 나은 상담을 위해 참고할게요.");
      });
    });
    addCard(card, "rating");
  }

  function showCallbackForm(ticketId) {
    var key = "callback:" + ticketId;
    if (hasCard(key)) return;
    var card = cardFrom("tpl-callback", key);
    var hours = typeof current.hours === "string" && current.hours ? "운영 시간(" + current.hours + ")에" : "운영 시간에";
    card.querySelector(".callback-intro").textContent = "전화번호를 남겨 주시면 " + hours + " 상담원이 전화드릴게요.";
    var form = card.querySelector("form"), consent = form.elements.consent, phone = form.elements.phone;
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var number = phone.value.replace(/[\s.]/g, "");
      var badPhone = !/^0\d{1,2}-?\d{3,4}-?\d{4}$/.test(number);
      phone.setAttribute("aria-invalid", String(consent.checked && badPhone));
      if (!consent.checked) return showError(card, "개인정보 수집·이용에 동의해야 콜백을 요청할 수 있어요.", consent);
      if (badPhone) return showError(card, "전화번호를 010-1234-5678 형식으로 입력해 주세요.", phone);
      if (!transmit({ type: "callback_request", ticket_id: ticketId, phone: number, consent: true })) {
        return showError(card, SEND_FAILED_TEXT);
      }
      finishCard(card, key, "콜백 요청이 접수되었어요. " + hours + " 상담원이 전화드릴게요.");
    });
    addCard(card, "callback-card");
  }

  /* ---------- citizen input ---------- */

  function sendText(text, title) {
    var frame = { type: "message", text: text, client_id: uuid() };
    if (title) frame.title = title;
    removeQuickReplies();
    var node = render.message({ role: "citizen", text: text, title: title, ts: new Date().toISOString() }, []);
    node.classList.add("is-pending");
    node.firstChild.setAttribute("data-client-id", frame.client_id);
    echoes.push({ text: text, title: title || null });
    if (echoes.length > 20) echoes.shift();
    pending.push({ frame: frame, node: node });
    transmit(frame);
    addToLog(node, true);
  }

  function updateComposer() {
    var value = el.input.value, n = value.length;
    el.send.setAttribute("aria-disabled", String(!value.trim()));  // stays focusable: Tab goes on from the input
    el.counter.hidden = n < COUNTER_FROM;
    el.counter.textContent = n >= MAX_CHARS ? n + "/" + MAX_CHARS + "자 · 최대 글자 수예요" : n + "/" + MAX_CHARS + "자";
    el.counter.classList.toggle("is-limit", n >= MAX_CHARS);
    keepBottom(function () {  // grow the textarea with its text (CSS caps it), keep the log's end in view
      el.input.style.height = "auto";
      el.input.style.height = el.input.scrollHeight + 2 + "px";
    });
  }

  function submitInput() {
    var text = el.input.value.trim();
    if (!text) return;
    sendText(text.slice(0, MAX_CHARS), null);
    el.input.value = "";
    updateComposer();
    el.input.focus();
  }

  function closeEmbed() {
    if (embed && window.parent !== window) window.parent.postMessage({ type: "ansan-chatbot:close" }, "*");
  }

  function init() {
    ["chat-log", "chat-input", "chat-send", "chat-status", "chat-cancel", "chat-close", "chat-form",
      "chat-counter", "chat-connection", "chat-typing", "chat-new", "chat-topics", "chat-confirm-new"].forEach(function (id) {
      el[id.slice(5).replace(/-(\w)/g, function (_, c) { return c.toUpperCase(); })] = document.getElementById(id);
    });
    el.statebar = el.status.parentNode;
    el.typingText = el.typing.querySelector(".typing-text");

    el.form.addEventListener("submit", function (ev) { ev.preventDefault(); submitInput(); });
    el.input.addEventListener("keydown", function (ev) {
      if (ev.key !== "Enter" || ev.shiftKey || ev.isComposing || ev.keyCode === 229) return;
      ev.preventDefault();
      submitInput();
    });
    el.input.addEventListener("input", function () {
      updateComposer();
      var now = Date.now();
      if (el.input.value.trim() && now - lastTypingSent >= TYPING_SEND_MS && transmit({ type: "typing" })) {
        lastTypingSent = now;
      }
    });
    el.cancel.addEventListener("click", function () {
      if (transmit({ type: "cancel_handoff" })) el.cancel.disabled = true;
    });
    el["new"].addEventListener("click", askStartOver);
    el.topics.addEventListener("click", showTopics);
    el.confirmNew.addEventListener("close", function () {
      if (el.confirmNew.returnValue === "new") startOver(); else el["new"].focus();
    });
    if (embed) {
      el.close.hidden = false;
      el.close.addEventListener("click", closeEmbed);
      document.addEventListener("keydown", function (ev) {
        if (ev.key === "Escape" && !ev.isComposing && !ev.defaultPrevented && !el.confirmNew.open) closeEmbed();
      });
      window.addEventListener("message", function (ev) {
        if (ev.source === window.parent && ev.data && ev.data.type === "ansan-chatbot:focus") el.input.focus();
      });
    }
    window.addEventListener("online", function () { if (!ws) { retryMs = RETRY_MIN_MS; connect(); } });
    updateComposer();
    connect();
  }

  window.AnsanChat = Object.freeze({ version: "1.0", state: function () { return current.state; } });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
