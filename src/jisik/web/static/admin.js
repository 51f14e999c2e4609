// Administration: users (a new key is shown once), groups and members, feedback on answers.
"use strict";

(function () {
  const { t, api, element, button } = window.jisik;
  const $ = (id) => document.getElementById(id);

  function report(error) {
    const line = $("admin-error");
    line.textContent = t("error.generic", { detail: error.message });
    line.hidden = false;
  }

  async function run(action) {
    $("admin-error").hidden = true;
    try {
      await action();
      await load();
    } catch (error) {
      report(error);
    }
  }

  function showKey(name, key) {
    $("new-key-heading").textContent = t("admin.key_title_for", { name });
    $("new-key-value").textContent = key;
    $("new-key").hidden = false;
    $("new-key-done").focus();
  }

  async function load() {
    const [users, groupList, feedback, pii] = await Promise.all([
      api("/v1/users").then((r) => r.json()),
      api("/v1/groups").then((r) => r.json()),
      api("/v1/feedback?limit=100").then((r) => r.json()),
      api("/v1/pii/policies").then((r) => r.json()),
    ]);
    renderPolicies(pii, groupList);
    renderUsers(users);
    renderGroups(groupList, users);
    renderFeedback(feedback.data);
    const box = $("new-user-groups");
    box.replaceChildren(element("legend", "", t("admin.groups")));
    for (const g of groupList) {
      const label = element("label");
      const input = element("input");
      input.type = "checkbox";
      input.name = "group";
      input.value = g.name;
      label.append(input, document.createTextNode(` ${g.name}`));
      box.append(label);
    }
  }

  function renderUsers(users) {
    const rows = $("user-rows");
    rows.replaceChildren();
    for (const u of users) {
      const row = element("tr");
      row.append(
        element("td", "", u.name),
        element("td", "", t(`role.${u.role}`)),
        element("td", "", u.groups.join(", ") || "—"),
        element("td", u.disabled ? "state-off" : "", u.disabled ? t("admin.disabled") : t("admin.enabled")),
      );
      const actions = element("td", "actions");
      const toggle = button(u.disabled ? t("admin.enable") : t("admin.disable"), () =>
        run(() => api(`/v1/users/${encodeURIComponent(u.name)}/${u.disabled ? "enable" : "disable"}`, { method: "POST" })),
        "secondary",
      );
      toggle.setAttribute("aria-label", `${toggle.textContent}: ${u.name}`);
      const rotate = button(t("admin.rotate"), () =>
        run(async () => {
          if (!window.confirm(t("admin.rotate_confirm", { name: u.name }))) return;
          const made = await (await api(`/v1/users/${encodeURIComponent(u.name)}/key`, { method: "POST" })).json();
          showKey(u.name, made.api_key);
        }),
        "secondary",
      );
      rotate.setAttribute("aria-label", `${t("admin.rotate")}: ${u.name}`);
      actions.append(toggle, rotate);
      row.append(actions);
      rows.append(row);
    }
  }

  function renderGroups(groupList, users) {
    const list = $("group-list");
    list.replaceChildren();
    for (const g of groupList) {
      const item = element("li", "card");
      item.append(element("h3", "", g.name), element("p", "muted", g.description || ""));
      const members = element("ul", "members");
      for (const member of g.members) {
        const entry = element("li", "", `${member} `);
        const remove = button(t("admin.remove"), () =>
          run(() => api(`/v1/groups/${encodeURIComponent(g.name)}/members/${encodeURIComponent(member)}`, { method: "DELETE" })),
          "secondary",
        );
        remove.setAttribute("aria-label", `${t("admin.remove")}: ${member} (${g.name})`);
        entry.append(remove);
        members.append(entry);
      }
      const label = element("label", "", `${t("admin.add_member")} `);
      const choice = element("select");
      choice.append(new Option("—", ""));
      for (const u of users) if (!g.members.includes(u.name)) choice.append(new Option(u.name, u.name));
      label.append(choice);
      const add = button(t("admin.add"), () => {
        if (!choice.value) return;
        run(() => api(`/v1/groups/${encodeURIComponent(g.name)}/members/${encodeURIComponent(choice.value)}`, { method: "PUT" }));
      });
      add.setAttribute("aria-label", `${t("admin.add_member")} (${g.name})`);
      item.append(members, label, add);
      list.append(item);
    }
  }

  // One column per scope: the home's policy, then each group's (its own, or the home's).
  function renderPolicies(pii, groupList) {
    const scopes = ["home", ...groupList.map((g) => g.name)];
    const head = $("pii-head");
    head.replaceChildren(element("th", "", t("admin.pii_type")));
    for (const scope of scopes) {
      const cell = element("th", "", scope === "home" ? t("admin.pii_home") : scope);
      cell.scope = "col";
      if (scope !== "home" && pii.policies[scope]) {
        const reset = button(t("admin.pii_reset"), () =>
          run(() => api(`/v1/pii/policies/${encodeURIComponent(scope)}`, { method: "DELETE" })),
          "secondary",
        );
        reset.setAttribute("aria-label", `${t("admin.pii_reset")}: ${scope}`);
        cell.append(document.createTextNode(" "), reset);
      }
      head.append(cell);
    }
    const rows = $("pii-rows");
    rows.replaceChildren();
    for (const type of pii.types) {
      const row = element("tr");
      const name = element("th", "", `${type.label} (${type.kind})`);
      name.scope = "row";
      row.append(name);
      for (const scope of scopes) {
        const own = pii.policies[scope];
        const select = element("select");
        select.setAttribute("aria-label", `${type.label} · ${scope === "home" ? t("admin.pii_home") : scope}`);
        if (!own) select.append(new Option(t("admin.pii_inherit", { action: t(`pii.${pii.policies.home[type.kind]}`) }), ""));
        for (const action of pii.actions) select.append(new Option(t(`pii.${action}`), action));
        select.value = own ? own[type.kind] : "";
        select.addEventListener("change", () => {
          if (!select.value) return;
          run(() =>
            api(`/v1/pii/policies/${encodeURIComponent(scope)}/${type.kind}`, { method: "PUT", body: { action: select.value } }),
          );
        });
        const cell = element("td");
        cell.append(select);
        row.append(cell);
      }
      rows.append(row);
    }
  }

  function renderFeedback(items) {
    const rows = $("feedback-rows");
    rows.replaceChildren();
    for (const f of items) {
      const row = element("tr");
      row.append(
        element("td", "", new Date(f.at * 1000).toLocaleString()),
        element("td", "", f.actor),
        element("td", f.verdict === "wrong" ? "state-off" : "", t(`feedback.${f.verdict}`)),
        element("td", "", f.comment || "—"),
        element("td", "small", f.trace_id),
      );
      rows.append(row);
    }
    if (!items.length) {
      const row = element("tr");
      const cell = element("td", "muted", t("admin.no_feedback"));
      cell.colSpan = 5;
      row.append(cell);
      rows.append(row);
    }
  }

  $("new-user").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    const chosen = [...form.querySelectorAll('input[name="group"]:checked')].map((g) => g.value);
    run(async () => {
      const made = await (
        await api("/v1/users", { method: "POST", body: { name: form.name.value.trim(), role: form.role.value, groups: chosen } })
      ).json();
      form.reset();
      showKey(made.name, made.api_key);
    });
  });
  $("new-group").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = event.target;
    run(async () => {
      await api("/v1/groups", { method: "POST", body: { name: form.name.value.trim(), description: form.description.value.trim() } });
      form.reset();
    });
  });
  $("new-key-copy").addEventListener("click", () => navigator.clipboard.writeText($("new-key-value").textContent));
  $("new-key-done").addEventListener("click", () => {
    $("new-key-value").textContent = "";
    $("new-key").hidden = true;
  });
  load().catch(report);
})();
