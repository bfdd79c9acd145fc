// medkg query page: named queries as examples, typed parameters, results as a table.
// Plain DOM and fetch(); every value from the graph is inserted as text, never as HTML.
"use strict";

const state = { lib: null, current: null, base: "", prefixes: {} };
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v; else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

function compact(iri) {
  let best = null;
  for (const [p, ns] of Object.entries(state.prefixes)) {
    if (iri.startsWith(ns)) {
      const local = iri.slice(ns.length);
      if (/^[A-Za-z0-9_\-.]*$/.test(local) && (best === null || local.length < best[1].length)) best = [p, local];
    }
  }
  return best ? `${best[0]}:${best[1]}` : iri;
}

function localHref(iri) {
  if (state.base && iri.startsWith(state.base)) return "/id/" + iri.slice(state.base.length);
  return "/describe?iri=" + encodeURIComponent(iri);
}

function cell(term) {
  const td = el("td");
  if (!term) return td;
  if (term.type === "uri") {
    td.append(el("a", { href: localHref(term.value), title: term.value }, compact(term.value)));
  } else if (term.type === "literal" || term.type === "typed-literal") {
    td.append(term.value);
    if (term["xml:lang"]) td.append(" ", el("span", { class: "lang" }, "@" + term["xml:lang"]));
  } else {
    td.append(term.value);
  }
  return td;
}

function setStatus(text, error = false) {
  const s = $("status");
  s.textContent = text;
  s.className = error ? "error" : "";
}

function renderParams(q) {
  const box = $("params");
  box.replaceChildren();
  for (const p of q.params) {
    const id = "param-" + p.name;
    const type = p.class ? `${p.type}(${p.class})` : p.type;
    box.append(el("label", { for: id }, `?${p.name}`));
    const input = el("input", { id, name: p.name, "data-param": p.name, placeholder: p.required ? `${type} (required)` : `${type} (optional)` });
    if (p.default !== null) input.value = p.default;
    box.append(input);
    if (p.doc) box.append(el("span", { class: "doc" }, p.doc));
  }
}

function selectQuery(name) {
  const q = state.lib.queries.find((x) => x.name === name);
  if (!q) return;
  state.current = q;
  for (const li of document.querySelectorAll("#query-list li")) li.classList.toggle("active", li.dataset.name === name);
  $("query-title").textContent = q.title;
  $("query-description").textContent = q.description;
  $("query-text").value = q.text;
  renderParams(q);
  updateMode();
}

function isNamed() {
  return state.current && $("query-text").value === state.current.text;
}

function updateMode() {
  $("mode").textContent = isNamed() ? `named query ${state.current.name}` : "ad-hoc query";
  $("params").hidden = !isNamed();
}

function requestUrl(format) {
  const params = new URLSearchParams();
  if (isNamed()) {
    for (const input of document.querySelectorAll("#params input")) if (input.value !== "") params.set(input.name, input.value);
    if (format) params.set("format", format);
    return `/queries/${encodeURIComponent(state.current.name)}?${params}`;
  }
  params.set("query", $("query-text").value);
  if (format) params.set("format", format);
  return `/sparql?${params}`;
}

async function run(ev) {
  if (ev) ev.preventDefault();
  setStatus("running…");
  $("results").replaceChildren();
  const started = performance.now();
  let resp;
  try {
    if (isNamed()) {
      resp = await fetch(requestUrl(null), { headers: { Accept: "application/sparql-results+json, text/turtle;q=0.9" } });
    } else {
      resp = await fetch("/sparql", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json, text/turtle;q=0.9" },
        body: new URLSearchParams({ query: $("query-text").value }),
      });
    }
  } catch (err) {
    setStatus(`cannot reach the server: ${err}`, true);
    return;
  }
  const text = await resp.text();
  if (!resp.ok) {
    setStatus(`${resp.status} ${resp.statusText}: ${text}`, true);
    return;
  }
  const ms = Math.round(performance.now() - started);
  const truncated = resp.headers.get("X-Result-Truncated") === "true";
  const more = truncated ? ` — truncated at the server's cap of ${state.lib.maxRows}; add LIMIT/OFFSET or download` : "";
  const ctype = resp.headers.get("Content-Type") || "";
  if (ctype.startsWith("text/turtle")) {
    $("results").append(el("pre", { id: "graph" }, text));
    setStatus(`${resp.headers.get("X-Result-Count")} triples in ${ms} ms${more}`);
    return;
  }
  const data = JSON.parse(text);
  if ("boolean" in data) {
    $("results").append(el("p", { id: "boolean" }, String(data.boolean)));
    setStatus(`answer in ${ms} ms`);
    return;
  }
  const vars = data.head.vars;
  const rows = data.results.bindings;
  const table = el("table", { id: "result-table" });
  table.append(el("thead", {}, el("tr", {}, ...vars.map((v) => el("th", {}, v)))));
  const body = el("tbody");
  for (const row of rows) body.append(el("tr", {}, ...vars.map((v) => cell(row[v]))));
  table.append(body);
  $("results").append(table);
  setStatus(`${rows.length} row${rows.length === 1 ? "" : "s"} in ${ms} ms${more}`);
}

async function init() {
  $("query-form").addEventListener("submit", run);
  $("query-text").addEventListener("input", updateMode);
  $("query-text").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run(e); });
  $("download").addEventListener("click", (e) => { e.currentTarget.href = requestUrl($("download-format").value); });
  const resp = await fetch("/queries");
  state.lib = await resp.json();
  state.base = state.lib.base;
  state.prefixes = state.lib.prefixes;
  const list = $("query-list");
  list.replaceChildren();
  for (const q of state.lib.queries) {
    const li = el("li", { "data-name": q.name, tabindex: "0", title: q.description },
      el("span", { class: "t" }, q.title), el("span", { class: "n" }, q.name));
    li.addEventListener("click", () => selectQuery(q.name));
    li.addEventListener("keydown", (e) => { if (e.key === "Enter") selectQuery(q.name); });
    list.append(li);
  }
  const wanted = new URLSearchParams(location.search).get("q");
  if (wanted) selectQuery(wanted);
  updateMode();
  document.body.dataset.ready = "true";
}

init();
