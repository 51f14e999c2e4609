// Compliance: find and erase a person (the signed receipt to download), the audit trail
// with its chain verified, the source registry.
"use strict";

(function () {
  const { t, api, element } = window.jisik;
  const $ = (id) => document.getElementById(id);
  let identifiers = null;

  function report(error) {
    const line = $("comp-error");
    line.textContent = t("error.generic", { detail: error.message });
    line.hidden = false;
  }

  function given(form) {
    const out = {};
    for (const kind of ["name", "email", "phone"]) {
      const value = form[kind].value.trim();
      if (value) out[kind] = [value];
    }
    return out;
  }

  $("privacy-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("comp-error").hidden = true;
    $("receipt").hidden = true;
    identifiers = given(event.target);
    if (!Object.keys(identifiers).length) {
      report(new Error(t("comp.need_identifier")));
      return;
    }
    try {
      const found = await (await api("/v1/privacy/find", { method: "POST", body: identifiers })).json();
      const counts = $("privacy-counts");
      counts.replaceChildren();
      for (const key of ["documents", "chunks", "audit_events", "conversation_entries", "feedback_comments", "job_records", "home_files"]) {
        const value = found[key];
        const count = Array.isArray(value) ? value.length : typeof value === "number" ? value : 0;
        counts.append(element("dt", "", t(`comp.count.${key}`)), element("dd", "", String(count)));
      }
      const docs = $("privacy-documents");
      docs.replaceChildren();
      for (const d of found.documents) {
        docs.append(element("li", "", d.readable ? `${d.title} (${d.occurrences})` : `${d.doc_id} (${d.occurrences})`));
      }
      $("privacy-result").hidden = false;
    } catch (error) {
      report(error);
    }
  });

  $("erase").addEventListener("click", async () => {
    if (!identifiers || !window.confirm(t("comp.erase_confirm"))) return;
    const button = $("erase");
    button.disabled = true;
    button.textContent = t("comp.erasing");
    try {
      const receipt = await (
        await api("/v1/privacy/erase", { method: "POST", body: { ...identifiers, basis: $("erase-basis").value } })
      ).json();
      const left = Object.values(receipt.probe_after).reduce((sum, n) => sum + (typeof n === "number" ? n : 0), 0);
      $("receipt-summary").textContent = t("comp.receipt_summary", { id: receipt.receipt_id, left });
      const link = $("receipt-download");
      link.href = URL.createObjectURL(new Blob([JSON.stringify(receipt, null, 2)], { type: "application/json" }));
      link.download = `erasure-receipt-${receipt.receipt_id}.json`;
      $("receipt").hidden = false;
      $("privacy-result").hidden = true;
      link.focus();
      await loadEvents();
    } catch (error) {
      report(error);
    } finally {
      button.disabled = false;
      button.textContent = t("comp.erase");
    }
  });

  $("verify").addEventListener("click", async () => {
    try {
      const check = await (await api("/v1/audit/verify")).json();
      $("verify-result").textContent = check.ok
        ? t("comp.verify_ok", { events: check.events })
        : t("comp.verify_broken", { problems: check.problems.join("; ") });
      $("verify-result").className = check.ok ? "ok" : "error";
    } catch (error) {
      report(error);
    }
  });

  async function loadEvents() {
    const data = await (await api("/v1/audit/events?limit=10000")).json();
    const rows = $("audit-rows");
    rows.replaceChildren();
    for (const e of data.events.slice(-200).reverse()) {
      const row = element("tr");
      const details = e.redacted ? t("comp.redacted") : JSON.stringify(e.payload || {}).slice(0, 160);
      row.append(
        element("td", "", String(e.seq)),
        element("td", "", new Date(e.at * 1000).toLocaleString()),
        element("td", "", e.action),
        element("td", "", e.actor),
        element("td", "small", details),
      );
      rows.append(row);
    }
  }

  async function loadFindings() {
    const data = await (await api("/v1/pii/report")).json();
    const rows = $("findings-rows");
    rows.replaceChildren();
    for (const total of data.totals) {
      const row = element("tr");
      row.append(
        element("td", "", `${total.label} (${total.kind})`),
        element("td", "", t(`pii.${total.action}`)),
        element("td", "", String(total.found)),
      );
      rows.append(row);
    }
    if (!data.totals.length) {
      const row = element("tr");
      const cell = element("td", "muted", t("comp.no_findings"));
      cell.colSpan = 3;
      row.append(cell);
      rows.append(row);
    }
    const docs = $("findings-documents");
    docs.replaceChildren();
    for (const d of data.documents) {
      const found = Object.entries(d.pii).map(([kind, seen]) => `${kind} ${seen.found} → ${t(`pii.${seen.action}`)}`);
      docs.append(element("li", "", `${d.title}: ${found.join(", ")}`));
    }
  }

  loadEvents().catch(report);
  loadFindings().catch(report);
})();
