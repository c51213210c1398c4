import { type Page } from "@playwright/test";
import { expect, newPage, test } from "./fixtures";
import { open, pathOf, requestLink, signUpPartner } from "./helpers";

// Every control shows where the keyboard focus is, on the coloured portal bars too; axe and
// the 375 px check run on every page opened here (see fixtures.ts), in every language.

/** Tabs through the page and returns the controls whose focus cannot be seen. */
async function invisibleFocus(page: Page): Promise<string[]> {
  const missing: string[] = [];
  const seen = new Set<string>();
  // The language menu open, so its links are in the tab order too.
  await page.evaluate(() => document.querySelectorAll("details.locales").forEach((d) => ((d as HTMLDetailsElement).open = true)));
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press("Tab");
    const info = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const s = getComputedStyle(el);
      const ring = (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== "none";
      const id = `${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute("name") || "").trim().slice(0, 40)}"`;
      return { id, ring };
    });
    if (!info) continue;
    if (seen.has(info.id)) break;
    seen.add(info.id);
    if (!info.ring) missing.push(info.id);
  }
  expect(seen.size, `focusable controls on ${page.url()}`).toBeGreaterThan(2);
  return missing;
}

for (const locale of ["en-US", "zh-CN", "zh-TW"]) {
  test(`focus is visible on every control (${locale})`, async ({ browser, page }) => {
    await signUpPartner(page, { cloud: "china", country: "CN" });
    const link = await requestLink(page);
    const visitor = await newPage(browser, { locale });
    for (const path of ["/", "/signin", "/signup", pathOf(link), pathOf(link.replace("DAP=true", "DAP=false"))]) {
      await open(visitor, path);
      expect(await invisibleFocus(visitor), path).toEqual([]);
    }
    // The partner chose the same language with the switcher.
    const tag = locale === "en-US" ? "en" : locale;
    await page.context().addCookies([{ name: "accord_locale", value: tag, url: new URL("/", page.url()).toString() }]);
    for (const path of ["/partner/customers", "/partner/customers/request", "/partner/customers/request/email?dap=true"]) {
      await open(page, path);
      await expect(page.locator("html"), path).toHaveAttribute("lang", tag);
      expect(await invisibleFocus(page), path).toEqual([]);
    }
  });
}
