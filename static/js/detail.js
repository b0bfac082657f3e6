// Practice page. Without this script the page works the same: e-mail addresses read
// "user (at) domain" and the page's address is in a field to copy from.
// - A contact's e-mail address, in parts in the page, becomes an ordinary mailto link.
// - The share button opens the device's share menu where there is one (Web Share API) and
//   otherwise copies the page's address, saying so in a status message screen readers announce.
(function () {
  "use strict";

  function emailLinks() {
    var addresses = document.querySelectorAll(".js-email");
    Array.prototype.forEach.call(addresses, function (element) {
      var user = element.querySelector(".email__user");
      var domain = element.querySelector(".email__domain");
      if (!user || !domain) {
        return;
      }
      var address = user.textContent.trim() + "@" + domain.textContent.trim();
      var link = document.createElement("a");
      link.href = "mailto:" + address;
      link.textContent = address;
      element.textContent = "";
      element.appendChild(link);
      element.classList.remove("js-email");
    });
  }

  function shareButton() {
    var button = document.getElementById("share-button");
    var status = document.getElementById("share-status");
    if (!button || !status) {
      return;
    }
    var url = button.getAttribute("data-url");
    var title = button.getAttribute("data-title");
    var canShare = typeof navigator.share === "function";
    var canCopy = !!(navigator.clipboard && navigator.clipboard.writeText);
    if (!canShare && !canCopy) {
      return;
    }

    function say(message) {
      // Emptied first, so that the same message twice is announced twice.
      status.textContent = "";
      window.setTimeout(function () {
        status.textContent = message;
      }, 50);
    }

    function copy() {
      if (!canCopy) {
        say(button.getAttribute("data-failed"));
        return;
      }
      navigator.clipboard.writeText(url).then(
        function () {
          say(button.getAttribute("data-copied"));
        },
        function () {
          say(button.getAttribute("data-failed"));
        }
      );
    }

    button.textContent = button.getAttribute(canShare ? "data-label-share" : "data-label-copy");
    button.hidden = false;
    button.addEventListener("click", function () {
      if (!canShare) {
        copy();
        return;
      }
      navigator.share({ title: title, url: url }).catch(function (error) {
        // Closing the share menu is not a failure; anything else falls back to copying.
        if (!error || error.name !== "AbortError") {
          copy();
        }
      });
    });
  }

  emailLinks();
  shareButton();
})();
