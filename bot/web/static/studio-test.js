/* 콘텐츠 스튜디오 · 질문 테스트: any question → the live model's top entries, decision and the reply a
   citizen would read; with a trained draft (publish panel), the draft model's too. Text via textContent only. */
(() => {
  "use strict";
  const { api, el } = window.Studio;
  const DECISIONS = {
    answer: "답변", clarify: "되묻기(선택지 제시)", unsure: "이해하지 못함 · 주제 메뉴", offer_human: "상담원 연결 제안",
    out_of_scope: "민원 범위 밖 · 주제 메뉴", small_talk: "일상 대화 응답",
  };
  let form, results;

  function scoreTable(top, chosen) {
    const head = el("tr", {}, ["순위", "항목", "종합 점수", "분류기", "의미 유사도", "단어 일치"].map((h) => el("th", { scope: "col" }, h)));
    const rows = top.map((t, i) => el("tr", { class: t.faq_id === chosen ? "studio-chosen" : null },
      el("td", {}, String(i + 1)),
      el("td", {}, el("strong", {}, t.question || t.faq_id), el("div", { class: "studio-muted" }, t.faq_id)),
      el("td", {}, t.score.toFixed(3)), el("td", {}, t.classifier.toFixed(3)),
      el("td", {}, t.dense.toFixed(3)), el("td", {}, t.lexical.toFixed(3))));
    return el("table", { class: "studio-scores" }, el("caption", {}, "상위 5개 항목과 점수"), el("thead", {}, head), el("tbody", {}, rows));
  }

  function replyPreview(messages) {
    return el("div", { class: "studio-reply", "aria-label": "시민이 보게 될 답변" }, messages.map((m) =>
      el("div", { class: "studio-bubble" },
        m.text.split("\n").map((line) => el("p", {}, line)),
        m.buttons.length ? el("ul", { class: "studio-reply-buttons" }, m.buttons.map((b) => el("li", {}, b))) : null)));
  }

  function resultView(title, data) {
    const decision = DECISIONS[data.decision] || data.decision || "—";
    return el("article", { class: "studio-trial" },
      el("h3", {}, title),
      el("p", {}, el("strong", {}, "결정: "), decision,
        data.faq_id ? el("span", { class: "studio-muted" }, ` (${data.faq_id})`) : null),
      data.read_as ? el("p", { class: "studio-muted" }, "맞춤법 보정 후: ", data.read_as) : null,
      el("p", { class: "studio-muted" }, `의도: ${data.intent.name || "—"} (${data.intent.confidence})`),
      data.top.length ? scoreTable(data.top, data.faq_id) : el("p", {}, "순위에 오른 FAQ 항목이 없어요."),
      el("h4", {}, "시민이 보게 될 답변"), replyPreview(data.messages));
  }

  async function run(text) {
    results.replaceChildren(el("p", { role: "status" }, "확인하는 중…"));
    const live = await api("/studio/api/test", { method: "POST", body: { text } });
    const draft = await api("/studio/api/publish/test", { method: "POST", body: { text } });
    const views = [];
    if (live.ok) views.push(resultView("지금 운영 중인 모델", live.data));
    else views.push(el("p", { class: "studio-error", role: "alert" }, (live.data && live.data.error) || "테스트하지 못했어요."));
    if (draft.ok) views.push(resultView("학습된 초안 모델", draft.data));
    else views.push(el("p", { class: "studio-muted" }, (draft.data && draft.data.error) || "학습된 초안 모델이 아직 없어요."));
    results.replaceChildren(...views);
  }

  function init(section) {
    const input = el("input", { id: "trial-text", name: "text", type: "text", maxlength: "1000", autocomplete: "off",
      placeholder: "예: 여권 재발급 수수료 얼마예요?", required: true });
    form = el("form", { class: "studio-trial-form" },
      el("label", { for: "trial-text", class: "field" }, "시민 질문"), input,
      el("button", { type: "submit", class: "button button-primary" }, "테스트"));
    results = el("div", { id: "trial-results", "aria-live": "polite" });
    form.addEventListener("submit", (e) => { e.preventDefault(); if (input.value.trim()) run(input.value.trim()); });
    section.replaceChildren(el("h2", {}, "질문 테스트"),
      el("p", { class: "studio-muted" }, "아무 질문이나 입력하면 챗봇이 어떤 항목을 고르고 시민에게 무엇을 보여 주는지 확인할 수 있어요."),
      form, results);
  }

  window.Studio.panel("test", { init, show: () => document.getElementById("trial-text") && document.getElementById("trial-text").focus() });
})();
