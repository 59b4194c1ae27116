// UI of the double's test plugin: a tab on the scene page, two pages registered through Stash's
// PluginApi and a link to the first in the navigation bar. /plugin/uitest-home shows that the script and its CSS
// loaded; /plugin/uitest-operation runs runPluginOperation through the UI's own GraphQL client
// (query string: plugin, args as JSON) and shows the answer, as a plugin's page would.
// Stash answers 404 to a direct load of /plugin/... (its server mounts that prefix for plugin
// files, stashapp/stash#5124): such pages are reached by navigating inside the app.
(function () {
  "use strict";
  const api = window.PluginApi;
  const React = api.React;
  const h = React.createElement;
  const RUN_OPERATION = api.libraries.Apollo.gql`
    mutation UiTestRunOperation($plugin_id: ID!, $args: Map) {
      runPluginOperation(plugin_id: $plugin_id, args: $args)
    }
  `;

  function runOperation(pluginId, args) {
    return api.utils.StashService.getClient()
      .mutate({ mutation: RUN_OPERATION, variables: { plugin_id: pluginId, args: args } })
      .then(function (answer) { return answer.data.runPluginOperation; });
  }

  function HomePage() {
    return h("div", { id: "uitest-home", className: "uitest-home" }, "UI test plugin loaded");
  }

  function OperationPage() {
    const query = new URLSearchParams(api.libraries.ReactRouterDOM.useLocation().search);
    const [state, setState] = React.useState({ status: "running", text: "" });
    React.useEffect(function () {
      runOperation(query.get("plugin") || "uitest", JSON.parse(query.get("args") || "{}"))
        .then(function (output) { setState({ status: "done", text: JSON.stringify(output) }); })
        .catch(function (error) { setState({ status: "error", text: error.message }); });
    }, []);
    return h("div", { id: "uitest-operation", "data-status": state.status },
      h("pre", { id: "uitest-result" }, state.text));
  }

  function NavLink() {
    return h(api.libraries.ReactRouterDOM.Link, { to: "/plugin/uitest-home",
      className: "uitest-nav nav-utility" }, "UI Test");
  }

  // A tab on every scene page (patch targets of Stash v0.29.0 and later). An `after` patch
  // gets the rendered result as its third argument and returns what replaces it.
  const Bootstrap = api.libraries.Bootstrap;
  api.patch.after("ScenePage.Tabs", function (props, _, result) {
    return h(React.Fragment, null, result,
      h(Bootstrap.Nav.Item, null, h(Bootstrap.Nav.Link, { eventKey: "uitest-panel" }, "UI Test")));
  });
  api.patch.after("ScenePage.TabContent", function (props, _, result) {
    return h(React.Fragment, null, result,
      h(Bootstrap.Tab.Pane, { eventKey: "uitest-panel" },
        h("div", { id: "uitest-scene-panel" }, "Scene " + props.scene.id + ": " + props.scene.title)));
  });

  api.patch.after("MainNavBar.UtilityItems", function (props, _, result) {
    return h(React.Fragment, null, result, h(NavLink));
  });
  api.register.route("/plugin/uitest-home", HomePage);
  api.register.route("/plugin/uitest-operation", OperationPage);
})();
