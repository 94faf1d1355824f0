// voice-assist operator workspace: renders the call view the server sends, sends commands back.
// Every scenario string goes into the page through textContent (never innerHTML), so a line
// with <script> in it shows as text. The page keeps no call logic: the server's view is the state.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const S = {
    scenario: null, ui: {}, view: null, seq: -1, atS: 0, live: false,
    ws: null, retryMs: 500, refused: false, kbQuery: "", kbSent: "", kbTimer: 0,
    dirty: new Set(), memo: {}, stats: [],
  };
  window.__vaStats = S.stats; // bench: per event, server send time vs DOM update time

  // -- small DOM helpers -------------------------------------------------------------------------
  function el(tag, opts, children) {
    const node = document.createElement(tag);
    if (opts) {
      if (opts.cls) node.className = opts.cls;
      if (opts.text !== undefined) node.textContent = String(opts.text);
      if (opts.title) node.title = opts.title;
      if (opts.data) for (const [k, v] of Object.entries(opts.data)) node.dataset[k] = v;
      if (opts.attrs) for (const [k, v] of Object.entries(opts.attrs)) node.setAttribute(k, v);
    }
    for (const child of children || []) if (child) node.appendChild(child);
    return node;
  }
  const t = (key) => S.ui[key] || key;
  function changed(key, value) {
    const json = JSON.stringify(value);
    if (S.memo[key] === json) return false;
    S.memo[key] = json;
    return true;
  }
  const clock = (s) => {
    const total = Math.max(0, Math.floor(s));
    return String(Math.floor(total / 60)).padStart(2, "0") + ":" + String(total % 60).padStart(2, "0");
  };
  const stepLabel = (id) => {
    const step = S.scenario && S.scenario.steps.find((s) => s.id === id);
    return step && step.title ? step.title : id || "·";
  };
  function answerLabel(stepId, answerId) {
    const step = S.scenario.steps.find((s) => s.id === stepId);
    const all = (step ? step.answers : []).concat(S.scenario.global_answers);
    const found = all.find((a) => a.id === answerId);
    return found ? found.label : answerId;
  }

  // -- connection ---------------------------------------------------------------------------------
  function connect() {
    const token = new URLSearchParams(location.search).get("token");
    const proto = location.protocol === "https:" ? "wss://" : "ws://";
    const url = proto + location.host + "/ws" + (token ? "?token=" + encodeURIComponent(token) : "");
    const ws = new WebSocket(url);
    S.ws = ws;
    ws.onopen = () => { S.retryMs = 500; setStatus("connected"); };
    ws.onmessage = (msg) => onMessage(JSON.parse(msg.data));
    ws.onclose = () => {
      S.ws = null;
      setStatus("disconnected");
      setTimeout(connect, S.retryMs);
      S.retryMs = Math.min(S.retryMs * 2, 5000);
    };
  }
  function setStatus(state) {
    document.body.classList.remove("connecting", "connected", "disconnected");
    document.body.classList.add(state);
    S.status = state;
    const ended = S.view && S.view.ended; // after the end a closed socket is the server done
    $("status-text").textContent = ended ? t("call_ended") : S.ui[state] || state;
  }
  function send(action, arg, value) {
    if (!S.ws || S.ws.readyState !== WebSocket.OPEN) { toast(t("disconnected")); return; }
    S.ws.send(JSON.stringify({ action, arg: arg || "", value: value || "" }));
  }

  function onMessage(msg) {
    if (msg.kind === "hello") {
      S.seq = msg.seq;
      S.atS = msg.at_s;
      S.live = msg.live;
      if (!S.scenario) setup(msg.scenario);
      render(msg.view);
    } else if (msg.kind === "events") {
      if (msg.seq <= S.seq) return; // already in the snapshot
      S.seq = msg.seq;
      S.live = !msg.view.ended; // events flow: the call runs (also when the page came first)
      render(msg.view, msg.events);
      const domMs = performance.timeOrigin + performance.now();
      const entries = msg.events.map((e) => ({
        seq: e.seq, type: e.event.type, sent_ms: e.sent_ms, apply_ms: msg.apply_ms, dom_ms: domMs, frame_ms: 0,
      }));
      if (S.stats.length < 20000) S.stats.push(...entries);
      requestAnimationFrame(() => {
        const frameMs = performance.timeOrigin + performance.now();
        for (const entry of entries) entry.frame_ms = frameMs;
      });
    } else if (msg.kind === "clock") {
      S.atS = Math.max(S.atS, msg.at_s);
      renderClock();
    } else if (msg.kind === "error") {
      toast(msg.text);
    }
  }

  // -- once per page: the scenario's static parts -------------------------------------------------
  function setup(scenario) {
    S.scenario = scenario;
    S.ui = scenario.ui;
    document.documentElement.lang = scenario.language;
    document.title = scenario.title + " · voice-assist";
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    $("scenario-title").textContent = scenario.title;
    $("scenario-title").title = scenario.title;
    $("no-answer-text").placeholder = t("no_answer_placeholder");
    $("kb-search").placeholder = t("search") + "  ( / )";
    $("kb-back").textContent = "← " + t("back");
    $("end-outcome").placeholder = t("end_placeholder");
    const goto = $("goto-step");
    for (const step of scenario.steps) {
      const label = step.title ? step.id + " — " + step.title : step.id;
      goto.appendChild(el("option", { text: (step.stage ? step.stage + " › " : "") + label, attrs: { value: step.id } }));
    }
    const transfer = $("transfer-to");
    for (const tr of scenario.transfers) transfer.appendChild(el("option", { text: tr.target, title: tr.when, attrs: { value: tr.id } }));
    $("transfer").hidden = scenario.transfers.length === 0;
    $("fields-box").hidden = scenario.fields.length === 0;
    $("kb-box").hidden = scenario.knowledge.length === 0;
    buildFields(scenario.fields);
    renderKb();
    $("keys").replaceChildren(el("span", { cls: "keys-title", text: t("shortcuts") + ":" }),
      ...KEYS.map(([key, label]) => el("span", { cls: "key" }, [el("kbd", { text: key }), el("span", { text: t(label) })])));
    setStatus(S.ws && S.ws.readyState === WebSocket.OPEN ? "connected" : "connecting");
  }

  // -- every event: the view ------------------------------------------------------------------------
  function render(view, events) {
    S.view = view;
    S.atS = Math.max(S.atS, view.at_s);
    if (view.ended) S.live = false;
    document.body.classList.toggle("ended", view.ended);
    renderCrumbs(view);
    renderLine(view);
    renderAnswers(view);
    renderExplain(view);
    renderTranscript(view);
    renderAlerts(view);
    renderFields(view);
    renderControls(view);
    renderEnded(view);
    renderClock();
    for (const e of events || []) if (e.event.type === "notice" && e.event.level !== "info") toast(e.event.text);
  }

  function renderCrumbs(view) {
    if (!changed("crumbs", view.breadcrumb)) return;
    $("crumbs").replaceChildren(...view.breadcrumb.map((c, i) => el("span", {
      cls: "crumb" + (c.current ? " current" : c.visited ? " visited" : ""),
      text: c.stage, data: { index: String(i + 1) },
    })));
  }

  function renderLine(view) {
    if (!changed("line", [view.step, view.title, view.segments, view.verbatim, view.hints])) return;
    const card = $("line-card");
    card.dataset.step = view.step || "";
    card.classList.toggle("verbatim", view.verbatim);
    $("verbatim").hidden = !view.verbatim;
    $("step-title").textContent = (view.stage ? view.stage + " › " : "") + (view.title || view.step || "");
    const parts = view.segments.map((seg) => {
      if (seg.kind === "stress") return el("strong", { cls: "stress", text: seg.text });
      if (seg.kind === "pause") return el("span", { cls: "pause", text: "‖", title: t("pause") });
      if (seg.kind === "field") return el("span", { cls: "field " + (seg.filled ? "filled" : "empty"), text: seg.filled ? seg.text : fieldLabel(seg.text) });
      return document.createTextNode(seg.text);
    });
    $("line").replaceChildren(...parts);
    $("hints").replaceChildren(...view.hints.map((h) => el("li", { text: h })));
  }
  function fieldLabel(id) {
    const f = S.scenario.fields.find((x) => x.id === id);
    return f ? f.label : id;
  }

  function renderAnswers(view) {
    const fired = view.last_advance;
    const box = $("answers");
    const ids = view.answers.map((a) => a.id).join("|");
    if (box.dataset.ids !== ids || box.dataset.step !== view.step) {
      box.dataset.ids = ids;
      box.dataset.step = view.step || "";
      box.replaceChildren(...view.answers.map((a, i) => {
        const fill = el("span", { cls: "fill" });
        return el("button", { cls: "answer" + (a.is_global ? " global" : ""), data: { answer: a.id }, attrs: { type: "button" } }, [
          el("kbd", { text: i < 9 ? String(i + 1) : "" }),
          el("span", { cls: "label", text: a.label }),
          el("span", { cls: "meta" }, [
            el("span", { cls: "to", text: "→ " + stepLabel(a.next) }),
            a.is_global ? el("span", { cls: "tag", text: t("any_step") }) : null,
          ]),
          el("span", { cls: "bar" }, [fill]),
          el("span", { cls: "score" }),
        ]);
      }));
    }
    view.answers.forEach((a, i) => {
      const button = box.children[i];
      const score = a.score === null || a.score === undefined ? null : a.score;
      button.querySelector(".fill").style.width = (score === null ? 0 : Math.max(0, Math.min(100, score))) + "%";
      button.querySelector(".score").textContent = score === null ? "" : String(Math.round(score));
      const isFired = !!fired && fired.answer === a.id && fired.step === view.step;
      button.classList.toggle("fired", isFired);
      button.classList.toggle("leading", score !== null && score >= 50);
      button.title = isFired ? explanation(fired) : a.label;
      button.disabled = view.ended;
    });
  }

  function explanation(m) {
    const lines = [t("phrase") + ": " + (m.phrase || "·"), t("heard") + ": " + (m.heard || "·"),
      t("score") + ": " + Math.round(m.score)];
    if (m.matched_words && m.matched_words.length) lines.push("✓ " + m.matched_words.join(", "));
    if (m.runner_up) lines.push(t("runner_up") + ": " + m.runner_up + " (" + Math.round(m.runner_up_score || 0) + ")");
    return lines.join("\n");
  }

  function renderExplain(view) {
    const m = view.last_advance;
    const nm = view.no_match;
    if (!changed("explain", [m, nm])) return;
    const box = $("explain");
    if (nm) {
      box.hidden = false;
      box.className = "nomatch";
      box.replaceChildren(el("span", { cls: "what", text: "? " + t("no_match") }),
        el("span", { cls: "heard", text: "“" + nm.heard + "”" }),
        el("span", { cls: "muted", text: nm.reason + (nm.best ? " · " + answerLabel(nm.step, nm.best) + " " + Math.round(nm.best_score || 0) : "") }));
      return;
    }
    if (!m) { box.hidden = true; box.replaceChildren(); return; }
    box.hidden = false;
    box.className = "fired";
    box.title = explanation(m);
    const heard = el("span", { cls: "heard" }, [document.createTextNode("“")]);
    const matched = new Set((m.matched_words || []).map((w) => w.toLowerCase()));
    (m.heard || "").split(/(\s+)/).forEach((w) => {
      heard.appendChild(matched.has(w.toLowerCase().replace(/[^\p{L}\p{N}']/gu, "")) ? el("mark", { text: w }) : document.createTextNode(w));
    });
    heard.appendChild(document.createTextNode("”"));
    const lat = m.latency_ms === null || m.latency_ms === undefined ? "" : " · " + Math.round(m.latency_ms) + " ms";
    box.replaceChildren(
      el("span", { cls: "what", text: "✔ " + answerLabel(m.step, m.answer) }),
      m.source === "operator" ? el("span", { cls: "muted", text: t("by_operator") }) : heard,
      el("span", { cls: "muted", text: (m.phrase ? t("phrase") + " “" + m.phrase + "” · " : "") + t("score") + " " + Math.round(m.score) + lat }),
      el("span", { cls: "muted", text: stepLabel(m.step) + " → " + stepLabel(m.next) }),
    );
  }

  function renderTranscript(view) {
    const linesChanged = changed("transcript", view.transcript);
    if (linesChanged) {
      $("transcript-lines").replaceChildren(...view.transcript.map((line) => el("div", { cls: "final" }, [
        el("span", { cls: "at", text: clock(line.at_s) }), el("span", { text: line.text })])));
      if (!view.transcript.length) $("transcript-lines").appendChild(el("div", { cls: "waiting", text: t("waiting") }));
    }
    const partial = $("partial");
    const partialChanged = partial.textContent !== view.partial;
    if (partialChanged) {
      partial.textContent = view.partial;
      partial.hidden = !view.partial;
    }
    if (linesChanged || partialChanged) {
      const box = $("transcript");
      box.scrollTop = box.scrollHeight;
    }
  }

  function renderAlerts(view) {
    if (!changed("alerts", [view.reminders, view.silence, view.transfer, view.ended])) return;
    const cards = [];
    if (view.transfer) {
      const tr = view.transfer;
      cards.push(el("div", { cls: "alert transfer", data: { transfer: tr.transfer } }, [
        el("div", { cls: "alert-title", text: "⇄ " + t("transfer_suggested") + ": " + tr.target }),
        el("div", { cls: "alert-say", text: tr.say }),
        tr.heard ? el("div", { cls: "muted", text: t("heard") + ": “" + tr.heard + "”" }) : null,
        el("div", { cls: "row" }, [
          el("button", { cls: "accept", text: t("accept") + " (t)", data: { act: "transfer", arg: tr.transfer }, attrs: { type: "button" } }),
          el("button", { cls: "dismiss", text: t("dismiss"), data: { act: "dismiss", arg: tr.transfer }, attrs: { type: "button" } }),
        ]),
      ]));
    }
    for (const r of view.reminders) {
      cards.push(el("div", { cls: "alert reminder", data: { id: r.id } }, [
        el("span", { cls: "alert-title", text: "⚑ " + r.text }),
        el("button", { cls: "dismiss", text: "×", title: t("dismiss") + " (d)", data: { act: "dismiss", arg: r.id }, attrs: { type: "button", "aria-label": t("dismiss") } }),
      ]));
    }
    if (view.silence) {
      cards.push(el("div", { cls: "alert silence", data: { id: "silence" } }, [
        el("span", { cls: "alert-title", text: "… " + view.silence.text }),
        el("button", { cls: "dismiss", text: "×", title: t("dismiss") + " (d)", data: { act: "dismiss", arg: "silence" }, attrs: { type: "button", "aria-label": t("dismiss") } }),
      ]));
    }
    $("alerts").replaceChildren(...cards);
    for (const b of $("alerts").querySelectorAll("button")) b.disabled = view.ended;
  }

  // -- fields -----------------------------------------------------------------------------------------
  function buildFields(fields) {
    const form = $("fields");
    form.replaceChildren(...fields.map((f) => {
      let input;
      if (f.type === "choice" || f.type === "yesno") {
        input = el("select", { attrs: { id: "field-" + f.id } }, [el("option", { text: t("choose"), attrs: { value: "" } })]);
        const options = f.type === "choice" ? f.choices.map((c) => [c, c]) : [["yes", t("yes")], ["no", t("no")]];
        for (const [value, label] of options) input.appendChild(el("option", { text: label, attrs: { value } }));
      } else {
        const type = f.type === "phone" ? "tel" : "text";
        input = el("input", { attrs: { id: "field-" + f.id, type, maxlength: "200" } });
        if (f.type === "number") input.inputMode = "decimal";
        if (f.type === "date") input.placeholder = "YYYY-MM-DD";
      }
      input.dataset.field = f.id;
      const label = el("label", { attrs: { for: "field-" + f.id } }, [
        el("span", { text: f.label }), f.required ? el("span", { cls: "req", text: " *", title: t("required") }) : null]);
      const confirm = el("button", { cls: "confirm", text: "✓ " + t("confirm"), data: { act: "confirm", arg: f.id }, attrs: { type: "button" } });
      return el("div", { cls: "field-row status-empty", data: { field: f.id, type: f.type } }, [
        label, el("div", { cls: "field-input" }, [input, confirm]), el("div", { cls: "field-note" })]);
    }));
  }

  function validate(type, value) {
    const v = value.trim();
    if (!v) return true;
    if (type === "phone") return /^\+?[\d\s().-]+$/.test(v) && v.replace(/\D/g, "").length >= 5;
    if (type === "number") return /^-?\d+([.,]\d+)?$/.test(v);
    if (type === "date") {
      if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return !Number.isNaN(Date.parse(v));
      return /^\d{1,2}[./]\d{1,2}([./]\d{2,4})?$/.test(v) || /^[\p{L}\s,'-]+$/u.test(v);
    }
    return true;
  }

  function renderFields(view) {
    for (const f of view.fields) {
      const row = $("fields").querySelector('.field-row[data-field="' + CSS.escape(f.id) + '"]');
      if (!row) continue;
      const input = row.querySelector("[data-field]");
      const value = f.value === null ? "" : f.value;
      if (document.activeElement !== input && !S.dirty.has(f.id) && input.value !== value) {
        if (input.tagName === "SELECT" && value && ![...input.options].some((o) => o.value === value)) {
          input.appendChild(el("option", { text: value, attrs: { value } }));
        }
        input.value = value;
        input.classList.remove("invalid");
      }
      row.className = "field-row status-" + f.status + (f.required && f.status === "empty" ? " missing" : "");
      const note = row.querySelector(".field-note");
      const text = f.status === "heard" ? t("heard_mark") + (f.heard ? " · “" + f.heard + "”" : "")
        : f.status === "confirmed" ? "✓ " + t("confirmed_mark") : f.required ? t("required") : "";
      if (note.textContent !== text && !input.classList.contains("invalid")) note.textContent = text;
      input.disabled = view.ended;
      row.querySelector(".confirm").disabled = view.ended;
    }
  }

  function saveField(input) {
    const row = input.closest(".field-row");
    const type = row.dataset.type;
    const note = row.querySelector(".field-note");
    if (!validate(type, input.value)) {
      input.classList.add("invalid");
      note.textContent = t("invalid");
      return;
    }
    input.classList.remove("invalid");
    S.dirty.delete(input.dataset.field);
    send("fill", input.dataset.field, input.value.trim());
  }

  // -- knowledge base ----------------------------------------------------------------------------------
  function renderKb() {
    const query = S.kbQuery.trim().toLowerCase();
    const words = query.split(/\s+/).filter(Boolean);
    const articles = S.scenario.knowledge.filter((a) => {
      const hay = (a.title + " " + a.body + " " + a.tags.join(" ")).toLowerCase();
      return words.every((w) => hay.includes(w));
    });
    const list = $("kb-list");
    list.hidden = false;
    $("kb-article").hidden = true;
    if (!articles.length) { list.replaceChildren(el("div", { cls: "muted", text: t("no_results") })); return; }
    list.replaceChildren(...articles.map((a) => el("button", { cls: "kb-item", data: { article: a.id }, attrs: { type: "button" } }, [
      el("span", { cls: "kb-item-title", text: a.title }),
      ...a.tags.map((tag) => el("span", { cls: "tag", text: tag })),
      words.length ? el("span", { cls: "kb-snippet", text: snippet(a.body, words[0]) }) : null,
    ])));
  }
  function snippet(body, word) {
    const at = body.toLowerCase().indexOf(word);
    if (at < 0) return body.slice(0, 90) + (body.length > 90 ? "…" : "");
    const start = Math.max(0, at - 40);
    return (start ? "…" : "") + body.slice(start, at + 60) + (at + 60 < body.length ? "…" : "");
  }
  function openArticle(id) {
    const a = S.scenario.knowledge.find((x) => x.id === id);
    if (!a) return;
    $("kb-list").hidden = true;
    $("kb-article").hidden = false;
    $("kb-article").dataset.article = a.id;
    $("kb-title").textContent = a.title;
    $("kb-body").textContent = a.body;
    $("kb-tags").replaceChildren(...a.tags.map((tag) => el("button", { cls: "tag", text: tag, data: { tag }, attrs: { type: "button" } })));
    if (S.live) send("note", "kb_open", a.id);
  }
  function searchKb(query, record) {
    S.kbQuery = query;
    renderKb();
    clearTimeout(S.kbTimer);
    const q = query.trim();
    const flush = () => { if (q && q !== S.kbSent && S.live) { S.kbSent = q; send("note", "kb_search", q); } };
    if (record) flush(); else S.kbTimer = setTimeout(flush, 700);
  }

  // -- controls, end, clock ------------------------------------------------------------------------------
  function renderControls(view) {
    $("next").hidden = !view.can_continue;
    $("next-to").textContent = view.can_continue ? "→ " + stepLabel(view.next_step) : "";
    $("goto-step").title = t("goto");
    $("transfer-to").title = t("transfer_to");
    for (const id of ["undo", "next", "end-button", "end-outcome", "goto-step", "transfer-to", "no-answer-text"]) $(id).disabled = view.ended;
    for (const b of document.querySelectorAll("#goto button, #transfer button, #no-answer button")) b.disabled = view.ended;
    const goto = $("goto-step");
    if (document.activeElement !== goto && view.step) goto.value = view.step;
  }

  function renderEnded(view) {
    if (S.status) setStatus(S.status);
    const banner = $("ended");
    banner.hidden = !view.ended;
    if (view.ended) {
      banner.textContent = "■ " + t("call_ended") + " · " + t("outcome") + ": " + (view.outcome || "·") + " · " + t("reason") + ": " + view.end_reason;
    }
  }

  function renderClock() {
    $("timer").textContent = clock(S.atS);
    const view = S.view;
    const silence = $("silence");
    if (!view || view.ended || !S.live) { silence.hidden = true; return; }
    const silent = S.atS - view.last_speech_s;
    silence.hidden = silent < 2 && !view.silence;
    silence.textContent = t("silence") + " " + Math.max(0, Math.floor(silent)) + " s";
    silence.classList.toggle("warn", !!view.silence);
  }

  let toastTimer = 0;
  function toast(text) {
    const box = $("toast");
    box.textContent = text;
    box.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { box.hidden = true; }, 4000);
  }

  // -- input -----------------------------------------------------------------------------------------------
  const KEYS = [["1–9", "k_answer"], ["u", "k_undo"], ["c", "k_next"], ["g", "k_goto"], ["f", "k_fields"],
    ["n", "k_no_answer"], ["t", "k_transfer"], ["d", "k_dismiss"], ["/", "k_search"], ["e", "k_end"], ["Esc", "k_escape"]];

  function onKey(ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey || !S.view) return;
    const target = ev.target;
    const typing = target instanceof HTMLElement && target.matches("input, select, textarea");
    if (ev.key === "Escape") { if (typing) target.blur(); return; }
    if (typing) return;
    const view = S.view;
    const key = ev.key.toLowerCase();
    let handled = true;
    if (/^[1-9]$/.test(key)) {
      const answer = view.answers[Number(key) - 1];
      if (answer && !view.ended) send("choose", answer.id);
    } else if (key === "u") send("undo");
    else if (key === "c") { if (view.can_continue) send("next"); }
    else if (key === "g") $("goto-step").focus();
    else if (key === "f") { const first = $("fields").querySelector("[data-field]"); if (first) first.focus(); }
    else if (key === "n") $("no-answer-text").focus();
    else if (key === "t") { if (view.transfer) send("transfer", view.transfer.transfer); else $("transfer-to").focus(); }
    else if (key === "d") { for (const r of view.reminders) send("dismiss", r.id); if (view.silence) send("dismiss", "silence"); }
    else if (key === "/" || key === "k") $("kb-search").focus();
    else if (key === "e") $("end-outcome").focus();
    else handled = false;
    if (handled) ev.preventDefault();
  }

  function onClick(ev) {
    const target = ev.target instanceof Element ? ev.target : null;
    if (!target) return;
    const answer = target.closest("button.answer");
    if (answer) { send("choose", answer.dataset.answer); return; }
    const act = target.closest("button[data-act]");
    if (act) {
      if (act.dataset.act === "confirm") {
        const input = $("field-" + act.dataset.arg);
        if (input && S.dirty.has(act.dataset.arg)) { saveField(input); return; }
      }
      send(act.dataset.act, act.dataset.arg);
      return;
    }
    const item = target.closest("button.kb-item");
    if (item) { openArticle(item.dataset.article); return; }
    const tag = target.closest("#kb-tags button.tag");
    if (tag) { $("kb-search").value = tag.dataset.tag; searchKb(tag.dataset.tag, true); return; }
    if (target.closest("#kb-back")) { renderKb(); return; }
    if (target.closest("#undo")) send("undo");
    else if (target.closest("#next")) send("next");
  }

  function onSubmit(ev) {
    ev.preventDefault();
    const form = ev.target;
    if (form.id === "no-answer") {
      const input = $("no-answer-text");
      if (input.value.trim()) { send("no_answer", "", input.value.trim()); input.value = ""; }
    } else if (form.id === "goto") send("goto", $("goto-step").value);
    else if (form.id === "transfer") send("transfer", $("transfer-to").value);
    else if (form.id === "end") send("end", "", $("end-outcome").value.trim());
  }

  function wire() {
    document.addEventListener("keydown", onKey);
    document.addEventListener("click", onClick);
    for (const id of ["no-answer", "goto", "transfer", "end"]) $(id).addEventListener("submit", onSubmit);
    const fields = $("fields");
    fields.addEventListener("submit", (ev) => ev.preventDefault());
    fields.addEventListener("input", (ev) => { if (ev.target.dataset.field) S.dirty.add(ev.target.dataset.field); });
    fields.addEventListener("change", (ev) => { if (ev.target.tagName === "SELECT") saveField(ev.target); });
    fields.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && ev.target.tagName === "INPUT") { ev.preventDefault(); saveField(ev.target); }
    });
    fields.addEventListener("focusout", (ev) => {
      const input = ev.target;
      if (input.tagName === "INPUT" && S.dirty.has(input.dataset.field)) saveField(input);
    });
    for (const id of ["goto-step", "transfer-to"]) {
      $(id).addEventListener("keydown", (ev) => {
        if (ev.key === "Enter") { ev.preventDefault(); $(id).form.requestSubmit(); }
      });
    }
    const search = $("kb-search");
    search.addEventListener("input", () => searchKb(search.value, false));
    search.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); searchKb(search.value, true); } });
    setInterval(renderClock, 1000);
  }

  wire();
  connect();
})();
