// Progressive enhancement of the personalize form. Without JavaScript the form posts, the
// server remembers the reading level in a cookie and redirects to the article's page in that
// level. With JavaScript the same POST is sent in the background; the browser follows the
// redirect to that page (usually from the nearest shared cache), its text is swapped in place and
// the address bar shows the page's own address. Focus stays on the chosen option, so keyboard
// users can move between options freely.
(function () {
  "use strict";
  const SWAPPED = [".article-body", ".references", ".disclaimer"];

  function swap(html) {
    const page = new DOMParser().parseFromString(html, "text/html");
    SWAPPED.forEach((selector) => {
      const current = document.querySelector(selector);
      const fresh = page.querySelector(selector);
      if (current && fresh) {
        current.replaceWith(fresh);
      }
    });
  }

  document.querySelectorAll("form[data-autosubmit]").forEach((form) => {
    const button = form.querySelector("[data-autosubmit-button]");
    const status = form.querySelector("[data-autosubmit-status]");
    if (button) {
      button.hidden = true;
    }
    let latest = 0;
    form.addEventListener("change", async () => {
      const chosen = form.querySelector("input[name=level]:checked");
      const request = ++latest;
      try {
        const response = await fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          credentials: "same-origin",
          redirect: "follow",
        });
        if (!response.ok) {
          throw new Error(response.statusText);
        }
        const html = await response.text();
        if (request !== latest) {
          return; // the reader has already picked another level
        }
        swap(html);
        if (status && chosen) {
          status.textContent = "Showing the version for: " + chosen.parentElement.textContent.trim();
        }
        history.replaceState(null, "", response.url);
      } catch (error) {
        form.submit();
      }
    });
  });
})();
