/**
 * The README's pictures of the playground: docs/playground.png (a 1280 px desktop) and
 * docs/playground-phone.png (375 px, at the grant-path picture), taken in headless Chromium
 * (Debian's /usr/bin/chromium, or CHROMIUM_PATH) from the built page with the worked example's
 * usr_def456 picked. Run after `npm run build:playground`:
 *   npx tsx scripts/playground-screenshots.ts
 */
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const page = pathToFileURL(fileURLToPath(new URL("../dist/playground/index.html", import.meta.url))).href;
const docs = (name: string) => fileURLToPath(new URL(`../docs/${name}`, import.meta.url));

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" });
try {
  const desktop = await browser.newPage({ viewport: { width: 1280, height: 1160 }, deviceScaleFactor: 1 });
  await desktop.goto(page);
  await desktop.waitForSelector("html[data-ready]");
  await desktop.selectOption("#user-select", "usr_def456");
  await desktop.screenshot({ path: docs("playground.png") });

  const phone = await browser.newPage({
    viewport: { width: 375, height: 760 },
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
  });
  await phone.goto(page);
  await phone.waitForSelector("html[data-ready]");
  await phone.selectOption("#user-select", "usr_def456");
  await phone.evaluate(() => {
    document.querySelector("figure.picture")?.scrollIntoView({ block: "start", behavior: "instant" });
    window.scrollBy({ top: -12, behavior: "instant" });
  });
  await phone.screenshot({ path: docs("playground-phone.png") });
  console.log(`wrote ${docs("playground.png")} and ${docs("playground-phone.png")}`);
} finally {
  await browser.close();
}
