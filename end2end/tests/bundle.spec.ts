import { expect, test } from "./fixtures";
import { open } from "./helpers";

// The browser bundle carries only the islands: no page text in any language, no country
// table, no refusal texts (they are rendered on the server).
test("the wasm and JS the pages load hold no page text", async ({ page }) => {
  await open(page, "/signin");
  const urls = await page.evaluate(() =>
    performance.getEntriesByType("resource").map((e) => e.name).filter((u) => /\/pkg\/.*\.(wasm|js)$/.test(u)),
  );
  expect(urls.filter((u) => u.endsWith(".wasm"))).toHaveLength(1);
  for (const url of urls) {
    const body = (await (await page.request.get(url)).body()).toString("utf8");
    // It is the real bundle: the islands' entry point is in it.
    expect(body.length).toBeGreaterThan(4000);
    expect(body).toContain("hydrate");
    for (const text of ["Afghanistan", "Accept & Authorize", "Customer Agreement", "delegated administration", "经销商", "經銷商", "isn't valid"]) {
      expect(body.includes(text), `${text} in ${url}`).toBe(false);
    }
  }
});
