/* 콘텐츠 스튜디오 · 검토 대기열: what the bot missed, clustered largest first. Per cluster or message:
   add as examples to an entry (the bot's guess preselected), start a new entry, or mark out of scope.
   Text via textContent only (Studio.el). API: /studio/api/review (bot/web/studio_review.py). */
(() => {
  "use strict";
  const { api, el, notice } = window.Studio;
  const SOURCES = {
    fallback: "이해하지 못한 질문", clarify: "되물었지만 고르지 않음", handoff_after_answer: "답변 뒤 상담원 요청",
    thumbs_down: "시민이 ‘아쉬워요’ 누름", agent_helped: "상담원이 해결",
  };
  let root, list, counts, status;

  const when = (iso) => new Date(iso).toLocaleString("ko-KR", { month: "long", day: "numeric", hour: "numeric", minute: "2-digit" });

  function entrySelect(id, entries, chosen) {
    const select = el("select", { id, class: "review-target" },
      el("option", { value: "" }, "FAQ 항목 선택"),
      entries.map((e) => el("option", { value: e.id, selected: e.id === chosen }, `${e.question} (${e.id})`)));
    return select;
  }

  async function act(path, body, done) {
    const res = await api(`/studio/api/review/${path}`, { method: "POST", body });
    if (!res.ok) {
      const problems = (res.data && res.data.problems) || [];
      const detail = problems.filter((p) => p.level !== "warning").map((p) => p.message).join(" ");
      notice(`${(res.data && res.data.error) || "처리하지 못했어요. 잠시 뒤 다시 시도해 주세요."} ${detail}`.trim());
      return null;
    }
    notice(done(res.data));
    return res.data;
  }

  function addExamples(ids, select) {
    if (!select.value) { notice("예문을 추가할 FAQ 항목을 골라 주세요."); select.focus(); return; }
    act("examples", { item_ids: ids, faq_id: select.value }, (d) =>
      `${d.labelled}개 메시지를 '${select.selectedOptions[0].textContent}' 항목에 반영했어요` +
      (d.added.length ? ` (새 예문 ${d.added.length}개, 초안에 저장).` : " (이미 있는 예문이에요).") +
      " 배포하면 챗봇에 적용돼요.").then((d) => d && load(true));
  }

  function outOfScope(ids) {
    act("out-of-scope", { item_ids: ids }, (d) => `${d.labelled}개 메시지를 범위 밖으로 표시했어요.`)
      .then((d) => d && load(true));
  }

  async function newEntry(ids) {
    const data = await act("new-entry", { item_ids: ids },
      () => "새 항목 초안을 FAQ 편집에서 열었어요. 저장한 뒤 이 묶음을 새 항목의 예문으로 추가해 주세요.");
    if (!data) return;
    try { sessionStorage.setItem("studio-new-entry", JSON.stringify(data.draft)); } catch (e) { /* storage off */ }
    window.dispatchEvent(new CustomEvent("studio:new-entry", { detail: data.draft }));
    window.Studio.select("editor");
  }

  function messageRow(item, select) {
    return el("li", { class: "review-message" },
      el("p", { class: "review-text" }, item.text),
      el("p", { class: "studio-muted" }, `${SOURCES[item.source] || item.source} · ${when(item.created_at)}`,
        item.bot_guess ? ` · 챗봇 추측 ${item.bot_guess}` : ""),
      item.agent_reply ? el("p", { class: "review-agent" }, el("strong", {}, "상담원 답변: "), item.agent_reply) : null,
      el("div", { class: "review-actions" },
        el("button", { type: "button", class: "button", onclick: () => addExamples([item.id], select) },
          "이 메시지만 예문으로 추가"),
        el("button", { type: "button", class: "button", onclick: () => outOfScope([item.id]) },
          "이 메시지만 범위 밖")));
  }

  function clusterView(c, entries, n) {
    const ids = c.items.map((i) => i.id);
    const headingId = `review-cluster-${c.key}`, selectId = `review-target-${c.key}`;
    const select = entrySelect(selectId, entries, c.guess);
    const sources = Object.entries(c.sources).map(([s, k]) => `${SOURCES[s] || s} ${k}`).join(" · ");
    return el("li", { class: "review-cluster" },
      el("article", { "aria-labelledby": headingId },
        el("h3", { id: headingId, class: "review-title" },
          el("span", { class: "review-count" }, `${c.count}건`), ` ${n}. “${c.samples[0]}”`,
          c.distinct > 1 ? el("span", { class: "studio-muted" }, ` 외 ${c.distinct - 1}개 표현`) : null),
        el("p", { class: "studio-muted" }, `처음 ${when(c.first_seen)} · 마지막 ${when(c.last_seen)} · ${sources}`),
        c.distinct > 1 ? el("ul", { class: "review-samples", "aria-label": "예시 메시지" }, c.samples.map((s) => el("li", {}, s))) : null,
        c.agent_reply ? el("p", { class: "review-agent" }, el("strong", {}, "상담원 답변: "), c.agent_reply) : null,
        el("p", { class: "review-guess" }, el("strong", {}, "챗봇의 추측: "),
          c.guess ? `${c.guess_question || c.guess} (${c.guess})` : "없음",
          c.guess_from === "model" ? el("span", { class: "studio-muted" }, " · 지금 모델이 가장 가깝다고 본 항목") : null),
        el("div", { class: "review-actions" },
          el("label", { for: selectId }, "예문을 추가할 항목"), select,
          el("button", { type: "button", class: "button button-primary", onclick: () => addExamples(ids, select) },
            `${c.count}건 모두 예문으로 추가`),
          el("button", { type: "button", class: "button", onclick: () => newEntry(ids) }, "새 항목 만들기"),
          el("button", { type: "button", class: "button", onclick: () => outOfScope(ids) }, "범위 밖으로 표시")),
        el("details", { class: "review-details" },
          el("summary", {}, `메시지 ${c.items.length}개 하나씩 보기`),
          el("ul", { class: "review-messages" }, c.items.map((i) => messageRow(i, select))))));
  }

  function countsView(data) {
    return el("ul", { class: "review-counts", "aria-label": "출처별 열린 메시지 수" },
      Object.entries(SOURCES).map(([key, label]) =>
        el("li", {}, el("span", {}, label), el("strong", {}, String(data.counts[key] || 0)))));
  }

  async function load(keepFocus) {
    status.textContent = "불러오는 중… (처음에는 문장 임베딩 모델을 읽느라 조금 걸려요)";
    const res = await api("/studio/api/review");
    if (!res.ok) {
      status.textContent = (res.data && res.data.error) || "검토 대기열을 불러오지 못했어요.";
      return;
    }
    const d = res.data;
    counts.replaceChildren(countsView(d));
    list.replaceChildren(...d.clusters.map((c, i) => clusterView(c, d.entries, i + 1)));
    status.textContent = d.open
      ? `열린 메시지 ${d.open}개, 묶음 ${d.cluster_count}개${d.cluster_count > d.clusters.length ? ` (큰 묶음 ${d.clusters.length}개 표시)` : ""}.`
      : "검토할 메시지가 없어요.";
    if (keepFocus) status.focus();
  }

  Studio.panel("review", {
    init(section) {
      root = section;
      status = el("p", { class: "review-status", role: "status", tabindex: "-1" });
      counts = el("div", { class: "review-counts-box" });
      list = el("ol", { class: "review-clusters", "aria-label": "비슷한 질문 묶음 (많은 순)" });
      root.append(
        el("div", { class: "review-head" },
          el("h2", {}, "검토 대기열 — 챗봇이 놓친 질문"),
          el("button", { type: "button", class: "button", onclick: () => load(true) }, "새로고침")),
        el("p", { class: "studio-muted" }, "비슷한 질문끼리 묶어 많은 순으로 보여 줘요. 묶음마다 FAQ 항목의 예문으로 추가하거나, "
          + "새 항목을 만들거나, 범위 밖으로 표시하세요. 처리한 질문은 회귀 테스트 세트에도 들어가요."),
        counts, status, list);
    },
    show() { load(false); },
  });
})();
