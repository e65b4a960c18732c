/* 안산시 민원상담 챗봇 — embeddable widget.
 * On a city page: <script src="https://BOT-HOST/widget.js" defer></script>
 * Adds a round "민원 챗봇" button (bottom-right) that opens BOT-HOST/chat?embed=1 in an iframe.
 * Everything it adds is namespaced with "ansan-chatbot-"; the only global is window.AnsanChatbotWidget.
 */
(function () {
  "use strict";
  if (window.AnsanChatbotWidget) return;  // pasted twice

  var P = "ansan-chatbot-";
  var script = document.currentScript || (function () {
    var list = document.querySelectorAll('script[src*="widget.js"]');
    return list[list.length - 1];
  })();
  var origin = location.origin;
  try { origin = new URL(script.src, location.href).origin; } catch (e) { /* keep the page origin */ }

  // Every declaration is !important and keyed on our ids, so the host page's CSS cannot restyle the widget.
  var CSS = [
    "#B, #F, #B span, #B svg { all: initial !important; box-sizing: border-box !important; }",
    "#B { position: fixed !important; right: 20px !important; bottom: 20px !important; z-index: 2147483000 !important;",
    "  display: flex !important; flex-direction: column !important; align-items: center !important;",
    "  justify-content: center !important; gap: 2px !important; width: 72px !important; height: 72px !important;",
    "  padding: 0 !important; border: 2px solid #ffffff !important; border-radius: 50% !important;",
    "  background: #0a4f9c !important; color: #ffffff !important; cursor: pointer !important;",
    "  box-shadow: 0 4px 14px rgba(0, 0, 0, 0.28) !important; text-align: center !important;",
    "  font: 700 12px/1.2 \"Noto Sans CJK KR\", \"Noto Sans KR\", \"Malgun Gothic\", sans-serif !important; }",
    "#B:hover { background: #083d78 !important; }",
    "#B:focus-visible { outline: 3px solid #111111 !important; outline-offset: 3px !important; }",
    "#B svg { display: block !important; width: 26px !important; height: 26px !important; fill: none !important;",
    "  stroke: currentColor !important; stroke-width: 2 !important; stroke-linejoin: round !important; }",
    "#B span { display: block !important; font: inherit !important; color: inherit !important; white-space: nowrap !important; }",
    "#F { position: fixed !important; right: 20px !important; bottom: 102px !important; z-index: 2147483000 !important;",
    "  display: none !important; width: 380px !important; height: 600px !important;",
    "  max-width: calc(100vw - 40px) !important; max-height: calc(100vh - 122px) !important;",
    "  border: 1px solid #c9d1db !important; border-radius: 16px !important; background: #ffffff !important;",
    "  box-shadow: 0 10px 34px rgba(0, 0, 0, 0.3) !important; color-scheme: light !important; }",
    "#F.O { display: block !important; }",
    "#F:focus-visible { outline: 3px solid #111111 !important; outline-offset: 2px !important; }",
    "@media (max-width: 480px) {",
    "  #F { top: 0 !important; left: 0 !important; right: 0 !important; bottom: 0 !important; width: 100% !important;",
    "    height: 100% !important; max-width: none !important; max-height: none !important;",
    "    border: 0 !important; border-radius: 0 !important; box-shadow: none !important; }",
    "  #B[aria-expanded=\"true\"] { display: none !important; }",
    "}",
    "@media print { #B, #F { display: none !important; } }"
  ].join("\n").replace(/#B/g, "#" + P + "button").replace(/#F/g, "#" + P + "frame").replace(/\.O\b/g, "." + P + "open");

  var button = null, frame = null, isOpen = false, loaded = false;

  function icon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 5h16v11H9l-5 4z");
    svg.appendChild(path);
    return svg;
  }

  function focusChat() {
    if (!isOpen || !frame) return;
    frame.focus();
    if (loaded) frame.contentWindow.postMessage({ type: "ansan-chatbot:focus" }, origin);
  }

  function open() {
    if (!button) return;
    if (!frame) {
      frame = document.createElement("iframe");
      frame.id = P + "frame";
      frame.title = "안산시 민원상담 챗봇";
      frame.src = origin + "/chat?embed=1";
      frame.addEventListener("load", function () { loaded = true; focusChat(); });
      document.body.appendChild(frame);
    }
    isOpen = true;
    frame.classList.add(P + "open");
    button.setAttribute("aria-expanded", "true");
    focusChat();
  }

  function close() {
    if (!isOpen) return;
    isOpen = false;
    frame.classList.remove(P + "open");
    button.setAttribute("aria-expanded", "false");
    button.focus();
  }

  function toggle() { if (isOpen) close(); else open(); }

  function mount() {
    if (document.getElementById(P + "button")) return;
    var style = document.createElement("style");
    style.id = P + "style";
    style.textContent = CSS;
    (document.head || document.documentElement).appendChild(style);

    button = document.createElement("button");
    button.type = "button";
    button.id = P + "button";
    button.className = P + "button";
    button.setAttribute("aria-label", "민원 챗봇 열기 (안산시 민원상담)");  // begins with its visible text
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", P + "frame");
    var label = document.createElement("span");
    label.className = P + "label";
    label.textContent = "민원 챗봇";
    button.appendChild(icon());
    button.appendChild(label);
    button.addEventListener("click", toggle);
    document.body.appendChild(button);

    document.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape" && isOpen) close();
    });
    // The chat page inside the iframe asks to close (its close button, or Escape pressed inside it).
    window.addEventListener("message", function (ev) {
      if (ev.origin !== origin || !frame || ev.source !== frame.contentWindow) return;
      if (ev.data && ev.data.type === "ansan-chatbot:close") close();
    });
  }

  window.AnsanChatbotWidget = Object.freeze({ open: open, close: close, toggle: toggle });

  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
