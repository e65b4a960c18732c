/* 콘텐츠 스튜디오 · 통계: KPI cards, charts drawn here as inline SVG (no library, works offline), tables and
   a CSV link for a period (GET /studio/api/dashboard). Every chart has a text alternative. Text via textContent only. */
(() => {
  "use strict";
  const { api, el } = window.Studio;
  const SVG = "http://www.w3.org/2000/svg";
  let form, status, content, csvLink;

  /** an SVG element: svg("rect", {x: 0, width: 10}, svg("title", {}, "…")) */
  function svg(tag, attrs = {}, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attrs)) if (value != null) node.setAttribute(key, String(value));
    for (const child of children.flat(Infinity)) {
      if (child == null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const pct = (v) => (v == null ? "—" : (v * 100).toFixed(1) + "%");
  const num = (v) => (v == null ? "—" : Number(v).toLocaleString("ko-KR"));
  function duration(seconds) {
    if (seconds == null) return "—";
    const s = Math.round(seconds);
    return s < 60 ? `${s}초` : `${Math.floor(s / 60)}분 ${s % 60}초`;
  }
  const shortDate = (iso) => `${Number(iso.slice(5, 7))}/${Number(iso.slice(8, 10))}`;
  const longDate = (iso) => `${Number(iso.slice(5, 7))}월 ${Number(iso.slice(8, 10))}일`;
  const clip = (text, n) => (text.length > n ? text.slice(0, n - 1) + "…" : text);
  /** a round, even axis maximum, so the middle gridline is a whole number too */
  function niceMax(max) {
    const step = Math.pow(10, Math.floor(Math.log10(Math.max(max, 1))));
    const top = Math.ceil(Math.max(max, 1) / step) * step;
    return top % 2 ? top + step : top;
  }

  function card(label, value, hint) {
    return el("li", { class: "dash-card" }, el("span", { class: "dash-card-label" }, label),
      el("strong", { class: "dash-card-value" }, value), hint ? el("span", { class: "dash-card-hint" }, hint) : null);
  }

  function cards(d) {
    const k = d.kpis, cc = d.call_center, csat = d.csat;
    return el("ul", { class: "dash-cards", "aria-label": "주요 지표" },
      card("대화 수", num(k.conversations), `챗봇 해결 ${num(k.resolved_by_bot)}건`),
      card("자체처리율", pct(k.bot_self_resolution_rate), "상담원 없이 챗봇이 해결한 대화"),
      card("상담원 연결률", pct(k.handoff_rate), "상담원 연결을 요청한 대화"),
      card("답변 실패율", pct(k.fallback_rate), `챗봇 응답 중 이해하지 못함 ${num(k.bot_fallbacks)}건`),
      card("응대율", pct(cc.answer_rate), `요청 ${num(cc.requested)}건 중 ${num(cc.taken)}건 응대`),
      card(`서비스레벨 (${cc.service_level_seconds}초)`, pct(cc.service_level), `${cc.service_level_seconds}초 안에 응대 ${num(cc.taken_within)}건`),
      card("평균 대기", duration(cc.wait_seconds.mean), `콜백 요청 ${num(cc.callbacks)}건 제외`),
      card("평균 처리 시간", duration(cc.handling_seconds.mean), `종료된 상담 ${num(cc.handling_seconds.count)}건`),
      card("만족도 (CSAT)", csat.mean == null ? "—" : `${csat.mean} / 5`, `4~5점 ${pct(csat.satisfied_rate)} · 평가 ${num(csat.count)}건`));
  }

  function table(caption, headers, rows) {
    return el("table", { class: "dash-table" }, el("caption", {}, caption),
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.length ? rows.map((r) => el("tr", {}, r.map((c, i) => (i === 0 ? el("th", { scope: "row" }, c) : el("td", {}, c)))))
        : el("tr", {}, el("td", { colspan: headers.length, class: "empty" }, "이 기간에는 자료가 없어요."))));
  }

  function figure(id, title, summary, chart, alternative) {
    return el("figure", { class: "dash-figure", id },
      el("figcaption", {}, el("h3", {}, title), el("p", { class: "studio-muted" }, summary)),
      chart, alternative ? el("details", { class: "dash-details" }, el("summary", {}, "표로 보기"), alternative) : null);
  }

  /** vertical bars: conversations of each day */
  function dailyChart(days) {
    const W = 720, H = 230, left = 44, right = 8, top = 16, bottom = 34;
    const max = niceMax(Math.max(0, ...days.map((d) => d.conversations)));
    const slot = (W - left - right) / days.length, barW = Math.max(2, slot * 0.7);
    const y = (v) => top + (H - top - bottom) * (1 - v / max);
    const every = Math.ceil(days.length / 10);
    const total = days.reduce((s, d) => s + d.conversations, 0);
    const busiest = days.reduce((b, d) => (d.conversations > b.conversations ? d : b), days[0]);
    const label = `일별 대화 수 막대그래프: ${longDate(days[0].date)}부터 ${longDate(days[days.length - 1].date)}까지 모두 ${total}건` +
      (total ? `, 가장 많은 날은 ${longDate(busiest.date)} ${busiest.conversations}건` : "");
    return svg("svg", { class: "dash-chart", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": label },
      [0, max / 2, max].map((v) => [
        svg("line", { class: "dash-grid", x1: left, x2: W - right, y1: y(v), y2: y(v) }),
        svg("text", { class: "dash-axis", x: left - 6, y: y(v) + 4, "text-anchor": "end" }, num(v))]),
      days.map((d, i) => {
        const x = left + i * slot + (slot - barW) / 2;
        return svg("g", {},
          svg("rect", { class: "dash-bar", x, y: y(d.conversations), width: barW, height: y(0) - y(d.conversations) },
            svg("title", {}, `${longDate(d.date)}: 대화 ${d.conversations}건, 상담원 연결 ${d.handoffs}건`)),
          days.length <= 14 && d.conversations ? svg("text", { class: "dash-value", x: x + barW / 2, y: y(d.conversations) - 4, "text-anchor": "middle" }, d.conversations) : null,
          i % every === 0 ? svg("text", { class: "dash-axis", x: x + barW / 2, y: H - bottom + 18, "text-anchor": "middle" }, shortDate(d.date)) : null);
      }));
  }

  /** horizontal bars, one group per row: rows [{label, bars: [{value, text, kind}]}]; each bar's text is written
      beside it, so no meaning rests on colour alone */
  function hbarChart(rows, label, labelWidth = 190) {
    const barH = 16, gap = 4, per = Math.max(1, ...rows.map((r) => r.bars.length));
    const rowH = per * (barH + gap) + 8, W = 580, H = Math.max(1, rows.length) * rowH + 4, barArea = W - labelWidth - 90;
    const max = Math.max(1, ...rows.flatMap((r) => r.bars.map((b) => b.value)));
    return svg("svg", { class: "dash-chart dash-chart-h", viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": label },
      rows.map((r, i) => {
        const yTop = 4 + i * rowH, middle = yTop + (per * (barH + gap)) / 2;
        return svg("g", {},
          svg("text", { class: "dash-label", x: labelWidth - 8, y: middle + 3, "text-anchor": "end" }, clip(r.label, 16), svg("title", {}, r.label)),
          r.bars.map((b, j) => {
            const y = yTop + j * (barH + gap), width = (barArea * b.value) / max;
            return [svg("rect", { class: `dash-bar ${b.kind || ""}`, x: labelWidth, y, width: Math.max(b.value ? 2 : 0, width), height: barH }),
              svg("text", { class: "dash-value", x: labelWidth + width + 6, y: y + barH - 3 }, b.text)];
          }));
      }));
  }

  function categoriesFigure(d) {
    const top = d.top_categories.slice(0, 10);
    const chart = top.length ? hbarChart(top.map((c) => ({ label: c.label, bars: [{ value: c.answers, text: `${c.answers}건 · ${c.rank}위` }] })),
      "많이 답한 분야 가로 막대그래프: " + top.map((c) => `${c.rank}위 ${c.label} ${c.answers}건`).join(", "))
      : el("p", { class: "empty" }, "이 기간에 챗봇이 답한 분야가 없어요.");
    const city = el("ol", { class: "dash-city", "aria-label": "안산시 콜센터 문의 순위와 챗봇 순위" },
      d.city_ranking.map((c) => el("li", {},
        el("span", { class: "dash-rank" }, `${c.city_rank}`), el("span", { class: "dash-city-name" }, c.label),
        el("span", { class: "dash-city-ours" }, c.our_rank ? `챗봇 ${c.our_rank}위 · ${c.our_answers}건` : "챗봇 답변 없음"))));
    const same = d.city_ranking.filter((c) => c.our_rank === c.city_rank).length;
    return figure("dash-categories", "많이 답한 분야 · 시 콜센터 순위와 비교",
      `시 콜센터 상위 ${d.city_ranking.length}개 분야 중 ${same}개가 챗봇에서도 같은 순위예요.`,
      el("div", { class: "dash-split" }, el("div", {}, chart), el("div", {}, el("h4", {}, "시 콜센터 문의 순위"), city)),
      table("분야별 답변 수", ["순위", "분야", "답변 수"], d.top_categories.map((c) => [String(c.rank), c.label, num(c.answers)])));
  }

  function feedbackFigure(d) {
    const rows = d.feedback.slice(0, 8).map((f) => ({ label: f.question, bars: [
      { value: f.up, text: `좋아요 ${f.up}`, kind: "dash-up" }, { value: f.down, text: `싫어요 ${f.down}`, kind: "dash-down" }] }));
    const up = d.feedback.reduce((s, f) => s + f.up, 0), down = d.feedback.reduce((s, f) => s + f.down, 0);
    const chart = rows.length ? hbarChart(rows, `항목별 답변 평가 막대그래프: 좋아요 ${up}건, 싫어요 ${down}건. ` +
      d.feedback.slice(0, 8).map((f) => `${f.question} 좋아요 ${f.up} 싫어요 ${f.down}`).join(", "), 240)
      : el("p", { class: "empty" }, "이 기간에 시민이 남긴 답변 평가가 없어요.");
    return figure("dash-feedback", "항목별 답변 평가 (좋아요/싫어요)", `좋아요 ${up}건 · 싫어요 ${down}건, 싫어요가 많은 항목부터 보여 줘요.`, chart,
      table("항목별 답변 평가", ["질문", "FAQ ID", "좋아요", "싫어요"], d.feedback.map((f) => [f.question, f.faq_id || "—", num(f.up), num(f.down)])));
  }

  function render(d) {
    const days = d.per_day;
    const dailyTable = table("일별 대화 수와 상담원 연결", ["날짜", "대화 수", "상담원 연결"],
      days.map((x) => [x.date, num(x.conversations), num(x.handoffs)]));
    content.replaceChildren(
      el("p", { class: "studio-muted" }, `${d.period.from} ~ ${d.period.to} (${d.period.timezone}) 기준이에요.`),
      cards(d),
      figure("dash-daily", "일별 대화 수", `하루 평균 ${(d.kpis.conversations / days.length).toFixed(1)}건이에요.`, dailyChart(days), dailyTable),
      categoriesFigure(d),
      table("많이 답한 질문", ["질문", "분야", "답변 수"], d.top_entries.map((e) => [e.question, e.label, num(e.answers)])),
      table("답하지 못한 질문 묶음 (검토 대기열, 챗봇 추측별)", ["챗봇 추측", "건수", "최근 예시", "처음 · 마지막"],
        d.unanswered.map((u) => [u.guess_question, num(u.count), u.sample, `${(u.first_seen || "").slice(0, 16).replace("T", " ")} · ${(u.last_seen || "").slice(0, 16).replace("T", " ")}`])),
      feedbackFigure(d));
  }

  function params() {
    const p = new URLSearchParams();
    for (const [key, id] of [["from", "dash-from"], ["to", "dash-to"], ["sl", "dash-sl"]]) {
      const value = document.getElementById(id).value.trim();
      if (value) p.set(key, value);
    }
    return p;
  }

  async function load() {
    const query = params().toString();
    status.textContent = "불러오는 중…";
    content.setAttribute("aria-busy", "true");
    const res = await api("/studio/api/dashboard" + (query ? "?" + query : ""));
    content.removeAttribute("aria-busy");
    if (!res.ok || !res.data) {
      status.textContent = (res.data && res.data.error) || "통계를 불러오지 못했어요. 잠시 뒤 다시 시도해 주세요.";
      status.className = "studio-error";
      return;
    }
    const d = res.data;
    document.getElementById("dash-from").value = d.period.from;
    document.getElementById("dash-to").value = d.period.to;
    document.getElementById("dash-sl").value = d.call_center.service_level_seconds;
    csvLink.href = "/studio/api/dashboard.csv?" + params().toString();
    status.textContent = "";
    status.className = "";
    render(d);
  }

  function lastDays(n) {
    const to = new Date(), from = new Date(Date.now() - (n - 1) * 86400000);
    const iso = (x) => new Date(x.getTime() - x.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
    document.getElementById("dash-from").value = iso(from);
    document.getElementById("dash-to").value = iso(to);
    load();
  }

  function init(section) {
    const field = (id, label, attrs) => el("div", { class: "field" }, el("label", { for: id }, label), el("input", { id, ...attrs }));
    form = el("form", { class: "dash-period", "aria-label": "통계 기간" },
      field("dash-from", "시작일", { type: "date", name: "from" }),
      field("dash-to", "종료일", { type: "date", name: "to" }),
      field("dash-sl", "서비스레벨 기준(초)", { type: "number", name: "sl", min: "1", max: "3600", inputmode: "numeric" }),
      el("button", { type: "submit", class: "button button-primary" }, "조회"),
      el("button", { type: "button", class: "button", onclick: () => lastDays(7) }, "최근 7일"),
      el("button", { type: "button", class: "button", onclick: () => lastDays(30) }, "최근 30일"));
    form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
    csvLink = el("a", { class: "button", id: "dash-csv", href: "/studio/api/dashboard.csv", download: "" }, "CSV 내려받기");
    status = el("p", { id: "dash-status", role: "status", "aria-live": "polite" });
    content = el("div", { id: "dash-content" });
    section.replaceChildren(el("div", { class: "dash-head" }, el("h2", {}, "통계"), csvLink), form, status, content);
  }

  window.Studio.panel("dashboard", { init, show: load });
})();
