// Redmark: enhancements of the everyday flows (issue 8). Every control
// works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Quantity steppers: − and + change the number in place. In the cart
  // (data-autosubmit) the form is then sent once the clicks settle; the
  // buttons' own step would be counted twice, so the input carries it.
  document.querySelectorAll("[data-stepper]").forEach(function (st) {
    var input = st.querySelector("input");
    var btns = st.querySelectorAll("[data-step]");
    var timer;
    function sync() {
      var v = +input.value;
      btns[0].disabled = v <= (+input.min || 1);
      btns[1].disabled = input.max !== "" && v >= +input.max;
    }
    btns.forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function (ev) {
        ev.preventDefault();
        var lo = +input.min || 1, hi = input.max === "" ? 99 : +input.max;
        var v = Math.min(hi, Math.max(lo, (parseInt(input.value, 10) || lo) + +b.dataset.step));
        if (String(v) === input.value) return;
        input.value = v;
        sync();
        if (st.hasAttribute("data-autosubmit")) {
          clearTimeout(timer);
          timer = setTimeout(function () { input.form.requestSubmit(); }, 450);
        }
      });
    });
    if (st.hasAttribute("data-autosubmit")) {
      input.addEventListener("change", function () { input.form.requestSubmit(); });
    }
    input.addEventListener("input", sync);
    sync();
  });
})();

// Note carousel: scroll-snap swipes (app.js keeps the dots); the counter
// follows, and arrows step through the images where there is a pointer.
(function () {
  "use strict";
  document.querySelectorAll(".note-media .swipe").forEach(function (swipe) {
    var box = swipe.parentNode;
    var count = box.querySelector(".swipe-count b");
    var arrows = box.querySelectorAll("[data-swipe]");
    var n = swipe.children.length;
    if (n < 2) return;
    function at() { return Math.round(swipe.scrollLeft / swipe.clientWidth); }
    function sync() {
      var i = at();
      if (count) count.textContent = String(i + 1);
      arrows.forEach(function (a) { a.disabled = +a.dataset.swipe < 0 ? i === 0 : i === n - 1; });
    }
    arrows.forEach(function (a) {
      a.hidden = false;
      a.addEventListener("click", function () {
        swipe.scrollTo({ left: (at() + +a.dataset.swipe) * swipe.clientWidth, behavior: "smooth" });
      });
    });
    swipe.addEventListener("scroll", sync, { passive: true });
    sync();
  });

  // The bar's "say something" pill opens the comment box, keyboard up.
  var pill = document.querySelector(".bar-comment[href='#comment-form']");
  var box = document.querySelector("#comment-form textarea");
  if (pill && box) {
    pill.addEventListener("click", function (ev) {
      ev.preventDefault();
      box.scrollIntoView({ block: "center" });
      box.focus();
    });
  }
})();
