import { expect, newPage, test } from "./fixtures";
import { acceptWithAgreement, createCustomerOrg, customerRow, open, pathOf, requestLink, signUpPartner, uniqueDomain } from "./helpers";

// Names are text, never markup: not in the draft's <textarea>, not on Customers, not on the
// acceptance pages.
const EVIL = `</textarea><script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">`;

test("a partner, a user and a customer named like markup run no script anywhere", async ({ browser, page }) => {
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await signUpPartner(page, { orgName: `Evil ${EVIL}`, adminName: `Mallory ${EVIL}` });
  const link = await requestLink(page);
  const draft = page.getByLabel("Email message");
  await expect(draft).toHaveValue(new RegExp(`^Hello,[\\s\\S]*Evil </textarea><script>`));
  await expect(draft).toHaveValue(/Kind regards,\nMallory <\/textarea><script>/);
  await expect(page.locator(".user-name")).toHaveText(`Mallory ${EVIL}`);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator("script", { hasText: "__pwned" }).count()).toBe(0);
  expect(await page.locator("img[src=x]").count()).toBe(0);
  await expect(page.locator("textarea")).toHaveCount(1);

  const customer = await newPage(browser);
  await open(customer, pathOf(link));
  await expect(customer.getByText(`Evil ${EVIL} is asking to become your organization's partner.`)).toBeVisible();
  const domain = uniqueDomain("evil");
  await createCustomerOrg(customer, `Customer ${EVIL}`, domain);
  await acceptWithAgreement(customer);
  await expect(customer.getByText(/is now authorized as your partner/)).toBeVisible();
  expect(await customer.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

  await open(page, "/partner/customers");
  await expect(customerRow(page, domain).locator(".c-name")).toHaveText(`Customer ${EVIL}`);
  await expect(page.getByText(`Evil ${EVIL}`).first()).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
});
