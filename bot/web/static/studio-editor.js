/* FAQ 편집 panel: find an entry (search, category, status), edit it as a draft with checks shown next to
   each field, see what citizens will read; city facts with a "확인함" flag. Text via textContent only. */
(() => {
  "use strict";
  const API = "/studio/api/editor";
  const STATUS = { live: "게시됨", drafted: "초안 있음", new: "새 항목", retired: "폐지됨" };
  const ACTION = { edit: "수정", create: "새 항목", retire: "폐지 예정" };
  const FIELDS = ["id", "category", "question", "answer", "keywords", "examples", "department", "aspects", "source", "as_of"];
  let S, E, meta, root, current = null, examples = [], previewTimer = null;

  const q = (sel) => root.querySelector(sel);
  const when = (iso) => iso ? new Date(iso).toLocaleString("ko-KR", { dateStyle: "short", timeStyle: "short" }) : "";
  const draftLine = (d) => d ? `${ACTION[d.action] || d.action} 초안 · ${d.author} · ${when(d.updated_at)}` : "";

  function field(name, label, control, hint, extra) {
    control.id = control.id || "ed-" + name;
    const described = [hint ? "ed-" + name + "-hint" : null, "ed-" + name + "-msg"].filter(Boolean).join(" ");
    control.setAttribute("aria-describedby", described);
    return E("div", { class: "field", "data-field": name },
      E("label", { for: control.id }, label), control, extra || null,
      hint ? E("span", { class: "hint", id: "ed-" + name + "-hint" }, hint) : null,
      E("div", { class: "ed-msg", id: "ed-" + name + "-msg" }));
  }

  function options(select, pairs, blank) {
    select.replaceChildren(...(blank ? [E("option", { value: "" }, blank)] : []),
      ...Object.entries(pairs).map(([v, t]) => E("option", { value: v }, t)));
    return select;
  }

  function build() {
    const search = E("input", { id: "ed-search", type: "search", placeholder: "질문·답변·예문·키워드", autocomplete: "off" });
    const category = options(E("select", { id: "ed-filter-category" }), meta.categories, "모든 분류");
    const status = options(E("select", { id: "ed-filter-status" }), STATUS, "모든 상태");
    let timer = null;
    search.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(loadList, 250); });
    category.addEventListener("change", loadList); status.addEventListener("change", loadList);
    const aspects = E("fieldset", { class: "ed-aspects", id: "ed-aspects", "aria-describedby": "ed-aspects-msg" },
      E("legend", {}, "답변 요소"),
      ...Object.entries(meta.aspects).map(([k, t]) =>
        E("label", {}, E("input", { type: "checkbox", name: "aspect", value: k }), " " + t)),
      E("div", { class: "ed-msg", id: "ed-aspects-msg" }));
    const exampleInput = E("input", { id: "ed-example-new", type: "text", autocomplete: "off" });
    exampleInput.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); addExample(); } });
    const answer = E("textarea", { id: "ed-answer", rows: 9 });
    answer.addEventListener("input", () => { count(); clearTimeout(previewTimer); previewTimer = setTimeout(preview, 400); });
    root.replaceChildren(
      E("div", { class: "ed-switch", role: "group", "aria-label": "편집 대상" },
        E("button", { type: "button", class: "button", id: "ed-show-faq", "aria-pressed": "true", onclick: () => show("faq") }, "FAQ 항목"),
        E("button", { type: "button", class: "button", id: "ed-show-facts", "aria-pressed": "false", onclick: () => show("facts") }, "도시 정보")),
      E("div", { class: "ed-layout", id: "ed-faq" },
        E("div", { class: "ed-list-pane" },
          E("h2", {}, "FAQ 항목 찾기"),
          field("search", "검색", search),
          E("div", { class: "ed-filters" }, field("filter-category", "분류", category), field("filter-status", "상태", status)),
          E("button", { type: "button", class: "button", id: "ed-new", onclick: () => open(null) }, "새 항목"),
          E("p", { class: "studio-muted", id: "ed-count", role: "status" }),
          E("ul", { class: "ed-list", id: "ed-list", "aria-label": "검색 결과" })),
        E("form", { class: "ed-form", id: "ed-form", hidden: true, novalidate: true, onsubmit: (e) => { e.preventDefault(); save(); } },
          E("h2", { id: "ed-title", tabindex: "-1" }), E("p", { class: "studio-muted", id: "ed-state" }),
          E("div", { id: "ed-summary", role: "alert", class: "ed-summary" }),
          field("id", "ID (영어 소문자·숫자·밑줄)", E("input", { type: "text", autocomplete: "off" })),
          field("category", "분류", options(E("select", {}), meta.categories)),
          field("question", "대표 질문", E("input", { type: "text", maxlength: meta.limits.question })),
          field("answer", "답변", answer, `도시 정보는 {키} 형태로 써요. 예: {gov24}. 최대 ${meta.limits.answer}자.`,
            E("p", { class: "ed-counter", id: "ed-answer-count", "aria-live": "polite" })),
          E("div", { class: "ed-preview" }, E("h3", {}, "시민이 보는 답변"),
            E("div", { class: "studio-bubble", id: "ed-preview" })),
          field("keywords", "키워드 (쉼표로 구분)", E("input", { type: "text" })),
          E("div", { class: "field", "data-field": "examples" },
            E("span", { class: "ed-label", id: "ed-examples-label" }, "예문"),
            E("ul", { class: "ed-examples", id: "ed-examples", "aria-labelledby": "ed-examples-label", "aria-describedby": "ed-examples-msg" }),
            E("label", { for: "ed-example-new" }, "예문 추가"),
            E("div", { class: "ed-inline" }, exampleInput,
              E("button", { type: "button", class: "button", onclick: addExample }, "추가")),
            E("div", { class: "ed-msg", id: "ed-examples-msg" })),
          field("department", "담당 부서", options(E("select", {}), meta.departments)),
          aspects,
          field("source", "근거 (한 줄에 하나: 법령이나 공식 누리집)", E("textarea", { rows: 3 })),
          field("as_of", "확인 날짜", E("input", { type: "date" })),
          E("div", { class: "ed-actions" },
            E("button", { type: "submit", class: "button button-primary", id: "ed-save" }, "초안 저장"),
            E("button", { type: "button", class: "button", id: "ed-discard", onclick: discard }, "초안 취소"),
            E("button", { type: "button", class: "button button-danger", id: "ed-retire", onclick: retire }, "항목 폐지")))),
      E("div", { id: "ed-facts", hidden: true },
        E("h2", {}, "도시 정보"),
        E("p", { class: "studio-muted" }, "'확인함'이 아닌 값은 시민 답변에 나오지 않아요. 담당 부서에 확인한 뒤 체크하면 확인한 사람과 날짜가 기록돼요."),
        E("table", { class: "ed-facts" }, E("caption", { class: "visually-hidden" }, "도시 정보 목록"),
          E("thead", {}, E("tr", {}, ...["이름", "값", "확인함", "확인한 사람·날짜", "작업"].map((t) => E("th", { scope: "col" }, t)))),
          E("tbody", { id: "ed-facts-body" }))));
    answer.setAttribute("aria-describedby", "ed-answer-hint ed-answer-count ed-answer-msg");
  }

  function show(which) {
    q("#ed-show-faq").setAttribute("aria-pressed", String(which === "faq"));
    q("#ed-show-facts").setAttribute("aria-pressed", String(which === "facts"));
    q("#ed-faq").hidden = which !== "faq"; q("#ed-facts").hidden = which !== "facts";
    if (which === "facts") loadFacts();
  }

  async function loadList() {
    const params = new URLSearchParams({ q: q("#ed-search").value, category: q("#ed-filter-category").value, status: q("#ed-filter-status").value });
    const res = await S.api(`${API}/entries?${params}`);
    if (!res.ok) return S.notice((res.data && res.data.error) || "목록을 불러오지 못했어요.");
    const rows = res.data.entries;
    q("#ed-count").textContent = `${rows.length}개 항목`;
    q("#ed-list").replaceChildren(...rows.map((r) => E("li", {},
      E("button", { type: "button", class: "ed-row" + (current && current.id === r.id ? " is-selected" : ""), "data-id": r.id,
                    "aria-current": current && current.id === r.id ? "true" : false, onclick: () => open(r.id) },
        E("span", { class: "ed-row-question" }, r.question),
        E("span", { class: "ed-row-meta" }, E("span", { class: "ed-badge ed-" + r.status }, STATUS[r.status]),
          ` ${r.category_label} · ${r.id}`),
        r.draft ? E("span", { class: "ed-row-draft" }, draftLine(r.draft)) : null))));
  }

  function input(name) { return q("#ed-" + name); }

  function fill(entry) {
    input("id").value = entry.id || ""; input("category").value = entry.category || Object.keys(meta.categories)[0];
    input("question").value = entry.question || ""; input("answer").value = entry.answer || "";
    input("keywords").value = (entry.keywords || []).join(", ");
    input("department").value = entry.department || ""; input("source").value = (entry.source || []).join("\n");
    input("as_of").value = entry.as_of || new Date().toISOString().slice(0, 10);
    for (const box of root.querySelectorAll("input[name=aspect]")) box.checked = (entry.aspects || []).includes(box.value);
    examples = [...(entry.examples || [])]; drawExamples(); count();
  }

  async function open(id) {
    clearMessages();
    if (id === null) {
      current = { id: null, creating: true };
      fill({});
      q("#ed-title").textContent = "새 항목";
      q("#ed-state").textContent = "저장하면 새 항목 초안이 생겨요. 배포해야 시민에게 보여요.";
    } else {
      const res = await S.api(`${API}/entries/${encodeURIComponent(id)}`);
      if (!res.ok) return S.notice((res.data && res.data.error) || "항목을 불러오지 못했어요.");
      current = { id, creating: false, data: res.data };
      fill(res.data.entry);
      q("#ed-title").textContent = res.data.entry.question;
      q("#ed-state").textContent = `${id} · ` + (res.data.draft ? draftLine(res.data.draft) : res.data.live ? "게시된 내용" : "폐지된 항목");
      q("#ed-preview").textContent = res.data.preview;
    }
    input("id").closest(".field").hidden = !current.creating;
    q("#ed-discard").hidden = !(current.data && current.data.draft);
    q("#ed-retire").hidden = current.creating || !(current.data && (current.data.live || current.data.draft));
    q("#ed-form").hidden = false;
    if (id === null) preview();
    q("#ed-title").focus();
    loadList();
  }

  function drawExamples() {
    q("#ed-examples").replaceChildren(...examples.map((text, i) => E("li", {},
      E("span", {}, text),
      E("button", { type: "button", class: "button button-small", "aria-label": `예문 삭제: ${text}`,
                    onclick: () => { examples.splice(i, 1); drawExamples(); q("#ed-example-new").focus(); } }, "삭제"))));
    q("#ed-examples-label").textContent = `예문 ${examples.length}개 (${meta.limits.min_examples}개 이상 권장)`;
  }

  function addExample() {
    const box = q("#ed-example-new"), text = box.value.trim();
    if (text && !examples.includes(text)) { examples.push(text); drawExamples(); }
    box.value = ""; box.focus();
  }

  function count() {
    const n = input("answer").value.length, max = meta.limits.answer, out = q("#ed-answer-count");
    out.textContent = n > max ? `${n} / ${max}자 — ${n - max}자 넘었어요` : `${n} / ${max}자`;
    out.classList.toggle("studio-error", n > max);
  }

  function entry() {
    return {
      id: current.creating ? input("id").value.trim() : current.id, category: input("category").value,
      question: input("question").value, answer: input("answer").value,
      keywords: input("keywords").value.split(/[,，]/).map((s) => s.trim()).filter(Boolean),
      examples, department: input("department").value,
      aspects: [...root.querySelectorAll("input[name=aspect]:checked")].map((b) => b.value),
      source: input("source").value.split("\n").map((s) => s.trim()).filter(Boolean), as_of: input("as_of").value,
    };
  }

  async function preview() {
    const res = await S.api(`${API}/preview`, { method: "POST", body: entry() });
    if (res.ok) q("#ed-preview").textContent = res.data.preview;
  }

  function clearMessages() {
    q("#ed-summary").replaceChildren();
    for (const name of FIELDS) {
      const msg = q(`#ed-${name}-msg`); if (msg) msg.replaceChildren();
      const control = input(name); if (control) control.removeAttribute("aria-invalid");
    }
  }

  function showProblems(problems) {
    clearMessages();
    for (const p of problems) {
      const msg = q(`#ed-${p.field}-msg`) || q("#ed-summary");
      msg.append(E("p", { class: p.level === "error" ? "studio-error" : "ed-warning" }, (p.level === "error" ? "오류: " : "주의: ") + p.message));
      if (p.level === "error" && input(p.field)) input(p.field).setAttribute("aria-invalid", "true");
    }
    const bad = problems.filter((p) => p.level === "error");
    if (bad.length) {
      q("#ed-summary").prepend(E("p", { class: "studio-error" }, `고칠 곳이 ${bad.length}군데 있어요. 표시된 칸을 확인해 주세요.`));
      const first = input(bad[0].field) || q(`#ed-${bad[0].field}-msg`);
      if (first && first.focus) first.focus();
    }
  }

  async function save() {
    const body = entry(), button = q("#ed-save");
    button.disabled = true; button.textContent = "저장하는 중…";
    const res = current.creating ? await S.api(`${API}/entries`, { method: "POST", body })
      : await S.api(`${API}/entries/${encodeURIComponent(current.id)}/draft`, { method: "POST", body });
    button.disabled = false; button.textContent = "초안 저장";
    clearTimeout(previewTimer); preview();
    if (!res.ok) {
      if (res.data && res.data.problems) return showProblems(res.data.problems);
      return S.notice((res.data && res.data.error) || "저장하지 못했어요.");
    }
    showProblems(res.data.problems);
    S.notice(res.data.problems.length ? "초안을 저장했어요. 주의 사항을 확인해 주세요." : "초안을 저장했어요.");
    const problems = res.data.problems;
    await open(body.id);
    showProblems(problems);
  }

  async function discard() {
    const res = await S.api(`${API}/entries/${encodeURIComponent(current.id)}/discard`, { method: "POST", body: {} });
    S.notice(res.ok ? "초안을 취소했어요. 게시된 내용으로 돌아갔어요." : (res.data && res.data.error) || "취소하지 못했어요.");
    if (res.ok && current.data && (current.data.live || current.data.retired)) return open(current.id);
    q("#ed-form").hidden = true; current = null; loadList();
  }

  async function retire() {
    if (!window.confirm(`'${input("question").value}' 항목을 폐지할까요? 배포하면 챗봇이 더 이상 이 답변을 하지 않아요.`)) return;
    const res = await S.api(`${API}/entries/${encodeURIComponent(current.id)}/retire`, { method: "POST", body: {} });
    if (!res.ok) return S.notice((res.data && res.data.error) || "폐지하지 못했어요.");
    S.notice(res.data.dropped ? "배포 전 새 항목이라 바로 지웠어요." : "폐지 초안을 저장했어요. 배포하면 반영돼요.");
    if (res.data.dropped) { q("#ed-form").hidden = true; current = null; return loadList(); }
    open(current.id);
  }

  async function loadFacts() {
    const res = await S.api(`${API}/facts`);
    if (!res.ok) return S.notice("도시 정보를 불러오지 못했어요.");
    q("#ed-facts-body").replaceChildren(...res.data.facts.map(factRow));
  }

  function factRow(f) {
    const id = "fact-" + f.key;
    const value = E("input", { type: "text", id: id + "-value", value: f.value, placeholder: "확인한 값을 입력해요",
                               "aria-describedby": id + "-note " + id + "-msg" });
    const box = E("input", { type: "checkbox", id: id + "-verified", checked: f.verified });
    const msg = E("div", { id: id + "-msg", class: "ed-msg" });
    const save = async () => {
      const res = await S.api(`${API}/facts/${encodeURIComponent(f.key)}`, { method: "POST", body: { value: value.value, verified: box.checked } });
      msg.replaceChildren();
      if (!res.ok) return (res.data && res.data.problems || [{ message: "저장하지 못했어요." }])
        .forEach((p) => msg.append(E("p", { class: "studio-error" }, "오류: " + p.message)));
      S.notice(`${f.key} 초안을 저장했어요.`); loadFacts();
    };
    return E("tr", { class: f.draft ? "ed-fact-drafted" : "" },
      E("th", { scope: "row" }, E("code", {}, f.key), E("div", { class: "studio-muted", id: id + "-note" }, f.note || "")),
      E("td", {}, E("label", { for: value.id, class: "visually-hidden" }, `${f.key} 값`), value, msg),
      E("td", {}, E("label", {}, box, " 확인함", E("span", { class: "visually-hidden" }, ` (${f.key})`))),
      E("td", { class: "studio-muted" }, f.verified ? [f.verified_by || "확인자 기록 없음", f.verified_at ? " · " + f.verified_at : ""].join("")
        : "미확인 — 시민 답변에 나오지 않아요",
        f.draft ? E("div", {}, draftLine(f.draft)) : null),
      E("td", {}, E("button", { type: "button", class: "button button-small", onclick: save, "aria-label": `${f.key} 저장` }, "저장"),
        f.draft ? E("button", { type: "button", class: "button button-small", "aria-label": `${f.key} 초안 취소`,
          onclick: async () => { await S.api(`${API}/facts/${encodeURIComponent(f.key)}/discard`, { method: "POST", body: {} }); loadFacts(); } }, "초안 취소") : null));
  }

  /** A new entry started from the review queue (studio-review.js leaves its prefilled draft in sessionStorage). */
  async function openPendingNewEntry() {
    let draft = null;
    try { draft = JSON.parse(sessionStorage.getItem("studio-new-entry") || "null"); sessionStorage.removeItem("studio-new-entry"); }
    catch (e) { draft = null; }
    if (!draft || !meta) return;
    await open(null);
    fill(draft);
    preview();
  }

  Studio.panel("editor", {
    async init(section) {
      S = window.Studio; E = S.el; root = section;
      const res = await S.api(`${API}/meta`);
      if (!res.ok) { section.replaceChildren(E("p", { class: "studio-error" }, "편집기를 불러오지 못했어요.")); return; }
      meta = res.data; build(); loadList();
      openPendingNewEntry();
    },
    show() { openPendingNewEntry(); },
  });
})();
