import AxeBuilder from "@axe-core/playwright";
import { expect, test as base, type Browser, type BrowserContextOptions, type Page } from "@playwright/test";

/**
 * Checks built into every test, for every page a test opens (also the extra pages made
 * with `newPage`):
 * - no console error, no uncaught exception, no failed request; the only errors allowed
 *   are 4xx answers the test provoked on purpose (a refusal page, a refused form post);
 * - `checkPage` (called by the helpers after every navigation and form result, and on the
 *   final state of every page) runs axe-core (WCAG 2.2 A/AA) and fails on any violation,
 *   and checks that nothing scrolls sideways at 375 px.
 */

const WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];
const problems = new WeakMap<Page, string[]>();
const pending = new WeakMap<Page, (() => string | undefined)[]>();

/** What went wrong on a page: its problems, and the 4xx console messages no test asked for. */
function problemsOf(page: Page): string[] {
  const late = (pending.get(page) ?? []).map((judge) => judge()).filter((p): p is string => p !== undefined);
  return [...(problems.get(page) ?? []), ...late];
}
const withoutScript = new WeakSet<Page>();
const tracked: Page[] = [];

function watch(page: Page) {
  if (problems.has(page)) return;
  const list: string[] = [];
  const late: (() => string | undefined)[] = [];
  problems.set(page, list);
  pending.set(page, late);
  tracked.push(page);
  // Answers of 4xx the test asked for: a refusal page or a refused form post.
  const expected4xx = new Set<string>();
  page.on("response", (r) => {
    const status = r.status();
    const kind = r.request().resourceType();
    if (status >= 400 && status < 500 && (kind === "document" || (kind === "fetch" && new URL(r.url()).pathname.startsWith("/api/")))) {
      expected4xx.add(r.url());
    } else if (status >= 400) {
      list.push(`HTTP ${status} for ${kind} ${r.url()}`);
    }
  });
  page.on("console", (msg) => {
    if (msg.type() !== "error") return;
    const url = msg.location()?.url ?? "";
    // The console message and the response event of a refused page can come in either
    // order, so a 4xx message is judged once the test is over (see `problemsOf`).
    if (/Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text())) {
      late.push(() => (expected4xx.has(url) ? undefined : `console error: ${msg.text()} (${url})`));
      return;
    }
    list.push(`console error: ${msg.text()} (${url})`);
  });
  page.on("pageerror", (e) => list.push(`uncaught: ${e.message}`));
  // Anything the Content-Security-Policy blocks is a failure too.
  void page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) =>
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline code"}`),
    );
  });
  page.on("requestfailed", (r) => {
    const failure = r.failure()?.errorText ?? "";
    // Leaving a page cancels what it was still loading; a mailto: link opens no page here;
    // a browser without JavaScript does not fetch the bundle.
    if (failure.includes("ERR_ABORTED") || r.url().startsWith("mailto:")) return;
    if (withoutScript.has(page) && /\/pkg\/.*\.(js|wasm)$/.test(r.url())) return;
    list.push(`request failed: ${r.url()} ${failure}`);
  });
}

/** axe-core (WCAG 2.2 A/AA) on the page as it is now, and no sideways scrolling at 375 px. */
export async function checkPage(page: Page) {
  await page.waitForLoadState("load");
  if (withoutScript.has(page)) {
    // axe needs a script on the page: check the same HTML in a page that may run one (with
    // Accord's own scripts blocked, so it stays the page a browser without JavaScript sees).
    const html = await page.content();
    const browser = page.context().browser();
    if (!browser) throw new Error("no browser");
    // The copy is written into a /healthz document, whose policy would block the page's
    // stylesheet (the real page's policy is checked where the page itself is loaded).
    const mirror = await browser.newContext({ viewport: page.viewportSize() ?? undefined, bypassCSP: true });
    try {
      const copy = await mirror.newPage();
      await copy.route(/\/pkg\/.*\.(js|wasm)$/, (r) => r.abort());
      await copy.goto(new URL("/healthz", page.url()).toString());
      await copy.setContent(html, { waitUntil: "load" });
      await checkPage(copy);
    } finally {
      await mirror.close();
    }
    return;
  }
  const results = await new AxeBuilder({ page }).withTags(WCAG).analyze();
  const found = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`,
  );
  expect(found, `axe on ${page.url()}`).toEqual([]);

  const size = page.viewportSize();
  if (size) {
    await page.setViewportSize({ width: 375, height: 740 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.setViewportSize(size);
    expect(overflow, `horizontal scroll at 375 px on ${page.url()}`).toBeLessThanOrEqual(0);
  }
}

/** Whether the page was made without JavaScript (`newPage(…, { javaScriptEnabled: false })`). */
export function scriptless(page: Page) {
  return withoutScript.has(page);
}

/** A page in a fresh browser context (another person), with the same checks. */
export async function newPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ baseURL: process.env.BASE_URL ?? "http://127.0.0.1:3000", ...options });
  const page = await context.newPage();
  watch(page);
  if (options.javaScriptEnabled === false) withoutScript.add(page);
  return page;
}

export const test = base.extend<{ checks: void }>({
  checks: [
    async ({ page }, use) => {
      watch(page);
      await use();
      for (const p of tracked.splice(0)) {
        if (!p.isClosed() && p.url().startsWith("http")) await checkPage(p);
        expect(problemsOf(p), `console and network of ${p.url()}`).toEqual([]);
      }
    },
    { auto: true },
  ],
});

export { expect };
