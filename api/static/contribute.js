/* The contribute page: check a file (POST /api/v1/contributions?dry_run=true), show the validation report as
   a table, then send it. The token stays in this tab (sessionStorage) and goes only to this server. */
(function () {
  "use strict";
  var form = document.getElementById("contribute-form");
  var fileInput = document.getElementById("file");
  var tokenInput = document.getElementById("token");
  var sendButton = document.getElementById("send");
  var checkButton = document.getElementById("check");
  var report = document.getElementById("report");
  var checked = null; // the file that passed the check, so "send" sends exactly that

  try { tokenInput.value = sessionStorage.getItem("ourdata-token") || ""; } catch (e) { /* storage disabled */ }

  var TYPES = { csv: "text/csv", json: "application/json", jsonld: "application/ld+json", ttl: "text/turtle",
                nt: "application/n-triples", rdf: "application/rdf+xml", xml: "application/rdf+xml" };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  function table(caption, headers, rows) {
    var thead = el("thead", {}, [el("tr", {}, headers.map(function (h) { return el("th", { scope: "col", text: h }); }))]);
    var tbody = el("tbody", {}, rows.map(function (cells) {
      return el("tr", {}, cells.map(function (c) { return el("td", {}, [c]); }));
    }));
    return el("div", { "class": "table-scroll" }, [el("table", { "class": "data", id: "report-table" },
      [el("caption", { "class": "visually-hidden", text: caption }), thead, tbody])]);
  }

  function where(p) {
    var parts = [];
    if (p.file) parts.push(p.file);
    if (p.row != null) parts.push("row " + p.row);
    if (p.line != null) parts.push("line " + p.line);
    if (p.column != null) parts.push("column " + p.column);
    if (p.pointer) parts.push(p.pointer);
    if (p.focus_node) parts.push(p.focus_node);
    if (p.path) parts.push(p.path);
    if (p.field) parts.push(p.field);
    return parts.join(", ") || "whole file";
  }

  function docLink(iri, text) {
    var m = /\/id\/(.+)$/.exec(iri || "");
    return m ? el("a", { href: "/doc/" + m[1], text: text || iri }) : (text || iri || "");
  }

  function showProblems(body) {
    var problems = body.errors || [];
    var summary = el("div", { "class": "notice bad", role: "alert" }, [
      el("p", {}, [el("strong", { text: body.title || "The file was not accepted" }), ": " + (body.detail || "")])]);
    var rows = problems.map(function (p) {
      var severity = el("span", { "class": "severity-" + (p.severity || "error"), text: p.severity || "error" });
      var fix = (p.candidates && p.candidates.length) ? "Did you mean: " + p.candidates.join(", ") + "?" : "";
      return [where(p), severity, p.message || "", p.value != null ? String(p.value) : "", fix];
    });
    report.replaceChildren(summary);
    if (rows.length) {
      report.appendChild(table(problems.length + " problems", ["Where", "Severity", "Problem", "Value", "Suggestion"], rows));
    }
  }

  function showRecords(body, sent) {
    var counts = body.counts || {};
    var words = Object.keys(counts).map(function (k) { return counts[k] + " " + k; }).join(", ");
    var message = sent
      ? (body.status === "unchanged" ? "Nothing changed: we already hold exactly this file." : "Thank you: the contribution is in (" + words + ").")
      : "The file is valid (" + words + "). Nothing is saved yet: check the records below, then send.";
    report.replaceChildren(el("div", { "class": "notice good", role: "status" }, [el("p", { text: message })]));
    var warnings = body.warnings || [];
    if (warnings.length) {
      report.appendChild(el("h3", { text: "Warnings" }));
      report.appendChild(table(warnings.length + " warnings", ["Where", "Warning"], warnings.map(function (w) { return [where(w), w.message]; })));
    }
    var records = body.records || [];
    if (records.length) {
      report.appendChild(el("h3", { text: "Records" }));
      report.appendChild(table(records.length + " records", ["Row", "Kind", "Name", "What happens", "Matched"], records.map(function (r) {
        var place = r.row != null ? String(r.row) : (r.pointer || r.focus_node || String(r.record));
        var match = r.match ? docLink(r.match.iri, r.match.reason || r.match.basis) : "";
        return [place, r.kind || "", sent ? docLink(r.iri, r.label) : (r.label || ""), r.action || "", match];
      })));
    }
  }

  function post(dryRun) {
    var file = dryRun ? fileInput.files[0] : checked;
    var token = tokenInput.value.trim();
    if (!file || !token) {
      report.replaceChildren(el("div", { "class": "notice warn", role: "alert" }, [
        el("p", { text: !file ? "Choose a file first." : "Enter your contributor token." })]));
      (file ? tokenInput : fileInput).focus();
      return;
    }
    try { sessionStorage.setItem("ourdata-token", token); } catch (e) { /* storage disabled */ }
    var params = new URLSearchParams({ filename: file.name });
    if (dryRun) params.set("dry_run", "true");
    ["source", "licence"].forEach(function (name) {
      var value = document.getElementById(name).value.trim();
      if (value) params.set(name, value);
    });
    var ext = (file.name.split(".").pop() || "").toLowerCase();
    checkButton.disabled = sendButton.disabled = true;
    report.replaceChildren(el("p", { "class": "muted", text: dryRun ? "Checking…" : "Sending…" }));
    fetch("/api/v1/contributions?" + params.toString(), {
      method: "POST", body: file,
      headers: { Authorization: "Bearer " + token, "Content-Type": file.type || TYPES[ext] || "application/octet-stream",
                 Accept: "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return { title: "HTTP " + response.status }; })
        .then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      checkButton.disabled = false;
      if (result.status >= 400) {
        checked = null;
        showProblems(result.body);
        return;
      }
      showRecords(result.body, !dryRun);
      checked = dryRun ? file : null;
      sendButton.disabled = !dryRun;
      if (dryRun) sendButton.focus();
    }).catch(function (error) {
      checkButton.disabled = false;
      report.replaceChildren(el("div", { "class": "notice bad", role: "alert" }, [el("p", { text: "The server could not be reached: " + error.message })]));
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); post(true); });
  sendButton.addEventListener("click", function () { post(false); });
  fileInput.addEventListener("change", function () { checked = null; sendButton.disabled = true; });
})();
