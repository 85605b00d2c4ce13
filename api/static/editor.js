/* The SPARQL editor: a textarea over a highlighted <pre> (our own small highlighter), example questions,
   results as a table with links, downloads, and a shareable link (/sparql?q=...). Queries go to /sparql by
   the SPARQL protocol (POST form), asking for application/sparql-results+json or N-Triples. */
(function () {
  "use strict";
  var root = document.getElementById("editor");
  var textarea = document.getElementById("query");
  var pre = document.getElementById("highlight");
  var form = document.getElementById("query-form");
  var area = document.getElementById("results-area");
  if (!root || !textarea || !pre) return;
  var base = root.getAttribute("data-base");
  var MAX_ROWS = 1000;

  // ------------------------------------------------------------------ highlighting
  var KEYWORDS = ("BASE PREFIX SELECT CONSTRUCT DESCRIBE ASK WHERE FROM NAMED ORDER BY ASC DESC LIMIT OFFSET DISTINCT " +
    "REDUCED OPTIONAL UNION MINUS GRAPH SERVICE SILENT FILTER BIND VALUES AS GROUP HAVING NOT EXISTS IN UNDEF " +
    "INSERT DELETE DATA WITH USING DEFAULT ALL LOAD CLEAR DROP CREATE ADD MOVE COPY INTO TO TRUE FALSE").split(" ");
  var FUNCTIONS = ("STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN UCASE " +
    "LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY HOURS MINUTES SECONDS " +
    "TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE IF STRLANG STRDT SAMETERM ISIRI ISURI " +
    "ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT SEPARATOR").split(" ");
  var KW = {}, FN = {};
  KEYWORDS.forEach(function (k) { KW[k] = true; });
  FUNCTIONS.forEach(function (k) { FN[k] = true; });

  // Order matters: the first rule that matches at a position wins.
  var RULES = [
    [/\s+/y, null],
    [/#[^\n]*/y, "comment"],
    [/<[^<>"{}|^`\\\s]*>/y, "iri"],
    [/"""[\s\S]*?(?:"""|$)|'''[\s\S]*?(?:'''|$)/y, "str"],
    [/"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?/y, "str"],
    [/@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*/y, "str"],
    [/[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+/y, "var"],
    [/_:[A-Za-z0-9_\-.]+/y, "var"],
    [/(?:[A-Za-z\u00C0-\uFFFF][\w\-\u00B7\u00C0-\uFFFF]*(?:\.[\w\-\u00C0-\uFFFF]+)*)?:(?:[\w\-%:\u00C0-\uFFFF]+(?:\.[\w\-%:\u00C0-\uFFFF]+)*)?/y, "pn"],
    [/[+-]?(?:\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+(?:[eE][+-]?\d+)?)/y, "num"],
    [/[A-Za-z_][A-Za-z_0-9]*/y, "word"],
    [/\^\^|[{}()[\];,.*\/|+!=<>&-]/y, "punct"],
    [/[\s\S]/y, null]
  ];

  function escape(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function highlight(text) {
    var out = "", i = 0;
    while (i < text.length) {
      for (var r = 0; r < RULES.length; r++) {
        var re = RULES[r][0];
        re.lastIndex = i;
        var m = re.exec(text);
        if (!m || !m[0].length) continue;
        var kind = RULES[r][1], token = m[0];
        if (kind === "word") {
          var upper = token.toUpperCase();
          kind = KW[upper] || token === "a" ? "kw" : FN[upper] ? "fn" : null;
        }
        out += kind ? '<span class="tok-' + kind + '">' + escape(token) + "</span>" : escape(token);
        i += token.length;
        break;
      }
    }
    return out;
  }

  function refresh() {
    pre.innerHTML = highlight(textarea.value) + "\n";
    sync();
  }

  function sync() {
    pre.scrollTop = textarea.scrollTop;
    pre.scrollLeft = textarea.scrollLeft;
  }

  textarea.addEventListener("input", refresh);
  textarea.addEventListener("scroll", sync);

  // ------------------------------------------------------------------ keyboard
  var released = false; // Esc lets the next Tab leave the editor (no keyboard trap)

  function insert(text) {
    textarea.focus();
    if (!document.execCommand || !document.execCommand("insertText", false, text)) {
      textarea.setRangeText(text, textarea.selectionStart, textarea.selectionEnd, "end");
      refresh();
    }
  }

  textarea.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
      return;
    }
    if (event.key === "Escape") { released = true; return; }
    if (event.key === "Tab" && !released && !event.shiftKey && !event.ctrlKey && !event.altKey) {
      event.preventDefault();
      insert("  ");
      return;
    }
    if (event.key === "}" && !event.ctrlKey && !event.metaKey) {
      var start = textarea.selectionStart, lineStart = textarea.value.lastIndexOf("\n", start - 1) + 1;
      if (start === textarea.selectionEnd && /^ {2,}$/.test(textarea.value.slice(lineStart, start))) {
        event.preventDefault();
        textarea.setSelectionRange(start - 2, start); // close the block one level out
        insert("}");
        return;
      }
    }
    if (event.key === "Enter" && !event.shiftKey) {
      var before = textarea.value.slice(0, textarea.selectionStart);
      var indent = /(^|\n)([ \t]*)[^\n]*$/.exec(before)[2];
      if (/\{\s*$/.test(before)) indent += "  ";
      event.preventDefault();
      insert("\n" + indent);
      return;
    }
    released = false;
  });
  textarea.addEventListener("blur", function () { released = false; });

  // ------------------------------------------------------------------ links and cells
  function hrefFor(iri) {
    if (iri.indexOf(base) === 0) {
      var local = iri.slice(base.length);
      if (local.indexOf("id/") === 0) return "/doc/" + local.slice(3);
      if (local.indexOf("graph/") === 0) return "/store?graph=" + encodeURIComponent(iri);
      return "/" + local;
    }
    return /^https?:/.test(iri) ? iri : null;
  }

  function cell(term) {
    var td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      var href = hrefFor(term.value);
      var node = href ? document.createElement("a") : document.createElement("span");
      if (href) { node.href = href; node.title = term.value; }
      node.textContent = term.value.indexOf(base + "id/") === 0 ? term.value.slice(base.length + 3) : term.value;
      td.appendChild(node);
    } else if (term.type === "bnode") {
      td.textContent = "_:" + term.value;
    } else {
      td.appendChild(document.createTextNode(term.value));
      var note = term["xml:lang"] ? "@" + term["xml:lang"] :
        (term.datatype && !/#string$/.test(term.datatype) ? term.datatype.replace(/^.*[#\/]/, "") : "");
      if (note) {
        var small = document.createElement("small");
        small.textContent = " " + note;
        td.appendChild(small);
      }
    }
    return td;
  }

  function table(vars, rows) {
    var wrap = document.createElement("div");
    wrap.className = "table-scroll results";
    var t = document.createElement("table");
    t.className = "data";
    t.id = "results-table";
    var head = t.createTHead().insertRow();
    vars.forEach(function (v) {
      var th = document.createElement("th");
      th.scope = "col";
      th.textContent = v;
      head.appendChild(th);
    });
    var body = t.createTBody();
    rows.slice(0, MAX_ROWS).forEach(function (row) {
      var tr = body.insertRow();
      vars.forEach(function (v) { tr.appendChild(cell(row[v])); });
    });
    wrap.appendChild(t);
    return wrap;
  }

  // N-Triples, one statement per line (what /sparql sends for CONSTRUCT and DESCRIBE here)
  var NT_TERM = /\s*(<[^>]*>|_:\S+|"(?:[^"\\]|\\.)*"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?)/y;

  function ntTerm(text) {
    if (text[0] === "<") return { type: "uri", value: text.slice(1, -1) };
    if (text[0] === "_") return { type: "bnode", value: text.slice(2) };
    var m = /^"((?:[^"\\]|\\.)*)"(?:@([A-Za-z0-9-]+)|\^\^<([^>]*)>)?$/.exec(text);
    var value = JSON.parse('"' + m[1].replace(/\\U([0-9A-Fa-f]{8})/g, function (_, h) {
      return String.fromCodePoint(parseInt(h, 16)).split("").map(function (c) {
        return "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0");
      }).join("");
    }) + '"');
    var term = { type: "literal", value: value };
    if (m[2]) term["xml:lang"] = m[2];
    if (m[3]) term.datatype = m[3];
    return term;
  }

  function parseNTriples(text) {
    return text.split("\n").filter(function (line) { return line.trim() && line.trim()[0] !== "#"; }).map(function (line) {
      var terms = [];
      NT_TERM.lastIndex = 0;
      for (var k = 0; k < 3; k++) {
        var m = NT_TERM.exec(line);
        if (!m) break;
        terms.push(ntTerm(m[1]));
      }
      return { subject: terms[0], predicate: terms[1], object: terms[2] };
    });
  }

  // ------------------------------------------------------------------ running
  function setLinks(query, graph) {
    var csv = document.getElementById("download-csv"), json = document.getElementById("download-json");
    var q = "/sparql?query=" + encodeURIComponent(query);
    csv.href = q + (graph ? "&format=ntriples" : "&format=csv");
    csv.textContent = graph ? "N-Triples" : "CSV";
    json.href = q + (graph ? "&format=jsonld" : "&format=json");
    json.textContent = graph ? "JSON-LD" : "JSON";
    var share = location.origin + "/sparql?q=" + encodeURIComponent(query);
    document.getElementById("share-url").value = share;
    document.getElementById("share-box").hidden = false;
    document.getElementById("share").hidden = false;
    history.replaceState(null, "", "/sparql?q=" + encodeURIComponent(query));
  }

  function message(kind, title, detail) {
    var box = document.createElement("div");
    box.className = "notice " + kind;
    box.setAttribute("role", kind === "bad" ? "alert" : "status");
    var strong = document.createElement("strong");
    strong.textContent = title;
    box.appendChild(strong);
    if (detail) {
      var p = document.createElement("pre");
      p.style.whiteSpace = "pre-wrap";
      p.style.margin = ".4rem 0 0";
      p.textContent = detail;
      box.appendChild(p);
    }
    return box;
  }

  function meta(text) {
    var p = document.createElement("p");
    p.className = "result-meta";
    p.id = "result-summary";
    p.textContent = text;
    return p;
  }

  function run() {
    var query = textarea.value;
    if (!query.trim()) return;
    var started = performance.now();
    area.replaceChildren(meta("Running…"));
    fetch("/sparql", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded",
                 Accept: "application/sparql-results+json, application/n-triples;q=0.9" },
      body: "query=" + encodeURIComponent(query)
    }).then(function (response) {
      var type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
      return response.text().then(function (text) { return { ok: response.ok, status: response.status, type: type, text: text }; });
    }).then(function (r) {
      var ms = Math.round(performance.now() - started);
      if (!r.ok) {
        var problem = {};
        try { problem = JSON.parse(r.text); } catch (e) { problem = { title: "HTTP " + r.status, detail: r.text }; }
        area.replaceChildren(message("bad", problem.title || ("HTTP " + r.status), problem.detail || ""));
        return;
      }
      if (r.type === "application/n-triples") {
        var triples = parseNTriples(r.text);
        setLinks(query, true);
        area.replaceChildren(meta(triples.length.toLocaleString("en") + " triples in " + ms + " ms" +
          (triples.length > MAX_ROWS ? "; the first " + MAX_ROWS + " are shown, download them all" : "")),
          table(["subject", "predicate", "object"], triples));
        return;
      }
      var data = JSON.parse(r.text);
      setLinks(query, false);
      if (typeof data.boolean === "boolean") {
        area.replaceChildren(meta("Answered in " + ms + " ms"), message(data.boolean ? "good" : "warn", data.boolean ? "Yes (true)" : "No (false)"));
        return;
      }
      var rows = data.results.bindings;
      area.replaceChildren(meta(rows.length.toLocaleString("en") + " row" + (rows.length === 1 ? "" : "s") + " in " + ms + " ms" +
        (rows.length > MAX_ROWS ? "; the first " + MAX_ROWS + " are shown, download them all" : "")),
        table(data.head.vars, rows));
    }).catch(function (error) {
      area.replaceChildren(message("bad", "The server could not be reached", error.message));
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); run(); });

  document.getElementById("share").addEventListener("click", function () {
    var input = document.getElementById("share-url");
    input.select();
    var done = function () { document.getElementById("share").textContent = "Link copied"; };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(input.value).then(done, function () {});
    else if (document.execCommand("copy")) done();
  });

  // ------------------------------------------------------------------ examples
  var examples = JSON.parse(document.getElementById("examples-data").textContent || "[]");
  document.querySelectorAll("[data-example]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var ex = examples[Number(link.getAttribute("data-example"))];
      textarea.value = "# " + ex.id + ". " + ex.title + "\n" + ex.query;
      textarea.scrollTop = 0;
      refresh();
      textarea.focus();
      textarea.setSelectionRange(0, 0);
      run();
    });
  });

  refresh();
  if (new URLSearchParams(location.search).get("q")) run();
})();
