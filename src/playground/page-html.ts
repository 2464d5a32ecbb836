/**
 * The playground's one HTML file: the markup of its four parts (the graph, what a user
 * reaches, who reaches an entity, what-if), with the stylesheet and the script inlined, and a
 * Content-Security-Policy that lets the page load nothing else and connect nowhere.
 * @module
 */

/** What the page is made of. */
export interface PageParts {
  /** The bundled script (an IIFE), with no `</script` in it. */
  readonly script: string;
  /** The stylesheet. */
  readonly style: string;
  /** The graph the editor starts with, as JSON text. */
  readonly seedGraph: string;
  /** `sha256-…` sources of the script and the style, for the policy. */
  readonly scriptHash: string;
  readonly styleHash: string;
}

/** Text made safe inside HTML (element content or a double-quoted attribute). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;"));
}

const options = (values: readonly string[], labels: Readonly<Record<string, string>> = {}) =>
  values.map((value) => `<option value="${value}">${labels[value] ?? value}</option>`).join("");

const LEVELS = options(["read", "write", "admin"]);

/** The playground page. */
export function playgroundHtml(parts: PageParts): string {
  const policy = [
    "default-src 'none'",
    `script-src '${parts.scriptHash}'`,
    `style-src '${parts.styleHash}'`,
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${policy}">
<link rel="icon" href="data:,">
<title>grantpath playground</title>
<style>${parts.style}</style>
</head>
<body>
<a class="skip" href="#user-section">Skip to the answers</a>
<header class="site">
  <h1>grantpath playground</h1>
  <p>Edit an organization's graph, pick a user to see everything they reach and the grant paths that explain it, pick an entity to see who reaches it, and try a change before making it. The engine runs in this page: nothing is sent anywhere.</p>
</header>
<main>
<section id="graph-section" class="card" aria-labelledby="graph-heading">
  <h2 id="graph-heading">The graph</h2>
  <div class="toolbar">
    <div class="field inline">
      <label for="graph-format">Format</label>
      <select id="graph-format" autocomplete="off">${options(["json", "yaml"], { json: "JSON", yaml: "YAML" })}</select>
    </div>
    <button type="button" id="load-example">Load the worked example</button>
  </div>
  <label for="graph-text">Graph: users, departments, roles, composites and grants (GraphInput)</label>
  <textarea id="graph-text" spellcheck="false" autocapitalize="off" autocomplete="off" rows="26" aria-describedby="graph-status">${escapeHtml(parts.seedGraph)}</textarea>
  <p id="graph-status" class="status" role="status" aria-live="polite">Loading the engine…</p>
</section>
<section id="user-section" class="card" aria-labelledby="user-heading" tabindex="-1">
  <h2 id="user-heading">What a user reaches</h2>
  <div class="field inline">
    <label for="user-select">User</label>
    <select id="user-select"></select>
  </div>
  <div id="user-access"></div>
  <figure class="picture">
    <figcaption id="path-picture-caption">Grant paths: user → departments and roles → grants → entities → the slices composites pass them on to</figcaption>
    <div id="path-picture"></div>
    <ul class="legend" aria-label="Legend">
      <li><span class="swatch swatch-user"></span>user</li>
      <li><span class="swatch swatch-department"></span>department</li>
      <li><span class="swatch swatch-role"></span>role</li>
      <li><span class="swatch swatch-grant"></span>grant</li>
      <li><span class="swatch swatch-entity"></span>entity</li>
      <li><span class="swatch swatch-composite"></span>composite</li>
    </ul>
  </figure>
</section>
<section id="entity-section" class="card" aria-labelledby="entity-heading">
  <h2 id="entity-heading">Who can reach an entity</h2>
  <div class="field inline">
    <label for="entity-select">Entity</label>
    <select id="entity-select"></select>
  </div>
  <div id="entity-users"></div>
</section>
<section id="what-if-section" class="card" aria-labelledby="what-if-heading">
  <h2 id="what-if-heading">What if…</h2>
  <p class="hint">Try a change before making it: the engine compares everyone's access before and after it (diffAccess).</p>
  <form id="what-if-form" novalidate>
    <div class="field">
      <label for="what-if-kind">Change</label>
      <select id="what-if-kind">${options(["add", "update", "revoke"], { add: "Add a grant", update: "Change a grant's level", revoke: "Revoke a grant" })}</select>
    </div>
    <div class="fields" data-kind="add">
      <div class="field"><label for="what-if-entity-type">Entity type</label><select id="what-if-entity-type">${options(["knowledge_slice", "vector_store", "assistant"])}</select></div>
      <div class="field"><label for="what-if-entity-id">Entity</label><input id="what-if-entity-id" list="known-entities" autocomplete="off" autocapitalize="off" spellcheck="false" placeholder="kslice_…"></div>
      <div class="field"><label for="what-if-grantee-type">Grantee type</label><select id="what-if-grantee-type">${options(["user", "department", "role"])}</select></div>
      <div class="field"><label for="what-if-grantee-id">Grantee</label><input id="what-if-grantee-id" list="known-grantees" autocomplete="off" autocapitalize="off" spellcheck="false" placeholder="usr_…"></div>
      <div class="field"><label for="what-if-level">Level</label><select id="what-if-level">${LEVELS}</select></div>
    </div>
    <div class="fields" data-kind="update" hidden>
      <div class="field"><label for="what-if-update-grant">Grant</label><select id="what-if-update-grant"></select></div>
      <div class="field"><label for="what-if-update-level">New level</label><select id="what-if-update-level">${LEVELS}</select></div>
    </div>
    <div class="fields" data-kind="revoke" hidden>
      <div class="field"><label for="what-if-revoke-grant">Grant</label><select id="what-if-revoke-grant"></select></div>
    </div>
    <datalist id="known-entities"></datalist>
    <datalist id="known-grantees"></datalist>
    <div class="actions">
      <button type="submit" id="what-if-preview">Preview the change</button>
      <button type="button" id="what-if-apply" disabled>Make this change</button>
    </div>
  </form>
  <div id="what-if-result" role="status" aria-live="polite"></div>
</section>
</main>
<noscript><p class="card">The playground runs grantpath in the page, so it needs JavaScript.</p></noscript>
<script>${parts.script}</script>
</body>
</html>
`;
}
