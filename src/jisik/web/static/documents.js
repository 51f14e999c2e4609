// The document library: upload with per-file progress and results, filters, preview, delete.
"use strict";

(function () {
  const { t, api, element, button, csrf } = window.jisik;
  const $ = (id) => document.getElementById(id);
  const pageData = JSON.parse($("page-data").textContent);
  let documents = [];

  // --- the library ------------------------------------------------------------------

  async function load() {
    const all = [];
    for (let offset = 0; ; offset += 500) {
      const page = await (await api(`/v1/documents?limit=500&offset=${offset}`)).json();
      all.push(...page.documents);
      if (all.length >= page.total || page.documents.length === 0) break;
    }
    documents = all;
    fillSelect($("filter-type"), [...new Set(all.map((d) => d.format))].sort());
    fillSelect($("filter-group"), [...new Set(all.flatMap((d) => d.groups))].sort());
    render();
  }

  function fillSelect(select, values) {
    const chosen = select.value;
    select.replaceChildren(select.options[0]);
    for (const value of values) select.append(new Option(value, value));
    select.value = values.includes(chosen) ? chosen : "";
  }

  function render() {
    const title = $("filter-title").value.trim().toLowerCase();
    const type = $("filter-type").value;
    const group = $("filter-group").value;
    const since = $("filter-since").value ? Date.parse($("filter-since").value) / 1000 : 0;
    const shown = documents.filter(
      (d) =>
        (!title || d.title.toLowerCase().includes(title) || d.source.toLowerCase().includes(title)) &&
        (!type || d.format === type) &&
        (!group || d.groups.includes(group)) &&
        d.ingested_at >= since,
    );
    $("doc-count").textContent = t("docs.count", { shown: shown.length, total: documents.length });
    const rows = $("library-rows");
    rows.replaceChildren();
    for (const d of shown) {
      const row = element("tr");
      const name = element("td");
      name.append(button(d.title || d.source, () => preview(d.doc_id), "link"));
      name.append(element("div", "muted small", d.source));
      row.append(
        name,
        element("td", "", d.format),
        element("td", "", d.groups.length ? d.groups.join(", ") : t("docs.everyone")),
        element("td", "", new Date(d.ingested_at * 1000).toLocaleDateString()),
      );
      const actions = element("td");
      if (pageData.can_manage) {
        const remove = button(t("docs.delete"), () => removeDocument(d), "secondary");
        remove.setAttribute("aria-label", `${t("docs.delete")}: ${d.title}`);
        actions.append(remove);
      }
      row.append(actions);
      rows.append(row);
    }
  }

  async function removeDocument(d) {
    if (!window.confirm(t("docs.delete_confirm", { title: d.title }))) return;
    await api(`/v1/documents/${encodeURIComponent(d.doc_id)}`, { method: "DELETE" });
    $("preview").hidden = true;
    await load();
  }

  async function preview(id) {
    const d = await (await api(`/v1/documents/${encodeURIComponent(id)}`)).json();
    const panel = $("preview");
    panel.hidden = false;
    $("preview-heading").textContent = d.title;
    $("preview-meta").textContent = `${d.source} · ${d.format} · v${d.version} · ${t("docs.chunks", { count: d.chunks })}`;
    const text = $("preview-text");
    text.replaceChildren();
    const sections = $("preview-sections");
    sections.replaceChildren();
    d.sections.forEach((section, i) => {
      const part = element("div", "section");
      part.id = `section-${i}`;
      part.append(element("h3", "section-title", section.location), element("p", "", d.text.slice(section.start, section.end)));
      text.append(part);
      const item = element("li");
      const link = element("a", "", section.location);
      link.href = `#section-${i}`;
      item.append(link);
      sections.append(item);
    });
    if (!d.sections.length) text.textContent = d.text;
    panel.scrollIntoView({ block: "start" });
    $("preview-heading").focus?.();
  }

  // --- uploading ------------------------------------------------------------------------

  // Who may read the upload: everyone, or the chosen groups (never a silent default).
  function readers() {
    const choice = document.querySelector('input[name="readers"]:checked').value;
    const groups = [...document.querySelectorAll('input[name="group"]:checked')].map((g) => g.value);
    if (choice === "public") return { public: true, groups: [] };
    if (!groups.length) throw new Error(t("docs.choose_group"));
    return { public: false, groups };
  }

  // One request per file, so each file has its own progress bar and its own result.
  function uploadFiles(files) {
    const notice = $("upload-error");
    notice.hidden = true;
    let chosen;
    try {
      chosen = readers();
    } catch (error) {
      notice.textContent = error.message;
      notice.hidden = false;
      return;
    }
    for (const file of files) uploadOne(file, chosen);
  }

  function uploadOne(file, chosen) {
    const item = element("li", "upload-item");
    const name = element("span", "name", file.name);
    const bar = element("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", `${file.name}: ${t("docs.progress")}`);
    const status = element("span", "status", t("docs.uploading"));
    item.append(name, bar, status);
    $("upload-list").prepend(item);

    const form = new FormData();
    form.append("files", file, file.name);
    for (const group of chosen.groups) form.append("groups", group);
    if (chosen.public) form.append("public", "true");
    const request = new XMLHttpRequest();
    request.open("POST", "/v1/documents");
    request.setRequestHeader("X-CSRF-Token", csrf);
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) bar.value = Math.round((event.loaded / event.total) * 100);
    });
    request.addEventListener("load", () => {
      let body = {};
      try {
        body = JSON.parse(request.responseText);
      } catch (_) {}
      if (request.status !== 202) {
        fail(item, status, body.detail || String(request.status));
        return;
      }
      bar.value = 100;
      status.textContent = t("docs.ingesting");
      follow(body.id, item, status);
    });
    request.addEventListener("error", () => fail(item, status, t("docs.network_error")));
    request.send(form);
  }

  async function follow(jobId, item, status) {
    for (;;) {
      const job = await (await api(`/v1/jobs/${jobId}`)).json();
      const result = job.files[0];
      if (result && result.status === "ingested") {
        item.classList.add("done");
        status.textContent = t("docs.ingested");
        await load();
        return;
      }
      if ((result && result.status === "failed") || job.state === "failed") {
        fail(item, status, (result && result.error) || job.error);
        return;
      }
      status.textContent = job.state === "queued" ? t("docs.queued") : t("docs.ingesting");
      await new Promise((resolve) => setTimeout(resolve, 700));
    }
  }

  function fail(item, status, detail) {
    item.classList.add("failed");
    status.textContent = t("docs.failed", { detail });
    status.setAttribute("role", "alert");
  }

  const zone = $("drop-zone");
  if (zone) {
    const input = $("file-input");
    input.addEventListener("change", () => {
      uploadFiles(input.files);
      input.value = "";
    });
    for (const name of ["dragenter", "dragover"])
      zone.addEventListener(name, (event) => {
        event.preventDefault();
        zone.classList.add("over");
      });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("over");
      uploadFiles(event.dataTransfer.files);
    });
    // Choosing a group means "these groups", not everyone.
    document.querySelectorAll('input[name="group"]').forEach((box) =>
      box.addEventListener("change", () => {
        if (box.checked) document.querySelector('input[name="readers"][value="groups"]').checked = true;
      }),
    );
  }

  for (const id of ["filter-title", "filter-type", "filter-group", "filter-since"])
    $(id).addEventListener("input", render);
  $("preview-close").addEventListener("click", () => ($("preview").hidden = true));
  load().catch((error) => {
    const line = element("p", "error", t("error.generic", { detail: error.message }));
    line.setAttribute("role", "alert");
    $("main").append(line);
  });
})();
