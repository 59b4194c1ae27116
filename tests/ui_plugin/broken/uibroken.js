// Throws while Stash loads it, as a plugin script with a bug would.
(function () {
  "use strict";
  throw new Error("uibroken: thrown on purpose");
})();
