// rehearse web app: plain JavaScript, no build step.
// User text is only ever set with textContent (never innerHTML).
"use strict";

(function () {
  const token = document.querySelector('meta[name="rehearse-token"]').content;
  const lang = document.documentElement.lang;  // the page's language: "en" or "ko"
  const WORDS = JSON.parse(document.body.dataset.words || "{}");

  function failed(status) {
    return (WORDS.failed || "The request failed ({status}); reload the page.").replace("{status}", status);
  }

  // an event's sentence in the page's language (the server words it in each)
  function said(d) {
    return (d.text && d.text[lang]) || d.message || "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "X-Rehearse-Token": token, "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body || {}),
      credentials: "same-origin",
    }).then(async (r) => {
      let data = {};
      try { data = await r.json(); } catch (e) { data = {}; }
      if (!r.ok) throw new Error(data.error || failed(r.status));
      return data;
    });
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function showError(node, message) {
    node.textContent = message;
    node.hidden = !message;
  }

  const RELEASE_PER_S = 150; // level-meter units (0-100) a second the meter falls by

  function clock(s) {
    if (s === null || s === undefined) return "-";
    s = Math.round(s);
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  // ------------------------------------------------------------ decks: import by picker or drop

  function initDecks() {
    const form = document.getElementById("import-form");
    if (!form) return;
    const input = document.getElementById("import-file");
    const error = document.getElementById("import-error");
    function send(file) {
      const data = new FormData();
      data.append("token", token);
      data.append("file", file);
      fetch("/api/import", {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-Rehearse-Token": token, "Accept": "application/json" },
      }).then(async (r) => {
        const d = await r.json().catch(() => ({}));
        if (!r.ok) throw new Error(d.error || WORDS.not_opened);
        window.location.href = d.url;
      }).catch((e) => showError(error, e.message));
    }
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (input.files.length) send(input.files[0]);
      else input.click();
    });
    input.addEventListener("change", () => { if (input.files.length) send(input.files[0]); });
    form.addEventListener("dragover", (ev) => { ev.preventDefault(); form.classList.add("over"); });
    form.addEventListener("dragleave", () => form.classList.remove("over"));
    form.addEventListener("drop", (ev) => {
      ev.preventDefault();
      form.classList.remove("over");
      if (ev.dataTransfer.files.length) send(ev.dataTransfer.files[0]);
    });
  }

  // ------------------------------------------------------------ deck: tag filter and start

  function initDeck() {
    const controls = document.getElementById("deck-controls");
    if (!controls) return;
    const key = controls.dataset.deckKey;
    const filter = document.getElementById("tag-filter");
    let chosenTag = "";
    const error = document.getElementById("start-error");
    const items = Array.from(document.querySelectorAll("li.question"));
    function ownTags(li) {
      return (li.dataset.tags || "").split("\n").filter(Boolean).map((t) => t.toLowerCase());
    }
    function applyTag(tagButton) {
      chosenTag = tagButton.dataset.tag;
      for (const b of filter.querySelectorAll("button[data-tag]")) {
        b.setAttribute("aria-pressed", b === tagButton ? "true" : "false");
      }
      const tag = chosenTag.toLowerCase();
      // follow-ups inherit their top question's tags; a question stays when a follow-up matches
      for (const li of items.slice().reverse()) {
        let tags = ownTags(li);
        const top = li.closest("ul.questions > li");
        if (top && top !== li) tags = tags.concat(ownTags(top));
        li.hidden = Boolean(tag) && !tags.includes(tag) && !li.querySelector("li.question:not([hidden])");
      }
    }
    if (filter) {
      for (const b of filter.querySelectorAll("button[data-tag]")) b.addEventListener("click", () => applyTag(b));
    }
    for (const button of controls.querySelectorAll("button[data-mode]")) {
      button.addEventListener("click", () => {
        const mode = button.dataset.mode;
        const ids = Array.from(document.querySelectorAll('input[name="qid"]:checked'))
          .filter((c) => !c.closest("li").hidden).map((c) => c.value);
        showError(error, "");
        button.disabled = true;
        post("/api/session", { deck: key, mode: mode, ids: ids, tag: chosenTag || null })
          .then((d) => { window.location.href = d.url; })
          .catch((e) => { showError(error, e.message); button.disabled = false; });
      });
    }
  }

  // ------------------------------------------------------------ practice: live session

  function initPractice() {
    const root = document.getElementById("practice");
    if (!root) return;
    const labels = JSON.parse(root.dataset.labels);
    const $ = (id) => document.getElementById(id);
    const state = $("record-state"), stateLabel = $("record-state-label");
    const meter = $("level-meter"), stop = $("stop"), errorBox = $("error");
    const feedback = $("feedback"), audio = $("answer-audio");
    let current = "idle", feedbackData = null;

    function setState(s) {
      current = s;
      state.textContent = s;
      state.dataset.state = s;
      if (stateLabel) stateLabel.textContent = (labels.state && labels.state[s]) || "";
      document.body.dataset.state = s;
      stop.disabled = s !== "recording";
      if (s === "recording") {
        feedback.hidden = true;
        stop.focus();
      }
      for (const id of ["next", "retry", "play"]) $(id).disabled = s !== "feedback";
      if (s === "done" || s === "error") { $("end").hidden = true; }
    }

    function showQuestion(q) {
      $("no-session").hidden = true;
      $("question-box").hidden = false;
      $("end").hidden = false;
      $("done").hidden = true;
      $("question-text").textContent = q.asked;
      $("question-count").textContent = labels.question + " " + q.index + " " + labels.of + " " + q.total;
      $("limit").textContent = q.time_limit_s ? Math.round(q.time_limit_s) : "-";
      $("elapsed").textContent = "0.0";
      setLevel(0);
      feedback.hidden = true;
      showError(errorBox, "");
    }

    function showFeedback(f) {
      feedbackData = f;
      $("score").textContent = f.score === null || f.score === undefined ? "-" : String(f.score);
      const words = (f.text && f.text[lang]) || { verdict: f.verdict, why: f.why, reasons: [] };
      $("verdict").textContent = words.verdict || "";
      const kps = $("key-points");
      kps.replaceChildren();
      const marks = { covered: "✓", partial: "~", missed: "✗" };
      f.key_points.forEach((kp, i) => {
        const li = el("li", "kp-" + kp.status);
        li.setAttribute("data-testid", "key-point");
        li.dataset.status = kp.status;
        const mark = el("span", "mark", marks[kp.status] || "?");
        mark.setAttribute("aria-hidden", "true");
        const status = (WORDS.status && WORDS.status[kp.status]) || kp.status;
        li.append(mark, el("span", "visually-hidden", status + ":"), el("span", null, kp.text));
        li.lastChild.dir = "auto";
        const reason = (words.reasons || [])[i];
        if (reason) {
          const r = el("span", "reason", reason);
          r.setAttribute("data-testid", "key-point-reason");
          r.dir = "auto";
          li.append(" ", r);
        }
        if (kp.evidence && kp.reason !== "negated") {
          const q = el("q", "evidence", kp.evidence);
          q.dir = "auto";
          li.append(" ", q);
        }
        kps.append(li);
      });
      $("m-time").textContent = clock(f.duration_s) + (f.time_limit_s ? " / " + clock(f.time_limit_s) : "")
        + (f.over_time ? " !" : "");
      const unit = (WORDS.unit && WORDS.unit[f.pace_unit]) || f.pace_unit || "";
      const band = (WORDS.band && WORDS.band[f.pace_band]) || f.pace_band;
      const s = WORDS.s || " s";
      $("m-pace").textContent = f.pace === null || f.pace === undefined ? "-"
        : Math.round(f.pace) + " " + unit + (band ? " (" + band + ")" : "");
      $("m-fillers").textContent = f.fillers === null || f.fillers === undefined ? "-"
        : f.fillers + (f.fillers_per_minute !== null && f.fillers_per_minute !== undefined
          ? " (" + f.fillers_per_minute.toFixed(1) + (WORDS.per_min || "/min") + ")" : "");
      $("m-pauses").textContent = f.pauses === null || f.pauses === undefined ? "-"
        : f.pauses + (f.longest_pause_s !== null && f.longest_pause_s !== undefined
          ? " (" + (WORDS.longest || "max") + " " + f.longest_pause_s.toFixed(1) + s + ")" : "");
      $("m-first").textContent = f.first_word_s === null || f.first_word_s === undefined ? "-"
        : f.first_word_s.toFixed(1) + s;
      $("why").textContent = words.why || "";
      const diff = $("diff");
      diff.replaceChildren();
      for (const d of f.diff) {
        diff.append(el(d.op === "missed" ? "del" : d.op === "added" ? "ins" : "span", null, d.text));
      }
      $("transcript").textContent = f.transcript || "";
      $("attempt-link").href = "/attempts/" + encodeURIComponent(f.attempt_id);
      audio.removeAttribute("src");
      feedback.hidden = false;
      $("next").focus({ preventScroll: true });
      feedback.scrollIntoView({ block: "nearest" });
    }

    function command(name) {
      return post("/api/session/" + name).catch((e) => showError(errorBox, e.message));
    }

    // the key points said so far, while the answer is spoken (when the toggle is on)
    const liveBox = $("live"), livePoints = $("live-points"), liveToggle = $("live-toggle");
    const liveMarks = { covered: "✓", partial: "~", missed: "○" };
    function hideLive() {
      liveBox.hidden = true;
      livePoints.replaceChildren();
    }
    function showLive(d) {
      if (!liveToggle.checked) return;
      livePoints.replaceChildren();
      for (const kp of d.key_points) {
        const li = el("li", "kp-" + kp.status);
        li.setAttribute("data-testid", "live-point");
        li.dataset.status = kp.status;
        const mark = el("span", "mark", liveMarks[kp.status] || "?");
        mark.setAttribute("aria-hidden", "true");
        const text = el("span", null, kp.text);
        text.dir = "auto";
        const status = (WORDS.status && WORDS.status[kp.status]) || kp.status;
        li.append(mark, el("span", "visually-hidden", status + ":"), text);
        livePoints.append(li);
      }
      liveBox.hidden = false;
    }
    liveToggle.addEventListener("change", () => {
      const on = liveToggle.checked;
      if (!on) hideLive();
      post("/api/live", { live: on }).catch((e) => showError(errorBox, e.message));
    });

    stop.addEventListener("click", () => command("stop"));
    $("next").addEventListener("click", () => command("next"));
    $("retry").addEventListener("click", () => command("retry"));
    $("end").addEventListener("click", () => command("end"));
    $("play").addEventListener("click", () => {
      if (!feedbackData) return;
      audio.src = "/audio/" + encodeURIComponent(feedbackData.attempt_id);
      audio.play().catch(() => {});
    });

    document.addEventListener("keydown", (ev) => {
      if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
      if (current === "recording" && (ev.key === " " || ev.key === "Enter")) {
        ev.preventDefault();
        command("stop");
      }
    });

    const source = new EventSource("/events");
    const on = (name, fn) => source.addEventListener(name, (ev) => fn(JSON.parse(ev.data)));
    on("session", (s) => {
      $("deck-title").textContent = s.title;
      for (const id of ["deck-title", "question-text", "key-points", "live-points", "diff", "transcript"]) $(id).lang = s.language;
      $("no-session").hidden = true;
      $("question-box").hidden = false;
    });
    on("state", (s) => setState(s.state));
    on("question", (q) => { hideLive(); showQuestion(q); });
    on("recording", (r) => {
      hideLive();
      if (r.time_limit_s) $("limit").textContent = Math.round(r.time_limit_s);
    });
    on("live", showLive);
    // the level as a meter does it: up at once, down smoothly (about ten levels a second arrive)
    let level = 0, shown = 0, lastFrame = 0, frame = null;
    function drawLevel(t) {
      const dt = lastFrame ? Math.min(0.25, (t - lastFrame) / 1000) : 0;
      lastFrame = t;
      shown = level >= shown ? level : Math.max(level, shown - RELEASE_PER_S * dt);
      meter.value = shown;
      meter.textContent = String(Math.round(shown));
      if (shown > level) {
        frame = requestAnimationFrame(drawLevel);
      } else {
        frame = null;
        lastFrame = 0;
      }
    }
    function setLevel(value) {
      level = value;
      if (frame === null) frame = requestAnimationFrame(drawLevel);
    }
    on("progress", (p) => {
      setLevel(Math.max(0, Math.min(100, (p.level_db + 60) * 100 / 60)));
      $("elapsed").textContent = p.elapsed_s.toFixed(1);
    });
    on("recorded", () => setLevel(0));
    on("feedback", (f) => { hideLive(); showFeedback(f); });
    on("warning", (w) => $("warnings").append(el("li", null, said(w))));
    on("error", (e) => showError(errorBox, said(e)));
    on("done", (d) => {
      $("done").hidden = false;
      $("average").textContent = d.average_score === null || d.average_score === undefined ? ""
        : document.getElementById("t-average").textContent + ": " + d.average_score;
    });
    window.addEventListener("beforeunload", () => source.close());
  }

  // ------------------------------------------------------------ settings: devices and voices after paint

  function initSettings() {
    const form = document.getElementById("settings-form");
    if (!form) return;
    const labels = JSON.parse(form.dataset.labels);
    const stateBox = document.getElementById("devices-state");
    const errorBox = document.getElementById("devices-error");

    // the choice in the select (the saved one, or one made meanwhile) stays chosen, listed or not
    function fill(select, first, groups) {
      const keep = select.value;
      const keepText = select.selectedIndex >= 0 ? select.options[select.selectedIndex].textContent : keep;
      select.replaceChildren(new Option(first, ""));
      let found = keep === "";
      for (const g of groups) {
        let parent = select;
        if (g.label) {
          parent = document.createElement("optgroup");
          parent.label = g.label;
          select.append(parent);
        }
        for (const [value, text] of g.options) {
          parent.append(new Option(text, value));
          if (value === keep) found = true;
        }
      }
      if (!found) select.append(new Option(keepText + " (" + labels.not_listed + ")", keep));
      select.value = keep;
      select.removeAttribute("aria-busy");
    }

    function show(d) {
      const devices = d.devices || [];
      for (const [id, kind] of [["input_device", "input"], ["output_device", "output"]]) {
        const options = devices.filter((x) => x[kind]).map((x) => [String(x.index),
          x.index + ": " + x.name + (x["default_" + kind] ? " (" + labels.default + ")" : "")]);
        fill(document.getElementById(id), labels.default, [{ label: null, options: options }]);
      }
      const voices = d.voices || {};
      const defaults = [], groups = [];
      for (const lang of ["en", "ko"]) {
        const v = voices[lang];
        if (!v) continue;
        const named = (v.voices || []).find((x) => x.id === v.default);
        if (v.default) defaults.push(labels.languages[lang] + ": " + (named ? named.name : v.default));
        groups.push({ label: labels.languages[lang], options: (v.voices || []).map((x) => [x.id,
          x.name + " (" + x.id + ")" + (x.id === v.default ? " · " + labels.voice_default_is : "")]) });
      }
      fill(document.getElementById("voice"),
        labels.voice_default + (defaults.length ? " (" + defaults.join(", ") + ")" : ""), groups);
      const errors = [];
      if (d.device_error) errors.push(labels.no_devices + ": " + d.device_error);
      if (d.voice_error) errors.push(labels.no_voices + ": " + d.voice_error);
      for (const lang of ["en", "ko"]) if (voices[lang] && voices[lang].error) errors.push(voices[lang].error);
      showError(errorBox, errors.join(" "));
      stateBox.textContent = "";
      stateBox.hidden = true;
      form.dataset.listed = "true";
    }

    function load() {
      fetch("/api/devices", { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(async (r) => {
          const d = await r.json().catch(() => ({}));
          if (!r.ok) throw new Error(d.error || failed(r.status));
          if (d.ready) show(d); else load();  // still listing: ask again
        })
        .catch((e) => {
          stateBox.hidden = true;
          showError(errorBox, labels.no_devices + ": " + e.message);
        });
    }
    load();
  }

  // ------------------------------------------------------------ playback: words follow the audio

  function initPlayback() {
    for (const section of document.querySelectorAll("section.playback")) {
      const player = section.querySelector("audio.player");
      if (!player) continue;
      const playButton = section.querySelector("button.play");
      if (playButton) {
        playButton.addEventListener("click", () => {
          if (player.paused) {
            // one answer at a time: A/B pauses the other side
            for (const other of document.querySelectorAll("audio")) if (other !== player) other.pause();
            player.play().catch(() => {});
          } else {
            player.pause();
          }
        });
      }
      const words = Array.from(section.querySelectorAll(".word[data-start]"));
      if (!words.length) continue;
      const starts = words.map((w) => parseFloat(w.dataset.start));
      let currentWord = null;
      function mark() {
        const t = player.currentTime;
        let i = -1;
        for (let k = 0; k < starts.length; k++) { if (starts[k] <= t + 0.01) i = k; else break; }
        const next = i >= 0 ? words[i] : null;
        if (next === currentWord) return;
        if (currentWord) currentWord.removeAttribute("aria-current");
        if (next) next.setAttribute("aria-current", "true");
        currentWord = next;
      }
      player.addEventListener("timeupdate", mark);
      player.addEventListener("seeked", mark);
      let raf = null;
      const tick = () => { mark(); raf = player.paused ? null : requestAnimationFrame(tick); };
      player.addEventListener("play", () => { if (!raf) raf = requestAnimationFrame(tick); });
      for (const w of words) {
        const seek = () => {
          player.currentTime = parseFloat(w.dataset.start);
          mark();
          player.play().catch(() => {});
        };
        w.addEventListener("click", seek);
        w.addEventListener("keydown", (ev) => {
          if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); seek(); }
        });
      }
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    initDecks();
    initDeck();
    initPractice();
    initSettings();
    initPlayback();
  });
})();
