// The Plex tab on a scene's page: whether the scene is in Plex and where, when PlexSync last
// wrote it, its state, and the buttons Sync now and Preview. Added through the patch targets
// ScenePage.Tabs and ScenePage.TabContent (Stash v0.28.0 and later). An `after` patch gets the
// rendered result as its third argument and returns what replaces it (ui/v2.5/src/patch.tsx).
(function (ui) {
  "use strict";
  const { api, h, React } = ui;
  const { Alert, Button, ButtonGroup, Nav, Tab, Table } = api.libraries.Bootstrap;
  const TAB = "plexsync-panel";

  function Field(props) {
    return h(
      React.Fragment,
      null,
      h("dt", null, props.name),
      h("dd", { className: props.className || null }, props.children)
    );
  }

  function PlexLink(props) {
    if (!props.url) return null;
    return h(
      "a",
      { href: props.url, target: "_blank", rel: "noopener noreferrer", className: "plexsync-open" },
      "Open in Plex"
    );
  }

  // Plex items, one per line: library, link, and the file as Plex has it.
  function Items(props) {
    return h("div", { className: "plexsync-items " + (props.className || "") },
      props.items.map(function (item) {
        return h("div", { key: item.rating_key, className: "plexsync-item" },
          h("strong", null, item.library || "Plex item " + item.rating_key), " ",
          h(PlexLink, { url: item.url }),
          item.file ? h("div", { className: "plexsync-file text-muted small" }, item.file) : null,
          props.reasons ? h("div", { className: "small" }, item.reason) : null);
      }));
  }

  function StatusDetails(props) {
    const status = props.status;
    const state = status.state;
    const plex = status.plex;
    const written = status.last_written;
    return h(
      "dl",
      { className: "details-list plexsync-details" },
      h(Field, { name: "State", className: "plexsync-state-cell" },
        h(ui.StateBadge, { state: state }), " ",
        h("span", { className: "plexsync-state-detail" }, state.detail),
        state.retry_at ? h("div", null, "Next try: " + ui.when(state.retry_at)) : null,
        state.failed_at ? h("div", null, "Failed at: " + ui.when(state.failed_at)) : null),
      h(Field, { name: "In Plex" },
        plex.error ? h(Alert, { variant: "warning", className: "plexsync-plex-error" },
          "Plex could not be asked: " + plex.error) : null,
        plex.items.length ? h(Items, { items: plex.items })
          : h("span", { className: "text-muted" }, "no Plex item")),
      plex.candidates.length ? h(Field, { name: "Candidates" },
        h(Items, { items: plex.candidates, reasons: true, className: "plexsync-candidates" }))
        : null,
      h(Field, { name: "Last written", className: "plexsync-last-written" },
        written ? ui.when(written.at) + ", from Stash's version of " +
          ui.when(written.stash_version) : "never"),
      h(Field, { name: "Updated in Stash" }, ui.when(status.scene.updated_at)),
      status.queue.length ? h(Field, { name: "Queued" }, status.queue.map(function (job, i) {
        return h("div", { key: i }, job.asks + ", queued " + ui.when(job.enqueued_at) +
          (job.last_error ? " — last error: " + job.last_error : ""));
      })) : null,
      status.dead_letter ? h(Field, { name: "Dead letter", className: "text-danger" },
        status.dead_letter.label + ": " + status.dead_letter.message) : null
    );
  }

  function NameList(props) {
    const added = new Set(props.row.added || []);
    const removed = new Set(props.row.removed || []);
    const side = props.side === "plex" ? props.row.plex : props.row.stash;
    if (!side.length) return h("span", { className: "text-muted" }, "(none)");
    return h("span", null, side.map(function (name, i) {
      const cls = props.side === "plex" ? (removed.has(name) ? "plexsync-removed" : "")
        : (added.has(name) ? "plexsync-added" : "");
      return h("span", { key: i, className: "plexsync-name " + cls }, name);
    }));
  }

  function Value(props) {
    const value = props.side === "plex" ? props.row.plex : props.row.stash;
    if (Array.isArray(value)) return h(NameList, props);
    if (value === null || value === undefined) return h("span", { className: "text-muted" }, "—");
    if (value === "") return h("span", { className: "text-muted" }, "(empty)");
    return String(value);
  }

  function PreviewItem(props) {
    const item = props.item;
    const head = h("div", { className: "plexsync-preview-head" },
      h("strong", null, item.library || "item " + item.rating_key), " ",
      h("span", { className: "plexsync-file" }, item.file || ""), " ",
      h(PlexLink, { url: item.url }));
    if (item.error) return h("div", null, head, h(Alert, { variant: "warning" }, item.error));
    if (!item.changes.length) {
      return h("div", null, head, h("p", { className: "plexsync-nothing" },
        "Nothing would change: Plex already holds what Stash says."));
    }
    const rows = item.changes.map(function (row, i) {
      return h("tr", { key: i, "data-field": row.field },
        h("th", { scope: "row" }, row.field),
        h("td", null, h(Value, { row: row, side: "plex" })),
        h("td", null, h(Value, { row: row, side: "stash" }),
          row.note ? h("div", { className: "text-muted small" }, row.note) : null));
    });
    return h("div", null, head,
      h(Table, { size: "sm", borderless: true, className: "plexsync-preview-table" },
        h("thead", null, h("tr", null, h("th", null, "Field"), h("th", null, "In Plex now"),
          h("th", null, "From Stash"))),
        h("tbody", null, rows)),
      item.kept.length ? h("p", { className: "text-muted small" }, "Kept: " + item.kept.join("; "))
        : null);
  }

  function Preview(props) {
    const preview = props.preview;
    if (preview.verdict !== "sync") {
      return h(Alert, { variant: "secondary", className: "plexsync-preview" },
        "Nothing would be written: " + (preview.verdict === "review"
          ? "the scene needs review (no exact path match)." : "no Plex item has its file."));
    }
    return h("div", { className: "plexsync-preview" },
      h("h6", null, "Preview (nothing was written)"),
      preview.items.map(function (item) {
        return h(PreviewItem, { key: item.rating_key, item: item });
      }));
  }

  function Outcome(props) {
    const outcome = props.outcome;
    const failed = Boolean(outcome.error) || !outcome.written;
    return h(Alert, { variant: outcome.error ? "danger" : (failed ? "warning" : "success"),
      className: "plexsync-outcome" },
      h("strong", null, "Sync now: "), outcome.error || outcome.summary,
      outcome.errors.length ? h("ul", { className: "mb-0" }, outcome.errors.map(function (e, i) {
        return h("li", { key: i }, e);
      })) : null);
  }

  // Everything about one scene; also the page /plexsync/scenes/<id> where Stash has no tabs.
  function ScenePanel(props) {
    const sceneId = String(props.sceneId);
    const status = ui.useOperation("scene_status", { scene_id: sceneId });
    const [busy, setBusy] = React.useState(null);
    const [extra, setExtra] = React.useState({});

    function act(mode, name) {
      setBusy(name);
      setExtra({});
      ui.run(mode, { scene_id: sceneId }).then(function (answer) {
        setExtra(mode === "scene_sync" ? { outcome: answer.outcome, status: answer.status }
          : { preview: answer });
      }, function (error) {
        setExtra({ error: error, what: name + " failed" });
      }).then(function () { setBusy(null); });
    }

    const shown = extra.status || status.data;
    return h("div", { className: "plexsync-scene", "data-busy": busy || (status.loading ? "load" : "") },
      h("div", { className: "plexsync-actions" },
        h(ButtonGroup, null,
          h(Button, { variant: "primary", className: "plexsync-sync", disabled: Boolean(busy),
            onClick: function () { act("scene_sync", "Sync now"); } }, "Sync now"),
          h(Button, { variant: "secondary", className: "plexsync-preview-button",
            disabled: Boolean(busy), onClick: function () { act("scene_preview", "Preview"); } },
          "Preview"),
          h(Button, { variant: "secondary", className: "plexsync-refresh", disabled: Boolean(busy),
            onClick: function () { setExtra({}); status.reload(); } }, "Refresh"))),
      busy ? h(ui.Loading, { text: busy + "…" }) : null,
      extra.error ? h(ui.ErrorMessage, { error: extra.error, what: extra.what }) : null,
      extra.outcome ? h(Outcome, { outcome: extra.outcome }) : null,
      status.error && !extra.status ? h(ui.ErrorMessage, { error: status.error }) : null,
      status.loading && !shown ? h(ui.Loading) : null,
      shown ? h(StatusDetails, { status: shown }) : null,
      extra.preview ? h(Preview, { preview: extra.preview }) : null);
  }

  api.patch.after("ScenePage.Tabs", function (props, _, result) {
    return h(React.Fragment, null, result,
      h(Nav.Item, null, h(Nav.Link, { eventKey: TAB, className: "plexsync-tab" }, "Plex")));
  });
  api.patch.after("ScenePage.TabContent", function (props, _, result) {
    // mountOnEnter: PlexSync is asked only once the tab is opened, not on every scene page.
    return h(React.Fragment, null, result,
      h(Tab.Pane, { eventKey: TAB, mountOnEnter: true },
        h(ScenePanel, { sceneId: props.scene.id })));
  });

  ui.ScenePanel = ScenePanel;
})(window.PlexSyncUI);
