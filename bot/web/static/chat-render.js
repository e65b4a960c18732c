/* 안산시 민원상담 챗봇 — how a chat message's text becomes DOM (used by chat.js).
 * Text is always set with textContent or text nodes, never parsed as HTML.
 * Lines become paragraphs; "- …", "• …", "1. …", "① …" lines become lists; web addresses and
 * phone numbers become links (tel: on phones); in an FAQ answer the first line is its heading,
 * the key facts (amounts, periods, dates, times) are bold, and the "담당: …" line is its footer.
 */
(function () {
  "use strict";

  // make("p", "class", "text", child…) or make("input", {id: …, "aria-label": …}); text is always textContent.
  function make(tag, props, text) {
    var node = document.createElement(tag);
    if (typeof props === "string") node.className = props;
    else if (props) Object.keys(props).forEach(function (k) {
      if (k === "role" || k.indexOf("-") > 0) node.setAttribute(k, props[k]); else node[k] = props[k];
    });
    if (text != null) node.textContent = text;
    for (var i = 3; i < arguments.length; i++) if (arguments[i]) node.appendChild(arguments[i]);
    return node;
  }

  var URL_CHARS = "A-Za-z0-9\\-._~:/?#@!$&'*+,;=%";
  var PATTERNS = [
    ["url", "https?://[" + URL_CHARS + "\\[\\]]+"],
    ["url", "\\bwww\\.[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+(?:/[" + URL_CHARS + "]*)?"],
    ["url", "\\b[A-Za-z0-9][A-Za-z0-9-]*(?:\\.[A-Za-z0-9-]+)*\\.(?:kr|com|net|org)\\b(?:/[" + URL_CHARS + "]*)?"],
    ["tel", "(?:\\b0\\d{1,2}[-.)]\\s?\\d{3,4}[-.]\\d{4}|\\b1[3-9]\\d{2}-\\d{4})(?![\\d-])"],
    ["tel", "☎\\s?\\d{3,4}(?![\\d-])"],
    ["fact", "\\d[\\d,]*(?:\\.\\d+)?\\s?(?:만\\s?|천\\s?)?원"],
    ["fact", "\\d{1,2}:\\d{2}(?:\\s?[~-]\\s?\\d{1,2}:\\d{2})?"],
    ["fact", "\\d{1,2}월(?:\\s?\\d{1,2}일)?(?:\\s?[~-]\\s?\\d{1,2}(?:월\\s?\\d{1,2})?일)?"],
    ["fact", "\\d+\\s?(?:일|개월|주|년|시간|분)\\s?(?:안에|이내|전까지|까지|전|후|부터)"]
  ];
  var KINDS = PATTERNS.map(function (p) { return p[0]; });
  var INLINE = new RegExp(PATTERNS.map(function (p) { return "(" + p[1] + ")"; }).join("|"), "g");
  var LIST_ITEM = /^\s*(?:([-•·*▪◦])|(\d{1,2})[.)]|([①-⑳]))\s+(.*)$/;
  var CONTACT = /^담당\s?:/;
  var HUMAN_PAYLOAD = "/request_human";

  function kindOf(match) {
    for (var i = 1; i < match.length; i++) if (match[i] !== undefined) return KINDS[i - 1];
    return null;
  }

  function link(href, text, label) {
    var props = { href: href };
    if (href.indexOf("tel:") !== 0) { props.target = "_blank"; props.rel = "noopener noreferrer"; }
    if (label) props["aria-label"] = label;
    return make("a", props, text);
  }

  // Text with links (and, if facts, bold key facts) appended to parent as nodes.
  function appendInline(parent, text, opts) {
    var last = 0, m;
    INLINE.lastIndex = 0;
    while ((m = INLINE.exec(text))) {
      var kind = kindOf(m), shown = m[0], node = null;
      if (kind === "url") {
        shown = shown.replace(/[.,;:!?'\]]+$/, "");
        node = link(/^https?:/i.test(shown) ? shown : "https://" + shown, shown);
      } else if (kind === "tel" && opts.phones) {
        node = link("tel:" + shown.replace(/\D/g, ""), shown, shown.replace("☎", "").trim() + " 전화 걸기");
      } else if (kind === "fact" && opts.facts) {
        node = make("strong", "fact", shown);
      }
      if (!node || !shown) continue;
      if (m.index > last) parent.appendChild(document.createTextNode(text.slice(last, m.index)));
      parent.appendChild(node);
      last = m.index + shown.length;
      INLINE.lastIndex = last;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
    return parent;
  }

  // The text of a message as blocks: heading (answers), paragraphs, lists, the contact line.
  // opts: {heading: bool, phones: bool, facts: bool}
  function fillText(parent, text, opts) {
    opts = opts || {};
    var lines = String(text).replace(/\r\n?/g, "\n").split("\n");
    var list = null, listType = "";
    if (opts.heading && lines.length > 1 && lines[0].trim()) {
      parent.appendChild(appendInline(make("h2", "msg-heading"), lines.shift().trim(), {}));
    }
    lines.forEach(function (line) {
      var item = LIST_ITEM.exec(line);
      if (!line.trim()) { list = null; return; }
      if (item) {
        var type = item[1] ? "ul" : "ol";
        if (!list || listType !== type) {
          list = parent.appendChild(make(type, "msg-list"));
          listType = type;
          if (type === "ol" && item[2] && item[2] !== "1") list.start = Number(item[2]);
        }
        list.appendChild(appendInline(make("li"), item[4], opts));
        return;
      }
      list = null;
      var contact = opts.heading && CONTACT.test(line);
      parent.appendChild(appendInline(make("p", contact ? "msg-contact" : "msg-line"), line,
        { phones: opts.phones, facts: opts.facts && !contact }));
    });
    return parent;
  }

  function agentName(m) { return typeof m.agent_name === "string" && m.agent_name ? m.agent_name + " " : ""; }

  // Buttons that send their payload: onChoose(button, clickEvent). "상담원 연결" is styled apart.
  function buttons(list, className, label, onChoose) {
    var group = make("div", { className: className, role: "group", "aria-label": label });
    list.forEach(function (b) {
      var btn = make("button", { type: "button", className: b.payload === HUMAN_PAYLOAD ? "to-human" : "" }, b.title);
      btn.addEventListener("click", function (ev) { onChoose(b, ev); });
      group.appendChild(btn);
    });
    return group;
  }

  // One chat message as a log row: bubble, time, quick replies (bot and agent only).
  function message(m, quickReplies, onChoose) {
    var row = make("div", "msg-row row-" + m.role);
    var bubble = row.appendChild(make("div", "msg msg-" + m.role));
    if (m.role === "agent") bubble.appendChild(make("span", "msg-name", agentName(m) + "상담원"));
    var body = bubble.appendChild(make("div", "msg-text"));
    if (m.role === "citizen") {
      appendInline(body, typeof m.title === "string" && m.title ? m.title : m.text, {});
    } else {  // an FAQ answer (faq_id) opens with its entry's title: shown as its heading
      var answer = m.role === "bot" && typeof m.faq_id === "string" && m.faq_id !== "";
      if (answer) bubble.classList.add("msg-answer");
      fillText(body, m.text, { heading: answer, facts: answer, phones: true });
    }
    var date = typeof m.ts === "string" ? new Date(m.ts) : null;
    if (date && !isNaN(date.getTime()) && m.role !== "system") {
      row.appendChild(make("time", { className: "msg-time", dateTime: m.ts },
        date.toLocaleTimeString("ko-KR", { hour: "numeric", minute: "2-digit" })));
    }
    if (quickReplies && quickReplies.length && (m.role === "bot" || m.role === "agent")) {
      row.appendChild(buttons(quickReplies, "quick-replies", "추천 질문", onChoose));
    }
    return row;
  }

  function validButtons(list) {
    return (Array.isArray(list) ? list : []).filter(function (b) {
      return b && typeof b.title === "string" && b.title && typeof b.payload === "string" && b.payload;
    });
  }

  // The welcome row: a greeting (with its note) and the topics; again: the topics shown once more
  // at the end of the log, cleared like quick replies when the citizen answers.
  function welcome(text, note, topics, again, onChoose) {
    var row = make("div", "msg-row row-bot row-welcome");
    var bubble = row.appendChild(make("div", "msg msg-bot msg-welcome"));
    bubble.appendChild(fillText(make("div", "msg-text"), text, {}));
    if (note) bubble.appendChild(note);
    var list = validButtons(topics);
    if (list.length) row.appendChild(buttons(list, again ? "quick-replies" : "topic-menu", "많이 묻는 주제", onChoose));
    return row;
  }

  window.AnsanChatRender = Object.freeze({
    make: make, fillText: fillText, appendInline: appendInline, agentName: agentName, buttons: buttons,
    message: message, validButtons: validButtons, welcome: welcome
  });
})();
