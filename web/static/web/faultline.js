/* Faultline triage UI: copy buttons, filters that apply on change, the project switcher, snippet
   tabs, confirmations and keyboard shortcuts. No framework; every page works without it. */
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain-HTTP hostnames have no navigator.clipboard: the textarea + execCommand fallback.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      document.body.removeChild(area);
      ok ? resolve() : reject(new Error("copy refused"));
    });
  }
  window.faultlineCopy = copyText;

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) return;
    var note = button.nextElementSibling;
    if (!note || !note.classList.contains("copied")) {
      note = document.createElement("span");
      note.className = "copied";
      note.setAttribute("role", "status");
      button.after(note);
    }
    copyText(source.value !== undefined && source.tagName !== "PRE" && source.tagName !== "CODE"
             ? source.value : source.textContent).then(function () {
      note.textContent = "copied";
    }, function () {
      note.textContent = "press Ctrl+C to copy";
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
    });
    setTimeout(function () { note.textContent = ""; }, 2500);
  });

  // Filters apply on change; the search box on Enter.
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.requestSubmit(); });
  });

  // The stream's selects write their term into the query (the server folds a changed select's
  // value into the box): a select sends only itself; the box, submitted on its own, wins.
  document.querySelectorAll("form[data-query-selects]").forEach(function (form) {
    var changed = null;
    form.addEventListener("change", function (event) { changed = event.target; }, true);
    form.addEventListener("submit", function () {
      form.querySelectorAll("select:not([data-not-a-term])").forEach(function (select) {
        if (select !== changed) select.disabled = true;
      });
    });
    window.addEventListener("pageshow", function () {  // back to a cached page: usable again
      changed = null;
      form.querySelectorAll("select").forEach(function (select) { select.disabled = false; });
    });
  });

  // The stream's select-all box and the count of selected issues.
  var selectAll = document.getElementById("select-all");
  if (selectAll) {
    var boxes = Array.prototype.slice.call(document.querySelectorAll("#issues input[name=issue]"));
    var count = document.getElementById("selected-count");
    var update = function () {
      var checked = boxes.filter(function (box) { return box.checked; }).length;
      boxes.forEach(function (box) { box.closest("tr").classList.toggle("selected", box.checked); });
      selectAll.checked = checked > 0 && checked === boxes.length;
      selectAll.indeterminate = checked > 0 && checked < boxes.length;
      count.textContent = checked ? checked + " selected" : "";
    };
    selectAll.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = selectAll.checked; });
      update();
    });
    boxes.forEach(function (box) { box.addEventListener("change", update); });
    update();
  }

  // Alert rule forms show the fields of the chosen trigger only.
  document.querySelectorAll("form[data-rule-form]").forEach(function (form) {
    var trigger = form.querySelector("select[name=trigger]");
    if (!trigger) return;
    var show = function () {
      form.querySelectorAll("[data-for-trigger]").forEach(function (part) {
        part.hidden = part.getAttribute("data-for-trigger") !== trigger.value;
      });
    };
    trigger.addEventListener("change", show);
    show();
  });

  // Search suggestions: the last token of the box is completed from the project's keys and
  // values (one small request after typing stops; the browser shows them as a datalist).
  var searchBox = document.querySelector("input[data-suggest]");
  if (searchBox) {
    var list = document.getElementById(searchBox.getAttribute("list"));
    var timer = null, asked = null;
    searchBox.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = searchBox.value, cut = text.lastIndexOf(" ") + 1;
        var head = text.slice(0, cut), token = text.slice(cut);
        if (token === asked) return;
        asked = token;
        fetch(searchBox.getAttribute("data-suggest") + "?token=" + encodeURIComponent(token),
              {credentials: "same-origin"})
          .then(function (response) { return response.ok ? response.json() : {suggestions: []}; })
          .then(function (body) {
            list.textContent = "";
            body.suggestions.forEach(function (suggestion) {
              var option = document.createElement("option");
              option.value = head + suggestion;
              list.appendChild(option);
            });
          });
      }, 150);
    });
  }

  // The empty stream's card asks every 3 s (for up to 30 min) whether the first event came.
  var waiting = document.querySelector("[data-first-event]");
  if (waiting) {
    var tries = 0;
    var poll = setInterval(function () {
      if (++tries > 600) { clearInterval(poll); return; }
      fetch(waiting.getAttribute("data-first-event"), {credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.json() : {issue: null}; })
        .then(function (body) {
          if (!body.issue) return;
          clearInterval(poll);
          var status = document.getElementById("first-event-status");
          status.textContent = "Your first event arrived: ";
          var link = document.createElement("a");
          link.href = body.issue.url;
          link.textContent = body.issue.title;
          link.id = "first-event-link";
          status.appendChild(link);
          document.getElementById("first-event-help").textContent =
            "Open it, or reload this page to see the stream.";
        });
    }, 3000);
  }

  // Project switcher: a mouse choice navigates; arrow keys only move, Enter navigates.
  var switcher = document.getElementById("project-switcher");
  if (switcher) {
    var byKey = false;
    switcher.addEventListener("keydown", function (event) {
      byKey = event.key !== "Enter";
      if (event.key === "Enter") location.href = switcher.value;
    });
    switcher.addEventListener("pointerdown", function () { byKey = false; });
    switcher.addEventListener("change", function () { if (!byKey) location.href = switcher.value; });
  }

  // Snippet tabs.
  document.querySelectorAll("[role=tablist]").forEach(function (list) {
    list.addEventListener("click", function (event) {
      var tab = event.target.closest("[role=tab]");
      if (!tab) return;
      list.querySelectorAll("[role=tab]").forEach(function (other) {
        var selected = other === tab;
        other.setAttribute("aria-selected", selected ? "true" : "false");
        document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
      });
    });
  });

  // Chart: the hovered or tapped bar's value in the caption (its <title> is the tooltip).
  document.querySelectorAll("figure.chart").forEach(function (figure) {
    var out = figure.querySelector(".chart-hover");
    figure.addEventListener("pointerover", function (event) {
      var slot = event.target.closest("[data-label]");
      if (slot && out) out.textContent = "· " + slot.getAttribute("data-label");
    });
  });

  // Confirmations.
  document.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    var message = (submitter && submitter.getAttribute("data-confirm")) ||
                  event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // Keyboard shortcuts.
  var help = document.getElementById("help");
  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable=true]");
  }
  var rows = Array.prototype.slice.call(document.querySelectorAll("#issues tbody tr[data-href]"));
  var current = -1;
  function move(step) {
    if (!rows.length) return;
    if (current >= 0) rows[current].classList.remove("current");
    current = Math.max(0, Math.min(rows.length - 1, current + step));
    rows[current].classList.add("current");
    rows[current].scrollIntoView({ block: "nearest" });
    var link = rows[current].querySelector("a");
    if (link) link.focus({ preventScroll: true });
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && help) { help.classList.remove("open"); return; }
    if (typing(event.target)) return;
    var key = event.key;
    if (key === "?") { if (help) help.classList.toggle("open"); event.preventDefault(); }
    else if (key === "/") {
      var search = document.getElementById("search");
      if (search) { search.focus(); search.select(); event.preventDefault(); }
    } else if (key === "j") { move(1); }
    else if (key === "k") { move(-1); }
    else if (key === "o" && current >= 0) {
      location.href = rows[current].getAttribute("data-href");
    } else {
      var button = document.querySelector("[data-key='" + key + "']");
      if (button && key.length === 1) { button.click(); event.preventDefault(); }
    }
  });
})();
