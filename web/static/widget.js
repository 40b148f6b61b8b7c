/* Écoute web widget: a feedback dialogue on any page, in one line:
 *   <script src="https://HOST/widget.js" data-survey="nps" data-lang="fr" async></script>
 * Optional attributes: data-survey (else a menu of surveys), data-lang (else the page's
 * or the browser's language), data-context (where the visitor is, e.g. shop12),
 * data-mode="page" (the survey inline on the page instead of a floating bubble).
 * No framework and no third-party request: it only talks to the server it came from.
 * It lives in a Shadow DOM; server text is always inserted as text, never as HTML.
 * The visitor is a random id in localStorage (no cookie): an unfinished conversation
 * resumes after a reload or on another page; starting one sends the browser's timezone.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__ecouteWidget) return;
  window.__ecouteWidget = true;

  var STRINGS = {
    en: {
      open: "Feedback", title: "Your feedback", close: "Close", send: "Send",
      answer: "Your answer", placeholder: "Type your answer…", you: "You",
      answers: "Answers", log: "Conversation",
      progress: "Question {current} of {total}",
      error: "Something went wrong. Please try again.",
      slow: "Too many messages at once. Please wait a moment and try again.",
      long: "Your answer is too long: please shorten it to {max} characters.",
      offline: "Cannot reach the server. Check your connection and try again.",
      news: "You said, we did: what changed"
    },
    fr: {
      open: "Votre avis", title: "Votre avis", close: "Fermer", send: "Envoyer",
      answer: "Votre réponse", placeholder: "Écrivez votre réponse…", you: "Vous",
      answers: "Réponses", log: "Conversation",
      progress: "Question {current} sur {total}",
      error: "Un problème est survenu. Veuillez réessayer.",
      slow: "Trop de messages à la fois. Patientez un instant puis réessayez.",
      long: "Votre réponse est trop longue : raccourcissez-la à {max} caractères.",
      offline: "Le serveur est injoignable. Vérifiez votre connexion et réessayez.",
      news: "Vous avez dit, nous avons fait : ce qui a changé"
    }
  };

  var data = script.dataset;
  var base = new URL(script.src, location.href).origin + "/api/widget/v1";
  var lang = language(data.lang || document.documentElement.lang || navigator.language);
  var T = STRINGS[lang];
  var zone = window.Intl ? Intl.DateTimeFormat().resolvedOptions().timeZone || null : null;
  var pageMode = data.mode === "page";
  var store = storage();
  var visitor = store.get("visitor") || newId();
  store.set("visitor", visitor);

  var conversation = store.get("conversation");
  var lastQuestion = null;
  var started = false, busy = false;
  var queued = false;  // an answer typed while a request was under way

  function language(hint) {
    return String(hint || "").toLowerCase().slice(0, 2) === "fr" ? "fr" : "en";
  }

  function storage() {
    var memory = {};
    function safe(fn, fallback) {
      try { return fn(); } catch (e) { return fallback; }
    }
    return {
      get: function (key) {
        return safe(function () { return localStorage.getItem("ecoute:" + key); },
                    memory[key] || null);
      },
      set: function (key, value) {
        memory[key] = value;
        safe(function () {
          if (value === null) localStorage.removeItem("ecoute:" + key);
          else localStorage.setItem("ecoute:" + key, value);
        });
      }
    };
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return (b + 256).toString(16).slice(1);
    }).join("");
  }

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var CSS = [
    ".news{display:block;padding:4px 12px 8px;font-size:13px;color:inherit}",
    ".w{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1b1b;",
    "-webkit-text-size-adjust:100%;text-align:left;letter-spacing:normal}",
    ".w *{box-sizing:border-box;font:inherit;margin:0}",
    ".bubble{position:fixed;right:16px;bottom:16px;z-index:2147483647;display:flex;",
    "align-items:center;gap:8px;padding:12px 18px;border:0;border-radius:999px;",
    "background:#1d4f91;color:#fff;font-weight:600;cursor:pointer;",
    "box-shadow:0 4px 14px rgba(0,0,0,.3)}",
    ".bubble svg{width:20px;height:20px;fill:currentColor}",
    ".panel{position:fixed;right:16px;bottom:84px;z-index:2147483647;display:flex;",
    "flex-direction:column;width:min(380px,calc(100vw - 16px));",
    "height:min(560px,calc(100vh - 100px));background:#fff;border:1px solid #b8bfc9;",
    "border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);overflow:hidden;",
    "animation:rise .18s ease-out}",
    ".panel[hidden]{display:none}",
    "@keyframes rise{from{opacity:0;transform:translateY(12px)}to{opacity:1;transform:none}}",
    ".page .panel{position:static;width:100%;height:min(620px,80vh);box-shadow:none}",
    "header{display:flex;align-items:center;justify-content:space-between;",
    "padding:10px 12px;background:#1d4f91;color:#fff}",
    "h2{font-size:16px;font-weight:700}",
    ".close{border:0;background:transparent;color:#fff;font-size:24px;line-height:1;",
    "width:36px;height:36px;border-radius:6px;cursor:pointer}",
    ".prog{padding:8px 12px 0;font-size:13px;color:#3d4551}",
    ".prog[hidden]{display:none}",
    "progress{display:block;width:100%;height:6px;accent-color:#1d4f91}",
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px}",
    ".msg{max-width:88%;padding:8px 11px;border-radius:12px;white-space:pre-line;",
    "overflow-wrap:anywhere;background:#eef1f5;align-self:flex-start}",
    ".msg.me{align-self:flex-end;background:#1d4f91;color:#fff}",
    ".msg.notice{background:#fff4d6;color:#4a3500}",
    ".choices{display:flex;flex-wrap:wrap;gap:6px;padding:0 8px 8px}",
    ".choices:empty{display:none}",
    ".choices.scale{flex-wrap:nowrap;gap:2px}",
    ".choices button{flex:1 1 auto;min-height:40px;padding:6px 10px;border:1px solid #1d4f91;",
    "border-radius:8px;background:#fff;color:#1d4f91;font-weight:600;cursor:pointer}",
    ".choices.scale button{flex:1 1 0;min-width:0;padding:6px 0}",
    ".choices button:hover{background:#e3ebf6}",
    "form{display:flex;gap:6px;padding:8px;border-top:1px solid #d6dbe1}",
    "textarea{flex:1;min-width:0;resize:none;padding:8px;border:1px solid #6b7480;",
    "border-radius:8px;background:#fff;color:#1b1b1b}",
    "form button{padding:0 14px;border:0;border-radius:8px;background:#1d4f91;color:#fff;",
    "font-weight:600;cursor:pointer}",
    "button:disabled,textarea:disabled{opacity:.55;cursor:default}",
    ":focus-visible{outline:3px solid #0b0c0c;outline-offset:2px}",
    "header :focus-visible{outline-color:#fff;outline-offset:-4px}",
    "@media (max-width:400px){.panel{right:8px;bottom:76px}.bubble{right:8px;bottom:8px}}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);",
    "white-space:nowrap}",
    "@media (prefers-reduced-motion:reduce){.panel{animation:none}.log{scroll-behavior:auto}}"
  ].join("");

  var host = el("ecoute-widget");
  host.setAttribute("style", "all:initial !important;display:block !important");
  var root = host.attachShadow({mode: "open"});
  var style = el("style", {}, CSS);
  var wrap = el("div", {class: pageMode ? "w page" : "w", lang: lang});
  var bubble = el("button", {class: "bubble", type: "button", "aria-expanded": "false",
                             "aria-controls": "panel"});
  var SVG = "http://www.w3.org/2000/svg";
  var icon = document.createElementNS(SVG, "svg");
  var path = document.createElementNS(SVG, "path");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("aria-hidden", "true");
  path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5" +
                    "a2 2 0 0 1 2-2z");
  icon.appendChild(path);
  bubble.appendChild(icon);
  bubble.appendChild(el("span", {}, T.open));
  var panel = el("section", {class: "panel", id: "panel", role: pageMode ? "region" : "dialog",
                             "aria-labelledby": "title"});
  var header = el("header");
  header.appendChild(el("h2", {id: "title"}, T.title));
  var close = el("button", {class: "close", type: "button", "aria-label": T.close}, "×");
  var prog = el("div", {class: "prog", hidden: ""});
  var progText = el("p", {id: "progtext"});
  var progBar = el("progress", {"aria-labelledby": "progtext"});
  var log = el("div", {class: "log", role: "log", "aria-live": "polite",
                       "aria-label": T.log});
  var choices = el("div", {class: "choices", role: "group", "aria-label": T.answers});
  var form = el("form");
  var input = el("textarea", {id: "text", rows: "2", placeholder: T.placeholder,
                              maxlength: "1000"});
  var send = el("button", {type: "submit"}, T.send);

  prog.appendChild(progText);
  prog.appendChild(progBar);
  form.appendChild(el("label", {class: "sr", for: "text"}, T.answer));
  form.appendChild(input);
  form.appendChild(send);
  if (!pageMode) header.appendChild(close);
  // The public "you said, we did" page, in a new tab (it holds no personal data).
  var news = el("a", {class: "news", target: "_blank", rel: "noopener",
    href: new URL(script.src, location.href).origin + "/you-said-we-did?lang=" + lang}, T.news);
  [header, prog, log, choices, form, news].forEach(function (part) { panel.appendChild(part); });
  if (!pageMode) {
    panel.hidden = true;
    wrap.appendChild(bubble);
  }
  wrap.appendChild(panel);
  root.appendChild(style);
  root.appendChild(wrap);

  function say(text, kind) {
    var node = el("p", {class: "msg" + (kind ? " " + kind : "")}, text);
    log.appendChild(node);
    log.scrollTop = log.scrollHeight;
  }

  function setProgress(progress) {
    prog.hidden = !progress;
    if (!progress) return;
    progText.textContent = format(T.progress, progress);
    progBar.max = progress.total;
    progBar.value = progress.current;
  }

  function showChoices(message) {
    choices.textContent = "";
    choices.className = "choices" + (message.expects === "scale" ? " scale" : "");
    (message.choices || []).forEach(function (choice) {
      var button = el("button", {type: "button"}, choice.label);
      button.addEventListener("click", function () { tap(message, choice); });
      choices.appendChild(button);
    });
  }

  function show(reply, focus) {
    if (reply.conversation) {
      conversation = reply.conversation;
      store.set("conversation", conversation);
    }
    var messages = reply.messages || [];
    messages.forEach(function (m) {
      say(m.text, m.kind === "notice" || m.kind === "reask" ? "notice" : "");
    });
    var last = messages[messages.length - 1];
    if (last) {
      lastQuestion = last;
      showChoices(last);
      setProgress(last.progress);
      input.maxLength = last.max_length || 1000;
    }
    if (focus !== false) focusAnswer();
  }

  function focusAnswer() {
    if (panel.hidden) return;
    // Words being typed keep the focus: Enter sends them rather than pressing a button
    // that arrived meanwhile (a menu late on a slow phone would start a survey).
    if (input.value.trim()) return input.focus();
    var first = choices.querySelector("button");
    (lastQuestion && lastQuestion.expects !== "text" && first ? first : input).focus();
  }

  function request(method, path, body) {
    var options = {method: method,
      headers: {"Content-Type": "application/json", "X-Ecoute-Visitor": visitor}};
    if (body) options.body = JSON.stringify(body);
    return fetch(base + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (!response.ok) {
          var error = new Error(json.error || "http " + response.status);
          error.status = response.status;
          error.body = json;
          throw error;
        }
        return json;
      });
    });
  }

  function post(path, body) {
    // The same client message id on a retry: the server applies it once.
    body.client_message_id = body.client_message_id || newId();
    return request("POST", path, body).catch(function (error) {
      if (error.status) throw error;
      return new Promise(function (resolve) { setTimeout(resolve, 1000); }).then(function () {
        return request("POST", path, body);
      });
    });
  }

  function failed(error) {
    if (error.status === 429) say(T.slow, "notice");
    else if (error.body && error.body.error === "text_too_long") {
      say(format(T.long, {max: input.maxLength}), "notice");
    } else if (error.status === 403 || error.status === 404) {
      store.set("conversation", null);
      conversation = null;
      say(T.error, "notice");
    } else say(error.status ? T.error : T.offline, "notice");
  }

  function busyWith(promise) {
    busy = true;
    log.setAttribute("aria-busy", "true");
    send.disabled = true;
    return promise.catch(failed).then(function () {
      busy = false;
      log.removeAttribute("aria-busy");
      send.disabled = false;
      var again = queued;  // an answer typed while busy goes now, to the question now shown
      queued = false;
      if (again) form.requestSubmit();
    });
  }

  function start(survey) {  // busy is its caller's: a tap, an answer or the whole opening
    return post("/conversations", {
      visitor: visitor, survey: survey || null, language: lang, timezone: zone,
      context: data.context || null
    }).then(show);
  }

  function invited(ref) {
    // An invitation from the inbox: its answer starts the conversation. A question about
    // the visitor's complaint, an announcement or a call for participants is answered the same way.
    return !!ref && /^(invite|complaint|announce|call):/.test(ref);
  }

  function answer(fields, echo) {
    if (busy) return;
    say(echo, "me");
    choices.textContent = "";
    fields.visitor = visitor;
    fields.language = lang;
    if (invited(fields.ref)) {
      busyWith(post("/conversations", Object.assign({timezone: zone}, fields)).then(show));
      return;
    }
    if (!conversation) {
      busyWith(start(null));
      return;
    }
    busyWith(post("/conversations/" + encodeURIComponent(conversation) + "/messages", fields)
      .then(show));
  }

  function tap(message, choice) {
    if (busy) return;
    if (choice.id.indexOf("survey:") === 0) {
      say(choice.label, "me");
      choices.textContent = "";
      busyWith(start(choice.id.slice(7)));
      return;
    }
    answer({choice_id: choice.id, ref: message.ref}, choice.label);
  }

  function resume() {
    return request("GET", "/conversations/" + encodeURIComponent(conversation)).then(function (reply) {
      if (reply.active) show(reply);
      else return start(data.survey);
    }, function () { return start(data.survey); });
  }

  function begin() {
    if (started) return focusAnswer();
    started = true;
    // Busy from the inbox to the first question: what the visitor sends meanwhile waits
    // for the question it answers, instead of racing the opening's own requests.
    busyWith(request("POST", "/inbox", {visitor: visitor}).then(function (reply) {
      show(reply, false);
    }, function () {}).then(function () {
      if (invited(lastQuestion && lastQuestion.ref)) return focusAnswer();
      return conversation ? resume() : start(data.survey);
    }));
  }

  function toggle(open) {
    panel.hidden = !open;
    bubble.setAttribute("aria-expanded", String(open));
    if (open) begin();
    else bubble.focus();
  }

  bubble.addEventListener("click", function () { toggle(panel.hidden); });
  close.addEventListener("click", function () { toggle(false); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !pageMode) toggle(false);
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    if (busy) { queued = true; return; }  // kept in the box, sent once the widget is free
    input.value = "";
    answer({text: text, ref: lastQuestion && lastQuestion.ref}, text);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  function mount() {
    if (pageMode && script.parentNode) script.parentNode.insertBefore(host, script);
    else document.body.appendChild(host);
    if (pageMode) begin();
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
