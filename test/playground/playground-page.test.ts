/**
 * The playground page in headless Chromium (Debian's /usr/bin/chromium, or CHROMIUM_PATH, driven
 * by playwright-core), served by the built `grantpath serve` at /playground: the worked example's
 * usr_def456 in the table (as resolveAccess answers) and in the SVG picture (user, department,
 * role, grants, entities, composite members, and the edges between them), who reaches an entity
 * (as usersWithAccess answers), a what-if previewed (as diffAccess answers), made, and refused,
 * YAML, a bad graph and the worked example again, the keyboard, labels and visible focus, no
 * request but the page itself, and no horizontal overflow at 375 px. Also: the same page from
 * `npm start`'s way of running (tsx, from source) and from the built file opened as it is.
 *
 * Chromium is required, not optional: without it this test fails and says how to install it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  createGraph,
  diffAccess,
  type GraphInput,
  resolveAccess,
  revokeGrant,
  usersWithAccess,
} from "../../src/index.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const BUILT_PAGE = join(ROOT, "dist", "playground", "index.html");
const SEED_TEXT = readFileSync(join(ROOT, "examples", "seed-graph.json"), "utf8");
const SEED = createGraph(JSON.parse(SEED_TEXT) as GraphInput);
const START_TIMEOUT = 30_000;

const DESKTOP: BrowserContextOptions = { viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 };
const PHONE: BrowserContextOptions = {
  viewport: { width: 375, height: 812 },
  deviceScaleFactor: 1,
  isMobile: true,
  hasTouch: true,
};

const children: ChildProcess[] = [];
let browser: Browser | undefined;
let served = "";

/** Starts `grantpath serve --port 0` with these node arguments; resolves with the playground's URL. */
async function startServe(nodeArgs: readonly string[]): Promise<string> {
  const child = spawn(process.execPath, [...nodeArgs, "serve", "--port", "0"], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), START_TIMEOUT);
    const read = (chunk: string) => {
      output += chunk;
      const match = /^playground: (http:\/\/\S+)$/m.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.setEncoding("utf8").on("data", read);
    child.stderr?.setEncoding("utf8").on("data", read);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before it was ready:\n${output}`));
    });
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The playground test needs Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` ` +
        "(Debian; .ci/run does), or set CHROMIUM_PATH to a Chromium binary.",
    );
  }
  if (!existsSync(join(ROOT, "dist", "cli.js")) || !existsSync(BUILT_PAGE)) {
    throw new Error("dist/ has no built CLI or playground: run `npm run build` first (`npm test` does).");
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, timeout: START_TIMEOUT });
  served = await startServe([join(ROOT, "dist", "cli.js")]);
}, 2 * START_TIMEOUT);

afterAll(async () => {
  await browser?.close();
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
});

interface Opened {
  readonly page: Page;
  /** Every URL the page asked for. */
  readonly requests: string[];
  /** Page errors, and console errors and warnings (a refused inline script would be one). */
  readonly problems: string[];
  close(): Promise<void>;
}

async function open(url: string, options: BrowserContextOptions): Promise<Opened> {
  if (browser === undefined) throw new Error("no browser");
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const requests: string[] = [];
  const problems: string[] = [];
  page.on("request", (request) => {
    if (!request.url().startsWith("data:")) requests.push(request.url());
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning")
      problems.push(`${message.type()}: ${message.text()}`);
  });
  await page.goto(url);
  await page.waitForSelector("html[data-ready]");
  return { page, requests, problems, close: () => context.close() };
}

/** The user table's rows: entity and level. */
function userRows(page: Page): Promise<string[][]> {
  return page.$$eval("#user-access tbody tr", (rows) =>
    rows.map((row) => [row.getAttribute("data-entity-id") ?? "", row.getAttribute("data-level") ?? ""]),
  );
}

function expectedRows(graph: ReturnType<typeof createGraph>, userId: string): string[][] {
  return resolveAccess(graph, userId).entities.map((entity) => [entity.entity_id, entity.access_level]);
}

/** The picture's nodes as `kind:id`, and its edges as `from -> to`. */
async function picture(page: Page): Promise<{ nodes: string[]; edges: string[]; orientation: string | null }> {
  return page.$eval("#path-picture svg", (svg) => ({
    nodes: Array.from(svg.querySelectorAll("g.node")).map(
      (g) => `${g.getAttribute("data-kind")}:${g.getAttribute("data-id")}`,
    ),
    edges: Array.from(svg.querySelectorAll("path.edge")).map(
      (e) => `${e.getAttribute("data-from")} -> ${e.getAttribute("data-to")}`,
    ),
    orientation: svg.getAttribute("data-orientation"),
  }));
}

/** Pairs of the picture's boxes that overlap on screen. */
function overlappingBoxes(page: Page): Promise<string[]> {
  return page.$$eval("#path-picture g.node", (groups) => {
    const boxes = groups.map((g) => ({
      id: g.getAttribute("data-id"),
      box: g.querySelector("rect")?.getBoundingClientRect(),
    }));
    const found: string[] = [];
    boxes.forEach((a, i) => {
      for (const b of boxes.slice(i + 1)) {
        if (!a.box || !b.box) continue;
        const apart =
          a.box.right <= b.box.left ||
          b.box.right <= a.box.left ||
          a.box.bottom <= b.box.top ||
          b.box.bottom <= a.box.top;
        if (!apart) found.push(`${a.id} / ${b.id}`);
      }
    });
    return found;
  });
}

/** How far the page reaches past the viewport's width (0: no horizontal scroll). */
function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(
    () => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - window.innerWidth,
  );
}

describe("the playground served by grantpath serve", () => {
  it("answers GET and HEAD /playground with the built page, and 405 to other methods", async () => {
    const got = await fetch(served);
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await got.text()).toBe(readFileSync(BUILT_PAGE, "utf8"));
    expect((await fetch(`${served}/`)).status).toBe(200);
    const head = await fetch(served, { method: "HEAD" });
    expect([head.status, await head.text()]).toStrictEqual([200, ""]);
    const post = await fetch(served, { method: "POST" });
    expect([post.status, post.headers.get("allow")]).toStrictEqual([405, "GET, HEAD"]);
    // The API beside it is untouched.
    expect((await fetch(served.replace("/playground", "/openapi.json"))).status).toBe(200);
  });

  it("shows usr_def456's entities and levels as resolveAccess does, and draws their grant paths", async () => {
    const { page, requests, problems, close } = await open(served, DESKTOP);
    try {
      expect(await page.textContent("#graph-status")).toMatch(
        /^Valid graph: 2 users, 2 departments, 1 role, 5 grants\.$/,
      );
      await page.selectOption("#user-select", "usr_def456");
      expect(await userRows(page)).toStrictEqual([
        ["kslice_abc123", "write"],
        ["kslice_benefits01", "read"],
        ["kslice_def456", "admin"],
        ["kslice_handbook01", "read"],
        ["kslice_policies01", "read"],
      ]);
      expect(await userRows(page)).toStrictEqual(expectedRows(SEED, "usr_def456"));
      // Every grant path, in words, in the engine's order.
      const paths = await page.$$eval("#user-access tbody tr", (rows) =>
        rows.map((row) => row.querySelectorAll("li").length),
      );
      expect(paths).toStrictEqual(resolveAccess(SEED, "usr_def456").entities.map((e) => e.grant_paths.length));
      expect(await page.textContent('#user-access tr[data-entity-id="kslice_abc123"]')).toContain(
        "department dept_eng01: write (agrant_eng01write)",
      );

      const drawn = await picture(page);
      expect(drawn.nodes.sort()).toStrictEqual(
        [
          "user:usr_def456",
          "department:dept_eng01",
          "role:role_admin01",
          "grant:agrant_abc123def456",
          "grant:agrant_eng01write",
          "grant:agrant_admin01",
          "grant:agrant_handbook01",
          "entity:kslice_abc123",
          "entity:kslice_def456",
          "entity:kslice_handbook01",
          "entity:kslice_benefits01",
          "entity:kslice_policies01",
        ].sort(),
      );
      expect(drawn.edges).toEqual(
        expect.arrayContaining([
          "user:usr_def456 -> department:dept_eng01",
          "user:usr_def456 -> role:role_admin01",
          "user:usr_def456 -> grant:agrant_abc123def456",
          "department:dept_eng01 -> grant:agrant_eng01write",
          "department:dept_eng01 -> grant:agrant_handbook01",
          "role:role_admin01 -> grant:agrant_admin01",
          "grant:agrant_eng01write -> entity:kslice_abc123",
          "grant:agrant_admin01 -> entity:kslice_def456",
          "grant:agrant_handbook01 -> entity:kslice_handbook01",
          "entity:kslice_handbook01 -> entity:kslice_policies01",
          "entity:kslice_handbook01 -> entity:kslice_benefits01",
        ]),
      );
      expect(drawn.edges).toHaveLength(12);
      expect(await overlappingBoxes(page)).toStrictEqual([]);
      expect(await page.getAttribute("#path-picture svg", "role")).toBe("img");
      expect(await page.textContent("#path-picture svg > title")).toBe("Grant paths of usr_def456");

      // usr_ghi789 reaches through a department chain: backend01 sits within eng01.
      await page.selectOption("#user-select", "usr_ghi789");
      expect(await userRows(page)).toStrictEqual(expectedRows(SEED, "usr_ghi789"));
      expect((await picture(page)).edges).toEqual(
        expect.arrayContaining([
          "user:usr_ghi789 -> department:dept_backend01",
          "department:dept_backend01 -> department:dept_eng01",
          "department:dept_backend01 -> grant:agrant_store01",
        ]),
      );

      expect(problems).toStrictEqual([]);
      // Offline: the page asked for nothing but itself (no CDN, no API call, no favicon).
      expect(requests).toStrictEqual([served]);
    } finally {
      await close();
    }
  });

  it("shows who can reach an entity as usersWithAccess does", async () => {
    const { page, close } = await open(served, DESKTOP);
    try {
      for (const [type, id] of [
        ["knowledge_slice", "kslice_policies01"],
        ["knowledge_slice", "kslice_def456"],
        ["vector_store", "vs_docs01"],
      ] as const) {
        await page.selectOption("#entity-select", `${type} ${id}`);
        const rows = await page.$$eval("#entity-users tbody tr", (trs) =>
          trs.map((tr) => [tr.getAttribute("data-user-id"), tr.getAttribute("data-level")]),
        );
        expect(rows).toStrictEqual(usersWithAccess(SEED, type, id).users.map((u) => [u.user_id, u.access_level]));
      }
      // "show paths" takes a user from there to the picture.
      await page.selectOption("#entity-select", "knowledge_slice kslice_abc123");
      await page.click('#entity-users tr[data-user-id="usr_ghi789"] button');
      expect(await page.inputValue("#user-select")).toBe("usr_ghi789");
      expect(await page.evaluate(() => document.activeElement?.id)).toBe("user-select");
      expect((await picture(page)).nodes).toContain("user:usr_ghi789");
    } finally {
      await close();
    }
  });

  it("previews a what-if as diffAccess answers it, makes it, and refuses a bad one", async () => {
    const { page, problems, close } = await open(served, DESKTOP);
    try {
      await page.selectOption("#user-select", "usr_def456");
      // Revoke the department's write on kslice_abc123: preview first, nothing changes yet.
      await page.selectOption("#what-if-kind", "revoke");
      expect(await page.isVisible("#what-if-revoke-grant")).toBe(true);
      expect(await page.isVisible("#what-if-entity-id")).toBe(false);
      await page.selectOption("#what-if-revoke-grant", "agrant_eng01write");
      await page.click("#what-if-preview");
      const diff = await page.$$eval("#what-if-result tbody tr", (rows) =>
        rows.map((r) => ["data-user-id", "data-entity-id", "data-before", "data-after"].map((a) => r.getAttribute(a))),
      );
      expect(diff).toStrictEqual(
        diffAccess(SEED, revokeGrant(SEED, "agrant_eng01write")).changes.map((c) => [
          c.user_id,
          c.entity_id,
          c.before ?? "none",
          c.after ?? "none",
        ]),
      );
      expect(diff).toStrictEqual([
        ["usr_def456", "kslice_abc123", "write", "read"],
        ["usr_ghi789", "kslice_abc123", "write", "none"],
      ]);
      expect(await userRows(page)).toStrictEqual(expectedRows(SEED, "usr_def456"));

      // Make it: the editor's graph loses the grant, and every answer follows.
      expect(await page.isEnabled("#what-if-apply")).toBe(true);
      await page.click("#what-if-apply");
      expect(await page.textContent("#what-if-result")).toBe(
        "Made: revoke agrant_eng01write. The graph now includes it.",
      );
      const edited = JSON.parse(await page.inputValue("#graph-text")) as GraphInput;
      expect(edited.grants?.map((g) => g.id)).not.toContain("agrant_eng01write");
      const after = revokeGrant(SEED, "agrant_eng01write");
      expect(await userRows(page)).toStrictEqual(expectedRows(after, "usr_def456"));
      expect(await userRows(page)).toContainEqual(["kslice_abc123", "read"]);
      expect((await picture(page)).nodes).not.toContain("grant:agrant_eng01write");
      expect(await page.isEnabled("#what-if-apply")).toBe(false);

      // Add a grant: previewed, not made; editing the form forgets the preview.
      await page.selectOption("#what-if-kind", "add");
      await page.selectOption("#what-if-entity-type", "vector_store");
      await page.fill("#what-if-entity-id", "vs_docs01");
      await page.selectOption("#what-if-grantee-type", "user");
      await page.fill("#what-if-grantee-id", "usr_def456");
      await page.selectOption("#what-if-level", "admin");
      await page.click("#what-if-preview");
      expect(
        await page.$$eval("#what-if-result tbody tr", (rows) =>
          rows.map((r) => [
            r.getAttribute("data-user-id"),
            r.getAttribute("data-entity-id"),
            r.getAttribute("data-after"),
          ]),
        ),
      ).toStrictEqual([["usr_def456", "vs_docs01", "admin"]]);
      await page.fill("#what-if-entity-id", "vs_docs02");
      expect(await page.isEnabled("#what-if-apply")).toBe(false);

      // A write the engine refuses says why, and cannot be made.
      await page.fill("#what-if-entity-id", "kslice_abc123");
      await page.click("#what-if-preview");
      expect(await page.textContent("#what-if-result .problem")).toMatch(/^Refused: VALIDATION_ERROR: .*entity_id/);
      expect(await page.isEnabled("#what-if-apply")).toBe(false);
      expect(problems).toStrictEqual([]);
    } finally {
      await close();
    }
  });

  it("edits the graph as YAML, says what is wrong with a bad one, and loads the worked example again", async () => {
    const { page, close } = await open(served, DESKTOP);
    try {
      await page.selectOption("#graph-format", "yaml");
      const yamlText = await page.inputValue("#graph-text");
      expect(yamlText).toMatch(/^organization_id: org_xyz789\n/);
      expect(parseYaml(yamlText)).toStrictEqual(JSON.parse(SEED_TEXT));
      expect(await page.getAttribute("#graph-status", "class")).toBe("status ok");

      // Give usr_ghi789 the admin role in the YAML: the answers follow the text.
      await page.fill(
        "#graph-text",
        yamlText.replace(
          "department_ids:\n      - dept_backend01",
          "department_ids:\n      - dept_backend01\n    role_ids:\n      - role_admin01",
        ),
      );
      await page.selectOption("#user-select", "usr_ghi789");
      await page.waitForSelector('#user-access tr[data-entity-id="kslice_def456"]');
      expect(await page.textContent('#user-access tr[data-entity-id="kslice_def456"]')).toContain("role role_admin01");

      // A broken graph: the problem, where it is, and the last valid answers kept.
      await page.fill("#graph-text", "organization_id: org_xyz789\ngrants:\n  - entity_type: planet\n");
      await page.waitForSelector("#graph-status.problem");
      expect(await page.textContent("#graph-status")).toMatch(/^VALIDATION_ERROR: grants\[0\]\.entity_type/);
      expect(await page.getAttribute("#graph-text", "aria-invalid")).toBe("true");
      expect(await userRows(page)).not.toStrictEqual([]);

      await page.click("#load-example");
      expect(await page.inputValue("#graph-text")).toBe(SEED_TEXT);
      expect(await page.inputValue("#graph-format")).toBe("json");
      expect(await page.getAttribute("#graph-text", "aria-invalid")).toBeNull();
      await page.selectOption("#user-select", "usr_def456");
      expect(await userRows(page)).toStrictEqual(expectedRows(SEED, "usr_def456"));
    } finally {
      await close();
    }
  });

  it("works by keyboard: labelled controls, a visible focus, a user picked with the arrow keys", async () => {
    const { page, close } = await open(served, DESKTOP);
    try {
      const unlabelled = await page.$$eval("select, input, textarea, button", (controls) =>
        controls
          .filter((c) => {
            const labelled = (c as HTMLInputElement).labels?.length || c.getAttribute("aria-label");
            return !(labelled || (c.tagName === "BUTTON" && c.textContent?.trim()));
          })
          .map((c) => c.outerHTML),
      );
      expect(unlabelled).toStrictEqual([]);

      await page.keyboard.press("Tab");
      expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to the answers");
      let focused = "";
      for (let i = 0; i < 30 && focused !== "user-select"; i++) {
        await page.keyboard.press("Tab");
        focused = await page.evaluate(() => document.activeElement?.id ?? "");
      }
      expect(focused).toBe("user-select");
      const outline = await page.evaluate(() => {
        const style = getComputedStyle(document.activeElement as Element);
        return [style.outlineStyle, style.outlineWidth];
      });
      expect(outline).toStrictEqual(["solid", "3px"]);
      await page.keyboard.press("ArrowDown");
      expect(await page.inputValue("#user-select")).toBe("usr_ghi789");
      expect(await userRows(page)).toStrictEqual(expectedRows(SEED, "usr_ghi789"));
      await page.keyboard.press("ArrowUp");
      expect(await userRows(page)).toStrictEqual(expectedRows(SEED, "usr_def456"));
    } finally {
      await close();
    }
  });

  it("fits a 375 px phone screen: no horizontal scroll, the picture drawn top to bottom", async () => {
    const { page, problems, close } = await open(served, PHONE);
    try {
      expect(await page.evaluate(() => window.innerWidth)).toBe(375);
      expect(await horizontalOverflow(page)).toBe(0);
      await page.selectOption("#user-select", "usr_def456");
      expect(await userRows(page)).toStrictEqual(expectedRows(SEED, "usr_def456"));
      const drawn = await picture(page);
      expect(drawn.orientation).toBe("down");
      expect(drawn.nodes).toHaveLength(12);
      expect(await overlappingBoxes(page)).toStrictEqual([]);
      const svgRight = await page.$eval("#path-picture svg", (svg) => svg.getBoundingClientRect().right);
      expect(svgRight).toBeLessThanOrEqual(375);
      await page.selectOption("#entity-select", "knowledge_slice kslice_abc123");
      await page.selectOption("#what-if-kind", "revoke");
      await page.selectOption("#what-if-revoke-grant", "agrant_eng01write");
      await page.click("#what-if-preview");
      await page.waitForSelector("#what-if-result tbody tr");
      expect(await horizontalOverflow(page)).toBe(0);
      expect(problems).toStrictEqual([]);
    } finally {
      await close();
    }
  });
});

describe("the playground elsewhere", () => {
  it("is built from source by `npm start`'s way of running (tsx), to the same page", async () => {
    const url = await startServe(["--import", "tsx", join(ROOT, "src", "cli", "main.ts")]);
    const got = await fetch(url);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe(readFileSync(BUILT_PAGE, "utf8"));
  });

  it("works as the built file opened on its own, with no server", async () => {
    const { page, requests, problems, close } = await open(pathToFileURL(BUILT_PAGE).href, DESKTOP);
    try {
      expect(await userRows(page)).toStrictEqual(expectedRows(SEED, "usr_def456"));
      expect((await picture(page)).nodes).toContain("role:role_admin01");
      expect(requests).toStrictEqual([pathToFileURL(BUILT_PAGE).href]);
      expect(problems).toStrictEqual([]);
    } finally {
      await close();
    }
  });
});
