// PlexSync in Stash's web UI: what the Plex tab (plexsync-scene.js) and the PlexSync page
// (plexsync-status.js) share. Plain JavaScript on Stash's PluginApi (React, react-bootstrap, the
// app's own Apollo client): no build step. Stash serves the files listed under `ui.javascript`
// in plexsync.yml as one script, in that order (stashapp/stash pkg/plugin/config.go UIConfig,
// ui/v2.5/src/docs/en/Manual/Plugins.md and UIPluginApi.md), so this one comes first. The others
// are each a function of window.PlexSyncUI, which holds the PluginApi, React and `h` besides
// what is below.
(function () {
  "use strict";
  const api = window.PluginApi;
  const React = api.React;
  const h = React.createElement;
  const { Alert, Badge, Spinner } = api.libraries.Bootstrap;
  const gql = api.libraries.Apollo.gql;
  const PLUGIN_ID = "plexsync"; // the yml's file name is the plugin's id

  const RUN_OPERATION = gql`
    mutation PlexSyncOperation($plugin_id: ID!, $args: Map) {
      runPluginOperation(plugin_id: $plugin_id, args: $args)
    }
  `;
  const RUN_TASK = gql`
    mutation PlexSyncTask($plugin_id: ID!, $task_name: String!) {
      runPluginTask(plugin_id: $plugin_id, task_name: $task_name)
    }
  `;
  const VERSION = gql`
    query PlexSyncStashVersion {
      version {
        version
      }
    }
  `;

  function client() {
    return api.utils.StashService.getClient();
  }

  // One of plexsync.py's modes, answered at once. Stash turns the plugin's error into the
  // GraphQL error (pkg/plugin/plugins.go RunPlugin), which Apollo rejects with.
  function run(mode, args) {
    const variables = { plugin_id: PLUGIN_ID, args: Object.assign({ mode: mode }, args || {}) };
    return client()
      .mutate({ mutation: RUN_OPERATION, variables: variables })
      .then(function (answer) {
        return answer.data.runPluginOperation;
      });
  }

  // A task by its name in plexsync.yml: a job with progress in Stash's task list.
  function startTask(name) {
    return client()
      .mutate({ mutation: RUN_TASK, variables: { plugin_id: PLUGIN_ID, task_name: name } })
      .then(function (answer) {
        return answer.data.runPluginTask;
      });
  }

  // Stash's version ("v0.30.1"), or null when it does not say.
  function stashVersion() {
    return client()
      .query({ query: VERSION })
      .then(function (answer) {
        return (answer.data.version && answer.data.version.version) || null;
      });
  }

  // Tabs on the scene page exist from Stash v0.28.0 (ScenePage.Tabs/TabContent, PR #5703).
  function hasSceneTabs(version) {
    const found = /^v?(\d+)\.(\d+)/.exec(version || "");
    if (!found) return true; // a development build: assume the current UI
    const major = Number(found[1]);
    const minor = Number(found[2]);
    return major > 0 || minor >= 28;
  }

  // An operation's answer as React state: {loading, error, data}, and reload().
  function useOperation(mode, args) {
    const key = JSON.stringify([mode, args]);
    const [state, setState] = React.useState({ loading: true, error: null, data: null });
    const reload = React.useCallback(
      function () {
        setState(function (old) {
          return { loading: true, error: null, data: old.data };
        });
        return run(mode, args).then(
          function (data) {
            setState({ loading: false, error: null, data: data });
            return data;
          },
          function (error) {
            setState({ loading: false, error: error, data: null });
          }
        );
      },
      [key]
    );
    React.useEffect(
      function () {
        reload();
      },
      [reload]
    );
    return Object.assign({ reload: reload }, state);
  }

  // Seconds since the epoch (PlexSync's records) or an ISO text, as the browser shows times.
  function when(value) {
    if (value === null || value === undefined || value === "") return "";
    const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
    return isNaN(date.getTime()) ? String(value) : date.toLocaleString();
  }

  function ErrorMessage(props) {
    const error = props.error;
    const text = (error && (error.message || String(error))) || "no answer";
    return h(
      Alert,
      { variant: "danger", className: "plexsync-error" },
      h("strong", null, props.what || "PlexSync could not answer"),
      ": ",
      text
    );
  }

  function Loading(props) {
    return h(
      "div",
      { className: "plexsync-loading text-muted" },
      h(Spinner, { animation: "border", size: "sm", role: "status" }),
      " ",
      props.text || "Asking PlexSync…"
    );
  }

  const STATE_VARIANTS = {
    current: "success",
    changed: "info",
    unsynced: "secondary",
    queued: "info",
    retrying: "warning",
    review: "warning",
    not_in_plex: "secondary",
    dead_letter: "danger",
  };

  function StateBadge(props) {
    const state = props.state;
    return h(
      Badge,
      {
        variant: STATE_VARIANTS[state.code] || "secondary",
        className: "plexsync-state",
        "data-state": state.code,
      },
      state.label
    );
  }

  function SceneLink(props) {
    const Link = api.libraries.ReactRouterDOM.Link;
    const label = props.title || "Scene " + props.id;
    return h(Link, { to: "/scenes/" + props.id, className: "plexsync-scene-link" }, label);
  }

  window.PlexSyncUI = {
    api: api,
    React: React,
    h: h,
    run: run,
    startTask: startTask,
    stashVersion: stashVersion,
    hasSceneTabs: hasSceneTabs,
    useOperation: useOperation,
    when: when,
    ErrorMessage: ErrorMessage,
    Loading: Loading,
    StateBadge: StateBadge,
    SceneLink: SceneLink,
  };
})();
