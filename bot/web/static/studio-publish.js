/* 배포 · 버전 panel: start a publish, follow its steps, the gate's result, version history and rollback.
   Polls GET /studio/api/publish every 3 s while a publish runs. Text via textContent only. */
(() => {
  "use strict";
  const S = () => window.Studio;
  const STEPS = [["files", "파일 준비"], ["train", "학습"], ["evaluate", "평가"], ["gate", "게이트"],
                 ["swap", "모델 교체"], ["record", "기록"]];
  const STATE = { running: "진행 중", done: "완료", failed: "실패", skipped: "건너뜀" };
  const STATUS = { running: "진행 중", live: "운영 중", blocked: "게이트에서 막힘", failed: "실패", retired: "지난 버전" };
  const ICON = { running: "⏳", done: "✓", failed: "✗", skipped: "–" };
  let ui = null;
  let timer = null;

  const pct = (x) => (x == null ? "—" : (100 * x).toFixed(1) + "%");
  const when = (iso) => (iso ? new Date(iso).toLocaleString("ko-KR", { dateStyle: "short", timeStyle: "short" }) : "");

  function build(section) {
    const { el } = S();
    const summary = el("textarea", { id: "publish-summary", rows: "2", maxlength: "500",
      "aria-describedby": "publish-drafts" });
    const start = el("button", { type: "button", class: "button button-primary", id: "publish-start" }, "배포 시작");
    ui = {
      drafts: el("p", { id: "publish-drafts", class: "studio-muted" }),
      summary, start,
      progress: el("ol", { class: "publish-steps", id: "publish-steps", "aria-label": "배포 단계" }),
      status: el("div", { class: "publish-status", role: "status", "aria-live": "polite", id: "publish-status" }),
      gate: el("div", { id: "publish-gate" }),
      history: el("tbody", {}),
    };
    start.addEventListener("click", startPublish);
    section.append(
      el("h2", {}, "배포 · 버전"),
      el("div", { class: "publish-start" },
        ui.drafts,
        el("div", { class: "field" }, el("label", { for: "publish-summary" }, "이번 배포 요약 (무엇을 바꿨나요?)"), summary),
        start),
      el("h3", { class: "publish-h3" }, "진행 상황"), ui.status, ui.progress, ui.gate,
      el("table", { class: "publish-history" },
        el("caption", {}, "버전 기록"),
        el("thead", {}, el("tr", {}, ...["번호", "상태", "누가 · 언제", "요약", "정답률(top-1)", "변경 · 되돌리기"]
          .map((h) => el("th", { scope: "col" }, h)))),
        ui.history));
  }

  function renderSteps(version) {
    const { el } = S();
    const byName = Object.fromEntries((version ? version.steps : []).map((s) => [s.step, s]));
    ui.progress.replaceChildren(...STEPS.map(([key, label]) => {
      const step = byName[key];
      const state = step ? step.state : "waiting";
      return el("li", { class: "publish-step publish-" + state },
        el("span", { class: "publish-icon", "aria-hidden": "true" }, ICON[state] || "○"),
        el("strong", {}, label), " ", el("span", { class: "publish-state" }, STATE[state] || "대기"),
        step && step.detail ? el("span", { class: "studio-muted" }, " — " + step.detail) : null);
    }));
  }

  function renderGate(version) {
    const { el } = S();
    ui.gate.replaceChildren();
    if (!version || !version.metrics || !version.metrics.gate) return;
    const gate = version.metrics.gate;
    const box = el("div", { class: "publish-gate " + (gate.passed ? "publish-pass" : "publish-block") },
      el("h3", {}, gate.passed ? "게이트 통과" : "게이트에서 막혔어요 — 운영 중인 챗봇은 그대로예요"),
      el("p", {}, `새 모델 정답률 ${pct(version.metrics.candidate.faq_top1)} · 지금 모델 ${pct(version.metrics.live_top1)}`),
      version.metrics.candidate.dialogue_turns_right == null ? null : el("p", {},
        `대화 테스트(이어지는 질문) 새 모델 ${pct(version.metrics.candidate.dialogue_turns_right)} · ` +
        `지금 모델 ${pct(version.metrics.live_dialogue_turns_right)}`),
      version.metrics.timings && version.metrics.timings.edit_to_live != null
        ? el("p", { class: "studio-muted" }, `배포 시작부터 새 모델이 답하기까지 ${Math.round(version.metrics.timings.edit_to_live)}초`) : null,
      ...gate.reasons.map((r) => el("p", {}, r)));
    if (gate.regressions.length) {
      box.append(el("table", {},
        el("caption", {}, "이제 틀리는 회귀 질문"),
        el("thead", {}, el("tr", {}, ...["질문", "정답", "지금 모델", "새 모델"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, ...gate.regressions.map((r) =>
          el("tr", {}, el("td", {}, r.text), el("td", {}, r.expect), el("td", {}, r.live), el("td", {}, r.candidate))))));
    }
    ui.gate.append(box);
  }

  function renderHistory(list) {
    const { el } = S();
    ui.history.replaceChildren(...list.map((v) => {
      const top1 = v.metrics && v.metrics.candidate ? pct(v.metrics.candidate.faq_top1) : "—";
      const actions = el("td", {});
      if (v.has_diff) {
        const details = el("details", {}, el("summary", {}, "변경 내용 보기"));
        details.addEventListener("toggle", () => details.open && showDiff(details, v.id), { once: true });
        actions.append(details);
      }
      if (v.status === "retired" && v.model_path) {
        actions.append(el("button", { type: "button", class: "button button-small",
          "aria-label": `${v.id}번 버전으로 되돌리기`, onclick: () => rollBack(v) }, "이 버전으로 되돌리기"));
      }
      return el("tr", {},
        el("td", {}, String(v.id)),
        el("td", {}, el("span", { class: "publish-badge publish-" + v.status }, STATUS[v.status] || v.status)),
        el("td", {}, v.author, el("br"), el("span", { class: "studio-muted" }, when(v.created_at))),
        el("td", {}, v.summary, v.error ? el("p", { class: "studio-error" }, v.error) : null),
        el("td", {}, top1), actions);
    }));
  }

  async function showDiff(details, id) {
    const { api, el } = S();
    const res = await api(`/studio/api/publish/versions/${id}`);
    details.append(el("pre", { class: "publish-diff", tabindex: "0", "aria-label": `${id}번 버전의 변경 내용` },
      res.ok ? res.data.diff || "(바뀐 파일 없음)" : "변경 내용을 불러오지 못했어요."));
  }

  async function refresh() {
    const { api } = S();
    const [state, list] = await Promise.all([api("/studio/api/publish"), api("/studio/api/publish/versions")]);
    if (!state.ok) { ui.status.textContent = "배포 상태를 불러오지 못했어요."; return; }
    const d = state.data;
    ui.drafts.textContent = d.drafts ? `배포를 기다리는 초안이 ${d.drafts}건 있어요.` : "배포를 기다리는 초안이 없어요. 파일만 다시 학습할 수도 있어요.";
    ui.start.disabled = d.busy;
    const v = d.latest;
    if (v && v.status === "running") ui.status.textContent = `${v.id}번 배포가 진행 중이에요. 그동안 챗봇은 지금 모델로 답해요.`;
    else if (v) ui.status.textContent = `${v.id}번 배포: ${STATUS[v.status] || v.status}` + (v.error ? ` — ${v.error}` : "");
    else ui.status.textContent = "아직 배포한 적이 없어요.";
    renderSteps(v && (v.steps.length || v.status === "running") ? v : null);
    renderGate(v);
    if (list.ok) renderHistory(list.data.versions);
    clearTimeout(timer);
    if (d.busy) timer = setTimeout(refresh, 3000);
  }

  async function startPublish() {
    const { api, notice } = S();
    const res = await api("/studio/api/publish", { method: "POST", body: { summary: ui.summary.value } });
    if (!res.ok) { notice((res.data && res.data.error) || "배포를 시작하지 못했어요."); ui.summary.focus(); return; }
    notice(`${res.data.id}번 배포를 시작했어요. 학습에는 몇 분 걸려요.`);
    ui.summary.value = "";
    refresh();
  }

  async function rollBack(v) {
    const { api, notice } = S();
    if (!confirm(`${v.id}번 버전(${v.summary})으로 되돌릴까요? 그 버전의 FAQ 파일과 모델로 바뀌어요.`)) return;
    notice(`${v.id}번 버전으로 되돌리는 중이에요…`);
    ui.start.disabled = true;
    const res = await api(`/studio/api/publish/versions/${v.id}/rollback`, { method: "POST", body: {} });
    if (res.status === 202) notice(`${v.id}번 버전으로 되돌리는 중이에요. 새 모델 서버가 뜨면 바뀌어요 (진행 상황이 아래에 보여요).`);
    else notice(res.ok ? `${v.id}번 버전으로 되돌렸어요` + (res.data.rollback ? ` (${Math.round(res.data.rollback.seconds)}초).` : ".")
      : (res.data && res.data.error) || "되돌리지 못했어요.");
    refresh();
  }

  window.Studio.panel("publish", { init: build, show: refresh });
})();
