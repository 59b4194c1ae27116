// The PlexSync page (/plexsync): Queue Status as a page, with Retry and Purge for dead letters,
// links to the scenes that need a person, Plex's health and Health Check; reached from a
// button in Stash's navigation bar (MainNavBar.UtilityItems, Stash v0.24.0 and later) and from
// PlexSync's settings (PluginSettings, v0.27.0 and later). /plexsync/scenes/<id> shows one
// scene's Plex panel, for a Stash without plugin tabs on the scene page (before v0.28.0).
// The path lies outside /plugin/, which Stash's server keeps for plugin files.
(function (ui) {
  "use strict";
  const { api, h, React } = ui;
  const { Alert, Badge, Button, Card, Table } = api.libraries.Bootstrap;
  const { Link, NavLink } = api.libraries.ReactRouterDOM;
  const PATH = "/plexsync";
  const TASKS = ["Process Queue", "Sync All Scenes", "Reconcile"];

  // A section as Stash's settings draw theirs (Settings/SettingSection.tsx): a heading and a
  // card.
  function Section(props) {
    return h("div", { className: "setting-section plexsync-section " + (props.className || "") },
      h("h1", null, props.title),
      h(Card, null, h(Card.Body, null, props.actions ? h("div",
        { className: "plexsync-section-actions mb-2" }, props.actions) : null, props.children)));
  }

  function Scene(props) {
    return h("span", null, h(ui.SceneLink, { id: props.id, title: props.title }),
      props.tabs ? null : h(React.Fragment, null, " (",
        h(Link, { to: PATH + "/scenes/" + props.id }, "Plex status"), ")"));
  }

  function Overview(props) {
    const report = props.report;
    const queue = report.queue;
    const plex = report.plex;
    return h(Section, { title: "Overview", className: "plexsync-overview" },
      h("dl", { className: "details-list" },
        h("dt", null, "Queue"),
        h("dd", { className: "plexsync-queue" }, queue.waiting + " pending (" + queue.due +
          " due now, " + (queue.waiting - queue.due) + " waiting to retry), " + queue.taken +
          " in progress; background worker " + report.background_worker),
        h("dt", null, "Synced scenes"),
        h("dd", null, report.synced_scenes + "; last successful sync: " +
          (ui.when(report.last_successful_sync) || "never")),
        h("dt", null, "Plex"),
        h("dd", { className: "plexsync-plex" },
          h(Badge, { variant: plex.reachable ? "success" : "danger" },
            plex.reachable ? "reachable" : "not reachable"), " ",
          h(Badge, { variant: plex.circuit === "closed" ? "secondary" : "warning" },
            "circuit " + plex.circuit),
          plex.error ? h("div", { className: "text-danger" }, plex.error) : null,
          plex.last_error ? h("div", { className: "text-muted small" }, "Last outage: " +
            plex.last_error + " (" + ui.when(plex.last_error_at) + ")") : null)));
  }

  function Retrying(props) {
    if (!props.jobs.length) return null;
    return h(Section, { title: "Retrying", className: "plexsync-retrying" },
      h(Table, { size: "sm", borderless: true }, h("tbody", null, props.jobs.map(function (job) {
        return h("tr", { key: job.scene_id },
          h("td", null, h(Scene, { id: job.scene_id, title: job.title, tabs: props.tabs })),
          h("td", null, "attempt " + job.attempts),
          h("td", null, ui.when(job.next_attempt_at)),
          h("td", null, job.last_error));
      }))));
  }

  function DeadLetters(props) {
    const dead = props.report.dead_letters;
    const act = props.act;
    const all = dead.count ? h("span", null,
      h(Button, { size: "sm", className: "plexsync-retry-all mr-2",
        onClick: function () { act("dead_letters_retry", null); } }, "Retry all"),
      h(Button, { size: "sm", variant: "danger", className: "plexsync-purge-all",
        onClick: function () { act("dead_letters_purge", null); } }, "Purge all")) : null;
    return h(Section, { title: "Dead letters: " + dead.count, className: "plexsync-dead",
      actions: all },
      dead.count ? null : h("p", { className: "text-muted mb-0" },
        "None: no scene failed for good."),
      dead.groups.map(function (group) {
        return h("div", { key: group.reason, className: "plexsync-group",
          "data-reason": group.reason },
          h("h6", null, group.label + " (" + group.count + ")", " ",
            h(Button, { size: "sm", className: "plexsync-retry ml-2",
              onClick: function () { act("dead_letters_retry", group.reason); } }, "Retry"),
            h(Button, { size: "sm", variant: "danger", className: "plexsync-purge ml-2",
              onClick: function () { act("dead_letters_purge", group.reason); } }, "Purge")),
          h(Table, { size: "sm", borderless: true }, h("tbody", null, group.letters.map(function (letter) {
            return h("tr", { key: letter.scene_id },
              h("td", null, h(Scene, { id: letter.scene_id, title: letter.title,
                tabs: props.tabs })),
              h("td", null, letter.message),
              h("td", null, ui.when(letter.failed_at)));
          }))));
      }));
  }

  function SceneList(props) {
    const more = props.total > props.entries.length
      ? h("p", { className: "text-muted" }, "… and " + (props.total - props.entries.length) +
        " more") : null;
    return h(Section, { title: props.title + ": " + props.total, className: props.className },
      props.total ? null : h("p", { className: "text-muted mb-0" }, "None."),
      h("ul", { className: "list-unstyled mb-0" }, props.entries.map(function (entry) {
        return h("li", { key: entry.scene_id },
          h(Scene, { id: entry.scene_id, title: entry.title, tabs: props.tabs }), ": ",
          h("span", { className: "plexsync-file" }, props.describe(entry)));
      })), more);
  }

  function reviewText(entry) {
    if (entry.shared) {
      return "Plex item " + entry.shared.rating_key + " holds the files of scenes " +
        entry.shared.scenes.join(", ");
    }
    return "candidates " + entry.candidates.map(function (c) { return c.file; }).join(", ");
  }

  function HealthCheck() {
    const [state, setState] = React.useState({});
    function check() {
      setState({ busy: true });
      ui.run("health_check").then(function (result) { setState({ result: result }); },
        function (error) { setState({ error: error }); });
    }
    const result = state.result;
    return h(Section, { title: "Health Check", className: "plexsync-health",
      actions: h(Button, { size: "sm", className: "plexsync-health-run",
        disabled: Boolean(state.busy), onClick: check }, "Run Health Check") },
      state.busy ? h(ui.Loading, { text: "Checking…" }) : null,
      state.error ? h(ui.ErrorMessage, { error: state.error, what: "Health Check failed" }) : null,
      result ? h(Alert, { variant: result.ok ? "success" : "danger",
        className: "plexsync-health-verdict" },
      result.ok ? "Everything is in place." : "Something needs fixing: see the checks marked FAIL.")
        : null,
      result ? h(Table, { size: "sm", borderless: true }, h("tbody", null, result.checks.map(function (c) {
        return h("tr", { key: c.check, "data-check": c.check },
          h("td", null, h(Badge, { variant: c.ok ? "success" : "danger" }, c.ok ? "OK" : "FAIL")),
          h("th", { scope: "row" }, c.check), h("td", null, c.detail));
      }))) : null,
      !state.busy && !result && !state.error ? h("p", { className: "text-muted mb-0" },
        "Checks Stash, Plex, the token, the libraries and path_map.") : null);
  }

  function StatusPage() {
    const report = ui.useOperation("status_page", {});
    const [note, setNote] = React.useState(null);
    const [tabs, setTabs] = React.useState(true);
    React.useEffect(function () {
      ui.stashVersion().then(function (v) { setTabs(ui.hasSceneTabs(v)); }, function () {});
    }, []);

    function task(name) {
      ui.startTask(name).then(function (job) {
        setNote({ variant: "info", text: name + " started (job " + job + "): its progress " +
          "shows in Settings > Tasks. Refresh this page when it is done." });
      }, function (error) { setNote({ error: error, what: name + " could not start" }); });
    }
    function act(mode, reason) {
      setNote(null);
      ui.run(mode, reason ? { reason: reason } : {}).then(function (answer) {
        setNote({ variant: "success", text: answer.message });
        report.reload();
      }, function (error) { setNote({ error: error, what: "PlexSync could not do it" }); });
    }

    const data = report.data;
    return h("div", { className: "container plexsync-status" },
      h("h2", null, "PlexSync"),
      h("div", { className: "plexsync-toolbar mb-3" },
        h(Button, { className: "mr-2 plexsync-reload", disabled: report.loading,
          onClick: report.reload }, "Refresh"),
        TASKS.map(function (name) {
          return h(Button, { key: name, variant: "secondary", className: "mr-2 plexsync-task",
            onClick: function () { task(name); } }, name);
        })),
      note && note.error ? h(ui.ErrorMessage, { error: note.error, what: note.what }) : null,
      note && note.text ? h(Alert, { variant: note.variant, className: "plexsync-note" },
        note.text) : null,
      report.error ? h(ui.ErrorMessage, { error: report.error }) : null,
      report.loading && !data ? h(ui.Loading) : null,
      data ? h("div", { className: "plexsync-report", "data-loading": String(report.loading) },
        h(Overview, { report: data }),
        h(Retrying, { jobs: data.retrying, tabs: tabs }),
        h(DeadLetters, { report: data, act: act, tabs: tabs }),
        h(SceneList, { title: "Needing review", className: "plexsync-review", tabs: tabs,
          entries: data.review, total: data.review_count, describe: reviewText }),
        h(SceneList, { title: "Not in Plex", className: "plexsync-not-found", tabs: tabs,
          entries: data.not_found, total: data.not_found_count,
          describe: function (e) { return e.files.join(", "); } })) : null,
      h(HealthCheck));
  }

  function ScenePage(props) {
    return h("div", { className: "container plexsync-status" },
      h("h2", null, "PlexSync: ", h(ui.SceneLink, { id: props.id })),
      h(Link, { to: PATH }, "← PlexSync status"),
      h(ui.ScenePanel, { sceneId: props.id }));
  }

  // One route: Stash renders every plugin route whose path matches, so the scene pages are
  // told apart here.
  function Page(props) {
    const scene = /\/scenes\/(\d+)/.exec(props.location.pathname.slice(PATH.length));
    return scene ? h(ScenePage, { id: scene[1] }) : h(StatusPage);
  }

  function NavButton() {
    const Icon = api.components.Icon;
    const solid = api.libraries.FontAwesomeSolid;
    return h(NavLink, { to: PATH, className: "nav-utility plexsync-nav" },
      h(Button, { className: "minimal d-flex align-items-center h-100", title: "PlexSync" },
        Icon ? h(Icon, { icon: solid.faArrowsRotate || solid.faSync }) : "PlexSync"));
  }

  api.register.route(PATH, Page);
  api.patch.after("MainNavBar.UtilityItems", function (props, _, result) {
    return h(React.Fragment, null, h(NavButton), result);
  });
  api.patch.after("PluginSettings", function (props, _, result) {
    if (props.pluginID !== "plexsync") return result;
    return h(React.Fragment, null, h("div", { className: "plexsync-settings-link mb-2" },
      h(Link, { to: PATH }, "Open the PlexSync page: queue, dead letters, Health Check")),
    result);
  });
})(window.PlexSyncUI);
