/* The review screen without reloads.

   The page works as plain HTML forms and links (each POST redirects back to an anchor). With
   JavaScript, the same forms and filter links are fetched instead and the page's changing part,
   #review-main, is swapped for the one in the answer, keeping the claim in view where it was.
   Keys: j / k move between claims, a approves the current claim and goes on to the next undecided
   one, r opens its change request. A comment box (a claim's "Request changes…", "Decline…") takes
   every letter typed: the keys never act while focus is in a text field or such a box is open,
   and opening one, by mouse or key, puts focus in it. Esc closes it and keeps its text.
   After a decision the toast offers Undo for a few seconds: a button (no key), which sends the
   claim's own "Undo my decision" form; a decision changed by "Change decision…" is never a key. */
(function () {
  "use strict";

  if (!document.getElementById("review-main")) {
    return;
  }

  let current = null; // the claim that j, k, a and r act on
  let busy = false;

  function main() {
    return document.getElementById("review-main");
  }

  function claims() {
    return Array.from(main().querySelectorAll("[data-claim]"));
  }

  let toastTimer = null;

  function announce(text) {
    const toast = document.getElementById("review-toast");
    if (toast && text) {
      toast.textContent = text;
      window.clearTimeout(toastTimer);
      toastTimer = window.setTimeout(function () {
        toast.textContent = "";
      }, 6000);
    }
  }

  const UNDO_SECONDS = 8;
  let undoTimer = null;

  function hideUndo() {
    const undo = document.getElementById("review-undo");
    window.clearTimeout(undoTimer);
    if (undo) {
      undo.hidden = true;
      delete undo.dataset.form;
    }
  }

  /* Offer Undo for the decision just made on `claim`, if the answer's page allows it. */
  function offerUndo(claim) {
    const undo = document.getElementById("review-undo");
    const form = claim ? claim.querySelector("form[data-undo-form]") : null;
    if (!undo || !form) {
      hideUndo();
      return;
    }
    undo.dataset.form = form.id;
    undo.querySelector("button").setAttribute(
      "aria-label",
      "Undo the decision on " + claim.id.replace("claim-", "claim ")
    );
    undo.hidden = false;
    window.clearTimeout(undoTimer);
    undoTimer = window.setTimeout(hideUndo, UNDO_SECONDS * 1000);
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest ? event.target.closest("[data-undo-now]") : null;
    if (!button) {
      return;
    }
    const undo = document.getElementById("review-undo");
    const form = undo && undo.dataset.form ? document.getElementById(undo.dataset.form) : null;
    hideUndo();
    if (form && !busy) {
      form.requestSubmit();
    }
  });

  function showKeysHelp() {
    document.querySelectorAll("[data-keys-help]").forEach(function (help) {
      help.hidden = false;
    });
  }

  function markCurrent(claim, scroll) {
    if (current) {
      current.classList.remove("is-current");
    }
    current = claim || null;
    if (!current) {
      return;
    }
    current.classList.add("is-current");
    current.focus({ preventScroll: true });
    if (scroll) {
      current.scrollIntoView({ block: "start" });
    }
  }

  function nextClaimId(claim) {
    const list = claims();
    const index = list.indexOf(claim);
    return index >= 0 && index + 1 < list.length ? list[index + 1].id : null;
  }

  /* The claims after `claim` in reading order, then those before it (ids): where "the next
     undecided claim" is looked for once the answer is in, even if a filter hid `claim`. */
  function idsAround(claim) {
    const ids = claims().map(function (each) {
      return each.id;
    });
    const index = ids.indexOf(claim.id);
    return ids.slice(index + 1).concat(ids.slice(0, Math.max(index, 0)));
  }

  function firstUndecided(ids) {
    for (const id of ids) {
      const claim = document.getElementById(id);
      if (claim && claim.hasAttribute("data-undecided") && main().contains(claim)) {
        return claim;
      }
    }
    return null;
  }

  function openCommentBox() {
    return document.querySelector("details[data-comment-box][open]");
  }

  function openBox(box) {
    box.open = true;
    const text = box.querySelector("textarea");
    if (text) {
      text.focus();
    }
  }

  function closeBoxes() {
    const focused = document.activeElement;
    document.querySelectorAll("details[data-comment-box][open]").forEach(function (box) {
      box.open = false;
      if (focused && box.contains(focused)) {
        box.querySelector("summary").focus();
      }
    });
  }

  /* What is written in the page's text boxes, so that swapping #review-main in loses none of it
     (a comment being typed while another decision is sent). Keyed by claim id, not number. */
  function draftKey(text) {
    const claim = text.form && text.form.querySelector("input[name=claim]");
    return claim ? "claim " + claim.value + " " + text.name : "#" + text.id;
  }

  function takeDrafts() {
    const drafts = new Map();
    main()
      .querySelectorAll("textarea")
      .forEach(function (text) {
        const box = text.closest("details[data-comment-box]");
        if (!text.value && !(box && box.open)) {
          return;
        }
        drafts.set(draftKey(text), {
          value: text.value,
          open: Boolean(box && box.open),
          focused: document.activeElement === text,
          start: text.selectionStart,
          end: text.selectionEnd,
        });
      });
    return drafts;
  }

  /* Put the drafts back; true when focus went back into one (the reviewer is still typing). */
  function restoreDrafts(drafts) {
    let refocused = false;
    main()
      .querySelectorAll("textarea")
      .forEach(function (text) {
        const draft = drafts.get(draftKey(text));
        if (!draft) {
          return;
        }
        text.value = draft.value;
        const box = text.closest("details[data-comment-box]");
        if (box && draft.open) {
          box.open = true;
        }
        if (draft.focused) {
          text.focus({ preventScroll: true });
          text.setSelectionRange(draft.start, draft.end);
          refocused = true;
        }
      });
    return refocused;
  }

  /* Put the answer's #review-main in place of ours; keep `keep` (an element id) where it was
     on screen. Returns false when the answer is not the review screen (then we navigate). */
  function swapIn(html, url, keepId) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const fresh = doc.getElementById("review-main");
    if (!fresh) {
      const refusal = doc.getElementById("refusal");
      if (refusal) {
        announce(refusal.textContent.trim());
        return false;
      }
      window.location.assign(url);
      return false;
    }
    const kept = keepId ? document.getElementById(keepId) : null;
    const top = kept ? kept.getBoundingClientRect().top : null;
    main().replaceWith(document.adoptNode(fresh));
    document.title = doc.title;
    showKeysHelp();
    const notes = Array.from(main().querySelectorAll(".review-note")).map(function (note) {
      return note.textContent.trim();
    });
    announce(notes.join(" "));
    const again = keepId ? document.getElementById(keepId) : null;
    if (again && top !== null) {
      window.scrollBy(0, again.getBoundingClientRect().top - top);
    }
    return true;
  }

  function setBusy(form, on) {
    form.classList.toggle("is-busy", on);
    form.querySelectorAll("button").forEach(function (button) {
      button.disabled = on;
    });
  }

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-review-form")) {
      return;
    }
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    const submitter = event.submitter || null;
    const body = new FormData(form, submitter);
    const claim = form.closest("[data-claim]");
    const container = claim || form.closest("section[id]");
    const keepId = container ? container.id : null;
    const followId = claim ? nextClaimId(claim) : null;
    const around = claim ? idsAround(claim) : [];
    const byKey = form.dataset.byKey === "true";
    delete form.dataset.byKey;
    const approving = submitter && submitter.hasAttribute("data-approve");
    const deciding = Boolean(submitter && submitter.name === "decision");
    hideUndo();
    setBusy(form, true);
    fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        return response.text().then(function (html) {
          // Every text box keeps what was typed; the one just sent only if it was refused.
          const drafts = takeDrafts();
          const sent = Array.from(form.querySelectorAll("textarea")).map(draftKey);
          if (!swapIn(html, response.url, keepId)) {
            setBusy(form, false);
            return;
          }
          let target = keepId ? document.getElementById(keepId) : null;
          const refused = Boolean(target && target.querySelector(".review-note.error"));
          if (deciding && !refused) {
            offerUndo(target);
          }
          if (!refused) {
            sent.forEach(function (key) {
              drafts.delete(key);
            });
          }
          if (restoreDrafts(drafts)) {
            return; // the reviewer is typing in a comment box: focus stays there
          }
          if (claim && approving && !refused) {
            // After an approval the next claim needing a decision is current (the legend says so).
            target = firstUndecided(around) || target;
            if (target && target.id !== keepId) {
              const toast = document.getElementById("review-toast");
              announce(
                ((toast && toast.textContent) || "") +
                  " Now on claim " + target.id.replace("claim-", "") + ", the next undecided."
              );
            }
          } else if (claim && !target && followId) {
            target = document.getElementById(followId);
          }
          if (target && target.hasAttribute("data-claim")) {
            markCurrent(target, byKey);
          } else if (target) {
            target.focus({ preventScroll: true });
          }
        });
      })
      .catch(function () {
        setBusy(form, false);
        announce("The server could not be reached; nothing was changed. Try again.");
      })
      .finally(function () {
        busy = false;
      });
  });

  function followLink(url, push) {
    return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        return response.text().then(function (html) {
          if (!swapIn(html, response.url, null)) {
            return;
          }
          if (push) {
            history.pushState({ review: true }, "", url);
          }
          current = null;
          const hash = new URL(url, window.location.href).hash;
          const target = hash ? document.getElementById(hash.slice(1)) : null;
          if (target && target.hasAttribute("data-claim")) {
            markCurrent(target, true);
          } else if (target) {
            target.scrollIntoView({ block: "start" });
          }
        });
      })
      .catch(function () {
        window.location.assign(url);
      });
  }

  document.addEventListener("click", function (event) {
    const link = event.target.closest ? event.target.closest("a[data-review-link]") : null;
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      return;
    }
    const url = new URL(link.href, window.location.href);
    if (url.pathname !== window.location.pathname) {
      return;
    }
    if (url.search === window.location.search && url.hash) {
      return; // an anchor on this very page: the browser scrolls there itself
    }
    event.preventDefault();
    followLink(url.href, true);
  });

  window.addEventListener("popstate", function () {
    followLink(window.location.href, false);
  });

  document.addEventListener("focusin", function (event) {
    const claim = event.target.closest ? event.target.closest("[data-claim]") : null;
    if (claim && claim !== current) {
      if (current) {
        current.classList.remove("is-current");
      }
      current = claim;
      current.classList.add("is-current");
    }
  });

  /* Opening a comment box by mouse (or Enter on its summary) puts focus in it at once, so the
     next letter typed is the comment's, not a shortcut's. Closing it is left to the browser. */
  document.addEventListener("click", function (event) {
    const summary = event.target.closest
      ? event.target.closest("details[data-comment-box] > summary")
      : null;
    if (summary && !summary.parentElement.open) {
      event.preventDefault();
      openBox(summary.parentElement);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    if (event.key === "Escape" && openCommentBox()) {
      event.preventDefault();
      closeBoxes();
      return;
    }
    const target = event.target;
    const inTextField =
      target.closest && target.closest("input, textarea, select, [contenteditable]");
    if (event.isComposing || inTextField) {
      return;
    }
    const key = event.key;
    if (key !== "j" && key !== "k" && key !== "a" && key !== "r") {
      return;
    }
    const list = claims();
    if (!list.length) {
      return;
    }
    event.preventDefault();
    if (openCommentBox()) {
      // A comment is being written: a stray letter must never decide or move anything.
      announce("Keys are off while a comment box is open: Esc closes it, keeping its text.");
      return;
    }
    if (busy) {
      announce("Still sending the last action; nothing else was done.");
      return;
    }
    if (current && !document.body.contains(current)) {
      current = null;
    }
    if (key === "j" || key === "k") {
      const index = list.indexOf(current);
      let next;
      if (index < 0) {
        next = key === "j" ? 0 : list.length - 1;
      } else {
        next = Math.min(list.length - 1, Math.max(0, index + (key === "j" ? 1 : -1)));
      }
      markCurrent(list[next], true);
      return;
    }
    if (!current) {
      markCurrent(list[0], true);
    }
    const carried = current.querySelector("details.carried-over");
    if (carried) {
      carried.open = true;
    }
    if (key === "a") {
      const button = current.querySelector("[data-approve]");
      if (button) {
        button.form.dataset.byKey = "true";
        button.form.requestSubmit(button);
      } else {
        announce("This claim cannot be approved now.");
      }
      return;
    }
    const request = current.querySelector("details.request-changes");
    if (request) {
      openBox(request);
    } else {
      announce("Changes cannot be requested on this claim now.");
    }
  });

  showKeysHelp();
})();
