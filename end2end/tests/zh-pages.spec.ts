import { type Page } from "@playwright/test";
import { expect, newPage, test } from "./fixtures";
import { acceptWithAgreement, createCustomerOrg, open, pathOf, requestLink, signUpPartner, uniqueDomain } from "./helpers";

// Chinese pages are Chinese throughout: the records the server writes (activity details,
// country names, the agreement's name, API documentation) are put into words of the page's
// language when they are shown, not when they were written.

/** Names of products and standards a Chinese page keeps in Latin script. */
const ALLOWED = new Set(
  "Accord Microsoft Azure Active Directory Office Entra Vianet API REST JSON CSV OpenAPI HTTP HTTPS Webhook Webhooks ID MPN URL UTC Bearer Authorization YYYY MM DD English Standard".split(" "),
);

/** Latin-script words in the page's text outside code, addresses and the allow-list. */
async function latinWords(page: Page): Promise<string[]> {
  const texts = await page.evaluate(() => {
    const out: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const parent = n.parentElement;
      if (!parent || parent.closest("code, pre, script, style, [hidden], [translate=no]")) continue;
      out.push(n.textContent ?? "");
    }
    return out;
  });
  const words: string[] = [];
  for (const text of texts) {
    for (const token of text.split(/[\s，。：；、（）()「」“”《》<>,;:!?！？…]+/)) {
      // Addresses, domains and tokens with digits are data, not words.
      if (/[@./\d_]/.test(token)) continue;
      for (const word of token.match(/[A-Za-z][A-Za-z'’-]*/g) ?? []) {
        if (!ALLOWED.has(word)) words.push(word);
      }
    }
  }
  return [...new Set(words)];
}

async function expectChinese(page: Page, path: string) {
  await open(page, path);
  expect(await latinWords(page), `Latin-script words on ${path}`).toEqual([]);
}

test("zh-CN and zh-TW pages hold no English: activity, countries, agreement, API documentation", async ({ browser, page }) => {
  test.setTimeout(120_000);
  await signUpPartner(page, { orgName: "台北合作夥伴", country: "TW", adminName: "林志明" });
  const link = await requestLink(page);
  const customer = await newPage(browser);
  await open(customer, pathOf(link));
  const domain = uniqueDomain("zhpages");
  await createCustomerOrg(customer, "高雄咖啡", domain, "TW", "陳美玲");
  await acceptWithAgreement(customer, { first: "美玲", last: "陳" });
  await expect(customer.getByText("Done.", { exact: false })).toBeVisible();

  const base = new URL(page.url()).origin;
  for (const [locale, agreement] of [
    ["zh-CN", "Microsoft 客户协议"],
    ["zh-TW", "Microsoft 客戶合約"],
  ]) {
    for (const p of [page, customer]) {
      await p.context().addCookies([{ name: "accord_locale", value: locale, url: base }]);
    }
    // The partner's log and CSV, the customer's log: details in the reader's language.
    await expectChinese(page, "/partner/activity");
    await expect(page.locator("table.activity")).toContainText(agreement);
    await expectChinese(customer, "/m365/activity");
    await expectChinese(customer, "/m365/partners");
    await expectChinese(page, "/partner/customers");
    await expectChinese(page, "/docs/api");
    await expectChinese(page, "/partner/users");
    await expectChinese(page, "/partner/webhooks");

    // Country names are the locale's and sorted as its readers sort them.
    const fresh = await newPage(browser, { locale });
    await expectChinese(fresh, "/forgot-password");
    await expectChinese(fresh, "/forgot-password?sent=1");
    await open(fresh, pathOf(link));
    await fresh.locator("a[href*='new-organization']").first().click();
    await fresh.waitForURL(/new-organization/);
    const names = await fresh.locator("select[name=country] optgroup").last().locator("option").allTextContents();
    expect(names.length).toBeGreaterThan(240);
    expect(names.filter((n) => /[A-Za-z]/.test(n))).toEqual([]);
    expect(names).toEqual([...names].sort(new Intl.Collator(locale).compare));
    expect(await latinWords(fresh)).toEqual([]);
    await fresh.context().close();
  }
});
