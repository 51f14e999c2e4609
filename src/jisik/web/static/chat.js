// jisik chat page: conversations, streamed answers, citations that open their source.
// Plain JavaScript, no libraries. Every text from the server goes in with textContent.
"use strict";

(function () {
  const { t, api, element } = window.jisik;
  const $ = (id) => document.getElementById(id);
  const list = $("conversation-list");
  const thread = $("messages-list");
  const form = $("ask-form");
  const input = $("question");
  const send = $("send");
  let current = null; // the open conversation's id

  // --- conversations --------------------------------------------------------

  async function loadConversations() {
    const data = await (await api("/v1/conversations?limit=100")).json();
    list.replaceChildren();
    for (const conversation of data.data) {
      const item = element("li", conversation.id === current ? "current" : "");
      const open = element("button", "open", conversation.title || t("chat.untitled"));
      open.type = "button";
      open.title = conversation.title || t("chat.untitled");
      if (conversation.id === current) open.setAttribute("aria-current", "true");
      open.addEventListener("click", () => openConversation(conversation.id));
      const rename = element("button", "", t("chat.rename"));
      rename.type = "button";
      rename.setAttribute("aria-label", `${t("chat.rename")}: ${open.title}`);
      rename.addEventListener("click", async () => {
        const title = window.prompt(t("chat.rename_prompt"), conversation.title);
        if (title && title.trim()) {
          await api(`/v1/conversations/${conversation.id}`, { method: "PATCH", body: { title: title.trim() } });
          await loadConversations();
        }
      });
      const remove = element("button", "", t("chat.delete"));
      remove.type = "button";
      remove.setAttribute("aria-label", `${t("chat.delete")}: ${open.title}`);
      remove.addEventListener("click", async () => {
        if (!window.confirm(t("chat.delete_confirm"))) return;
        await api(`/v1/conversations/${conversation.id}`, { method: "DELETE" });
        if (conversation.id === current) startNew();
        await loadConversations();
      });
      item.append(open, rename, remove);
      list.append(item);
    }
  }

  function startNew() {
    current = null;
    thread.replaceChildren(element("p", "empty", t("chat.empty")));
    closeSource();
    input.focus();
    loadConversations().catch(showError);
  }

  async function openConversation(id) {
    const data = await (await api(`/v1/conversations/${id}`)).json();
    current = id;
    thread.replaceChildren();
    for (const turn of data.messages) {
      if (turn.role === "user") {
        addQuestion(turn.text, turn.standalone_question);
      } else {
        const view = addAnswer();
        view.finish({
          answer: turn.text,
          citations: turn.citations || [],
          generated: turn.generated,
          digital_source_type: turn.digital_source_type || "",
          notice: turn.notice || (turn.withheld ? t("chat.withheld") : ""),
          abstained: turn.abstained,
          trace_id: turn.trace_id,
        });
      }
    }
    await loadConversations();
  }

  // --- a question and its answer ----------------------------------------------

  function addQuestion(text, understood) {
    const hint = $("empty-hint") || thread.querySelector(".empty");
    if (hint) hint.remove();
    const box = element("div", "message user");
    box.append(element("p", "who-said", t("chat.you")), element("p", "text", text));
    thread.append(box);
    if (understood && understood !== text) showUnderstood(box, understood);
    thread.scrollTop = thread.scrollHeight;
    return box;
  }

  function showUnderstood(box, question) {
    const line = element("p", "understood", `${t("chat.understood_as")} ${question}`);
    box.append(line);
  }

  function addAnswer() {
    const box = element("article", "message assistant");
    box.setAttribute("aria-busy", "true");
    const label = element("span", "ai-label", t("chat.ai_label"));
    const text = element("p", "text", "");
    box.append(element("p", "who-said", t("chat.assistant")), label, text);
    thread.append(box);
    let streamed = "";
    return {
      box,
      append(piece) {
        streamed += piece;
        text.textContent = streamed;
        thread.scrollTop = thread.scrollHeight;
      },
      finish(answer) {
        box.setAttribute("aria-busy", "false");
        label.textContent = answer.generated ? t("chat.ai_label_generated") : t("chat.ai_label_quoted");
        renderAnswerText(text, answer.answer, answer.citations);
        if (answer.notice) box.append(element("p", "notice-line", answer.notice));
        if (answer.unsupported && answer.unsupported.length)
          box.append(element("p", "notice-line", t("chat.removed", { count: answer.unsupported.length })));
        if (answer.citations.length) box.append(sourcesList(answer.citations));
        box.append(tools(answer));
      },
    };
  }

  // "[1]" markers become buttons that open the cited passage.
  function renderAnswerText(node, text, citations) {
    node.replaceChildren();
    const byNumber = new Map(citations.map((c) => [c.n, c]));
    let last = 0;
    for (const match of text.matchAll(/\[(\d{1,3})\]/g)) {
      node.append(document.createTextNode(text.slice(last, match.index)));
      const citation = byNumber.get(Number(match[1]));
      if (citation) {
        const chip = element("button", "cite", `[${citation.n}]`);
        chip.type = "button";
        chip.setAttribute("aria-label", `${t("chat.sources")} ${citation.n}: ${citation.title}`);
        chip.addEventListener("click", () => openSource(citation));
        node.append(chip);
      } else {
        node.append(document.createTextNode(match[0]));
      }
      last = match.index + match[0].length;
    }
    node.append(document.createTextNode(text.slice(last)));
  }

  function sourcesList(citations) {
    const wrap = element("div");
    wrap.append(element("p", "who-said", t("chat.sources")));
    const items = element("ol", "sources");
    for (const c of citations) {
      const item = element("li");
      item.value = c.n;
      const open = element("button", "", `${c.title} · ${c.location}`);
      open.type = "button";
      open.addEventListener("click", () => openSource(c));
      item.append(open);
      items.append(item);
    }
    wrap.append(items);
    return wrap;
  }

  function tools(answer) {
    const bar = element("div", "answer-tools");
    const copy = element("button", "", t("chat.copy"));
    copy.type = "button";
    copy.addEventListener("click", async () => {
      const sources = answer.citations.map((c) => `[${c.n}] ${c.title} — ${c.location}`).join("\n");
      await navigator.clipboard.writeText(sources ? `${answer.answer}\n\n${sources}` : answer.answer);
      copy.textContent = t("chat.copied");
      setTimeout(() => (copy.textContent = t("chat.copy")), 1500);
    });
    bar.append(copy);
    if (answer.trace_id && !answer.abstained) bar.append(feedback(answer.trace_id));
    return bar;
  }

  // Helpful or wrong, with an optional comment: stored for the admins to review.
  function feedback(traceId) {
    const wrap = element("div", "feedback");
    const form = element("form", "feedback-form");
    form.hidden = true;
    const label = element("label", "", t("feedback.comment"));
    const comment = element("textarea");
    comment.rows = 2;
    comment.maxLength = 2000;
    label.append(comment);
    const submit = element("button", "", t("feedback.send"));
    submit.type = "submit";
    form.append(label, submit);
    const status = element("span", "feedback-status");
    status.setAttribute("role", "status");
    let verdict = "";
    const choose = (value, other) => () => {
      verdict = value;
      chosen[value].setAttribute("aria-pressed", "true");
      chosen[other].setAttribute("aria-pressed", "false");
      form.hidden = false;
      comment.focus();
    };
    const chosen = {
      helpful: element("button", "", t("feedback.helpful")),
      wrong: element("button", "", t("feedback.wrong")),
    };
    for (const [value, other] of [["helpful", "wrong"], ["wrong", "helpful"]]) {
      chosen[value].type = "button";
      chosen[value].setAttribute("aria-pressed", "false");
      chosen[value].addEventListener("click", choose(value, other));
    }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await api("/v1/feedback", {
          method: "POST",
          body: { trace_id: traceId, verdict, comment: comment.value.trim() },
        });
        form.hidden = true;
        status.textContent = t("feedback.thanks");
      } catch (error) {
        status.textContent = t("error.generic", { detail: error.message });
      }
    });
    wrap.append(chosen.helpful, chosen.wrong, form, status);
    return wrap;
  }

  async function ask(question) {
    if (!current) {
      const created = await (await api("/v1/conversations", { method: "POST", body: {} })).json();
      current = created.id;
    }
    const questionBox = addQuestion(question);
    const view = addAnswer();
    const response = await api(`/v1/conversations/${current}/messages`, {
      method: "POST",
      body: { question, stream: true },
      headers: { Accept: "text/event-stream" },
    });
    for await (const [name, data] of events(response)) {
      if (name === "question" && data.rewritten_by) showUnderstood(questionBox, data.standalone_question);
      else if (name === "delta") view.append(data.text);
      else if (name === "done") view.finish(data);
    }
    await loadConversations();
  }

  // Server-Sent Events from a fetch response (EventSource cannot POST).
  async function* events(response) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = "message";
        let data = "";
        for (const line of block.split("\n")) {
          if (line.startsWith("event: ")) name = line.slice(7);
          else if (line.startsWith("data: ")) data += line.slice(6);
        }
        if (data) yield [name, JSON.parse(data)];
      }
    }
  }

  // --- the cited source, highlighted --------------------------------------------

  const panel = $("source-panel");

  async function openSource(citation) {
    panel.hidden = false;
    document.querySelector(".chat-layout").classList.add("with-source");
    $("source-heading").textContent = citation.title;
    $("source-meta").textContent = `${t("source.location")}: ${citation.location} · ${citation.source}`;
    const body = $("source-text");
    body.textContent = t("source.loading");
    let text;
    try {
      text = (await (await api(`/v1/documents/${encodeURIComponent(citation.doc_id)}`)).json()).text;
    } catch (_) {
      body.textContent = t("source.missing");
      return;
    }
    // The stored span, or (a newer version, masked text) the passage found again.
    let start = citation.start;
    if (text.slice(citation.start, citation.end) !== citation.text) start = text.indexOf(citation.text);
    body.replaceChildren();
    if (start < 0) {
      body.append(highlighted(citation));
    } else {
      body.append(
        document.createTextNode(text.slice(0, start)),
        highlighted(citation),
        document.createTextNode(text.slice(start + citation.text.length)),
      );
    }
    const mark = body.querySelector("mark");
    mark.scrollIntoView({ block: "center" });
    body.focus();
  }

  function highlighted(citation) {
    const mark = element("mark");
    mark.id = "cited-passage";
    const value = citation.highlight;
    if (value) {
      mark.append(
        document.createTextNode(citation.text.slice(0, value.start)),
        element("span", "value", citation.text.slice(value.start, value.end)),
        document.createTextNode(citation.text.slice(value.end)),
      );
    } else {
      mark.textContent = citation.text;
    }
    return mark;
  }

  function closeSource() {
    panel.hidden = true;
    document.querySelector(".chat-layout").classList.remove("with-source");
  }

  function showError(error) {
    const line = element("p", "error", t("chat.error", { detail: error.message }));
    line.setAttribute("role", "alert");
    thread.append(line);
  }

  // --- wiring --------------------------------------------------------------------

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = input.value.trim();
    if (!question) return;
    input.value = "";
    send.disabled = true;
    send.textContent = t("chat.sending");
    try {
      await ask(question);
    } catch (error) {
      showError(error);
    } finally {
      send.disabled = false;
      send.textContent = t("chat.send");
      input.focus();
    }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  $("new-conversation").addEventListener("click", startNew);
  $("source-close").addEventListener("click", closeSource);

  // The AI notice, once per browser (AI Basic Act art. 31, AI Act art. 50).
  const notice = $("ai-notice");
  if (!window.localStorage.getItem("jisik.aiNoticeSeen")) {
    notice.hidden = false;
    $("ai-notice-ok").focus();
  }
  $("ai-notice-ok").addEventListener("click", () => {
    window.localStorage.setItem("jisik.aiNoticeSeen", "1");
    notice.hidden = true;
    input.focus();
  });

  loadConversations().catch(showError);
})();
