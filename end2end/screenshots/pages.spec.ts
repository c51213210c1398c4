import { type Browser, type Page } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, test } from "../tests/fixtures";
import { acceptWithAgreement, addUser, createCustomerOrg, open, pathOf, requestLink, setPassword, signUpPartner, uniqueDomain, waitHydrated, webhookReceiver } from "../tests/helpers";

// Renders the real pages (`make screenshots`): every page in every language at 1280 and
// 375 px into target/screenshots/ for review, and the README's pictures into docs/screenshots/.
const LOCALES = [
  ["en", "en-US"],
  ["zh-CN", "zh-CN"],
  ["zh-TW", "zh-TW"],
] as const;
const WIDTHS = [1280, 375];

async function shoot(page: Page, name: string) {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: width === 375 ? 740 : 820 });
    await page.screenshot({ path: `../target/screenshots/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 820 });
}

/** The latest mail to `address` that holds `text`, as the suite's SMTP server received it. */
async function lastMailTo(address: string, text: string): Promise<{ html: string; text: string }> {
  const dir = process.env.SMTP_SINK_DIR ?? "";
  const read = () =>
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")))
      .filter((m) => m.rcpt_to.includes(address) && m.text.includes(text));
  await expect.poll(() => read().length, { timeout: 15_000 }).toBeGreaterThan(0);
  return read().at(-1);
}

async function person(browser: Browser, locale: string) {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 820 } });
  return context.newPage();
}

test.setTimeout(900_000);

test("screenshots", async ({ browser, page }) => {
  await signUpPartner(page, { orgName: "Contoso Cloud Reseller" });
  // A webhook endpoint, registered before the first customer accepts, so its delivery log
  // has real events.
  const hooks = await webhookReceiver("/psa/accord-events");
  await open(page, "/partner/webhooks");
  await page.getByLabel("Endpoint URL").fill(hooks.url);
  await page.getByRole("button", { name: "Register webhook" }).click();
  await expect(page.getByRole("heading", { name: "Webhook", level: 1 })).toBeVisible();
  const webhookPage = new URL(page.url()).pathname;
  const link = await requestLink(page);
  const customer = await person(browser, "en-US");
  await open(customer, pathOf(link));
  await createCustomerOrg(customer, "Fourth Coffee", uniqueDomain("fourthcoffee"));
  await acceptWithAgreement(customer);
  await expect(customer.getByText("is now authorized")).toBeVisible();

  const china = await person(browser, "en-US");
  await signUpPartner(china, { cloud: "china", country: "CN", orgName: "Litware Beijing" });
  const chinaLink = await requestLink(china);
  const pending = await person(browser, "en-US");
  await signUpPartner(pending, { orgName: "Wingtip Partners", approve: false });
  const gov = await person(browser, "en-US");
  await signUpPartner(gov, { cloud: "us-gov", orgName: "Adatum Federal" });
  const govLink = await requestLink(gov);

  // A second user of the partner, whose page shows a fresh set-password link in each language.
  await open(page, "/partner/users");
  const addForm = page.getByRole("region", { name: "Add a user" });
  await addForm.getByLabel("Name").fill("Sam Sales");
  const samEmail = `sam.${Date.now().toString(36)}@contoso.example`;
  await addForm.getByLabel("Email").fill(samEmail);
  await addForm.getByRole("combobox", { name: "Role" }).selectOption({ label: "Admin agent" });
  await addForm.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByRole("heading", { name: "Sam Sales", level: 1 })).toBeVisible();
  const samPage = new URL(page.url()).pathname;

  // The indirect channel: a provider, a reseller connected with it, the combined link.
  const providerId = String(4_000_000 + Math.floor(Math.random() * 5_000_000));
  const provider = await person(browser, "en-US");
  await signUpPartner(provider, { program: "indirect_provider", partnerId: providerId, orgName: "Adventure Works Distribution" });
  const reseller = await person(browser, "en-US");
  await signUpPartner(reseller, { program: "indirect_reseller", partnerId: String(Number(providerId) + 1), orgName: "Lakeshore Resellers" });
  await open(reseller, "/partner/indirect-providers");
  await reseller.getByLabel("Provider's partner ID").fill(providerId);
  await reseller.getByRole("button", { name: "Send request" }).click();
  await expect(reseller.getByText("Your request was sent")).toBeVisible();
  const waiting = await person(browser, "en-US");
  await signUpPartner(waiting, { program: "indirect_reseller", partnerId: String(Number(providerId) + 2), orgName: "Wingtip Toys Resellers" });
  await open(waiting, "/partner/indirect-providers");
  await waiting.getByLabel("Provider's partner ID").fill(providerId);
  await waiting.getByRole("button", { name: "Send request" }).click();
  await expect(waiting.getByText("Your request was sent")).toBeVisible();
  await open(provider, "/partner/indirect-resellers");
  await provider.locator('tr[data-partner="Lakeshore Resellers"]').getByRole("button", { name: "Accept" }).click();
  await expect(provider.getByText("Lakeshore Resellers: Connected.")).toBeVisible();
  await open(reseller, "/partner/indirect-providers");
  await reseller.getByRole("link", { name: "Invite new customers" }).click();
  await reseller.getByRole("button", { name: "Next" }).click();
  const indirectLink = await reseller.getByTestId("invitation-link").inputValue();

  // A second partner asking Fourth Coffee for DAP (which Contoso holds), seen by its Global
  // admin and by a Billing admin of its own.
  const challenger = await person(browser, "en-US");
  await signUpPartner(challenger, { orgName: "Northwind Traders IT" });
  const challengerLink = await requestLink(challenger);
  await open(customer, "/m365/users");
  const billingLink = await addUser(customer, "Bill Billing", `bill.${Date.now().toString(36)}@fourthcoffee.example`, "Billing admin");
  const billing = await person(browser, "en-US");
  await setPassword(billing, billingLink, "billing-password-123");

  for (const [tag, locale] of LOCALES) {
    for (const who of [customer, billing]) {
      await who.context().addCookies([{ name: "accord_locale", value: tag, url: new URL("/", who.url()).toString() }]);
    }
    await open(customer, pathOf(challengerLink));
    await shoot(customer, `dap-conflict-${tag}`);
    await open(billing, pathOf(challengerLink));
    await shoot(billing, `billing-decision-${tag}`);
    await page.context().addCookies([{ name: "accord_locale", value: tag, url: new URL("/", page.url()).toString() }]);
    const visitor = await person(browser, locale);
    for (const [name, path] of [["home", "/"], ["sign-in", "/signin"], ["sign-up", "/signup"], ["forgot-password", "/forgot-password"], ["forgot-password-sent", "/forgot-password?sent=1"]]) {
      await open(visitor, path);
      await shoot(visitor, `${name}-${tag}`);
    }
    await open(visitor, pathOf(link));
    await shoot(visitor, `m365-invitation-${tag}`);
    await visitor.locator("details.locales summary").click();
    await shoot(visitor, `language-menu-${tag}`);
    await open(visitor, pathOf(link).replace("/partner-invitation?", "/partner-invitation/new-organization?"));
    await shoot(visitor, `m365-new-organization-${tag}`);
    await open(visitor, pathOf(link.replace("DAP=true", "DAP=false")));
    await shoot(visitor, `refused-modified-link-${tag}`);
    await open(visitor, pathOf(chinaLink));
    await shoot(visitor, `21v-invitation-${tag}`);
    await open(visitor, pathOf(govLink));
    await shoot(visitor, `gov-invitation-${tag}`);
    // Signed in as a new customer admin (created in English), then shown in the language.
    const signedIn = await person(browser, "en-US");
    await open(signedIn, pathOf(link));
    await createCustomerOrg(signedIn, "Tailspin Toys", uniqueDomain(`tailspin${tag.replace("-", "")}`));
    await expect(signedIn.getByRole("group", { name: "Microsoft Customer Agreement" })).toBeVisible();
    await signedIn.context().addCookies([{ name: "accord_locale", value: tag, url: new URL("/", signedIn.url()).toString() }]);
    await open(signedIn, pathOf(link));
    await shoot(signedIn, `m365-accept-${tag}`);

    await open(page, "/m365/partners");
    await shoot(page, `error-page-${tag}`);
    await open(page, "/partner/customers");
    await page.locator("li.customer summary").first().click();
    await shoot(page, `customers-${tag}`);
    await page.locator("details.account > summary").click();
    await shoot(page, `account-menu-${tag}`);
    await open(page, "/partner/customers?q=FOUR&kind=reseller&dap=yes");
    await shoot(page, `customers-search-${tag}`);
    await open(page, "/partner/customers?q=nobody");
    await shoot(page, `customers-no-match-${tag}`);
    await open(page, "/partner/customers");
    await page.locator("li.customer summary").first().click();
    await page.locator("li.customer").first().getByRole("link").click();
    await open(page, page.url());
    await shoot(page, `customer-account-${tag}`);
    await open(page, "/partner/customers/request");
    await shoot(page, `request-relationship-${tag}`);
    // The customer admin's own pages.
    await customer.context().addCookies([{ name: "accord_locale", value: tag, url: new URL("/", customer.url()).toString() }]);
    await open(customer, "/m365/home");
    await shoot(customer, `customer-home-${tag}`);
    await open(customer, "/m365/partners");
    await shoot(customer, `partner-relationships-${tag}`);
    await customer.locator("li.partner-item a.button").first().click();
    await open(customer, customer.url());
    await shoot(customer, `remove-roles-${tag}`);
    await open(customer, "/m365/activity");
    await shoot(customer, `customer-activity-${tag}`);
    await open(page, "/partner/activity");
    await shoot(page, `partner-activity-${tag}`);
    await open(page, "/partner/users");
    await shoot(page, `users-${tag}`);
    await open(page, "/partner/api-keys");
    await page.locator('form[action="/api/create_api_key"] input[name="name"]').fill(`PSA sync ${tag}`);
    await page.locator('form[action="/api/create_api_key"] input[name="days"]').fill("90");
    await page.locator('form[action="/api/create_api_key"] button').click();
    await expect(page.getByTestId("api-key")).toBeVisible();
    await waitHydrated(page);
    await shoot(page, `api-keys-${tag}`);
    await open(page, "/partner/webhooks");
    await shoot(page, `webhooks-${tag}`);
    await open(page, webhookPage);
    await page.locator('form[action="/api/send_test_webhook"] button').click();
    await expect(page.locator('tr[data-event="webhook.test"]').first()).toBeVisible();
    await expect(async () => {
      await open(page, webhookPage);
      await expect(page.locator('tr[data-event="webhook.test"][data-state="pending"]')).toHaveCount(0, { timeout: 500 });
    }).toPass({ timeout: 15_000 });
    await shoot(page, `webhook-${tag}`);
    await open(page, samPage);
    await page.locator('form[action="/api/new_password_link"] button').click();
    await expect(page.locator("input.link-box")).toBeVisible();
    await waitHydrated(page);
    const fresh = await page.locator("input.link-box").inputValue();
    await shoot(page, `user-${tag}`);
    // The mail the new link went out in, in the admin's language (Sam has not chosen one).
    const mail = await lastMailTo(samEmail, fresh);
    const reader = await person(browser, locale);
    await reader.setContent(mail.html);
    await shoot(reader, `mail-set-password-${tag}`);
    await reader.context().close();
    const newcomer = await person(browser, locale);
    await newcomer.context().addCookies([{ name: "accord_locale", value: tag, url: new URL("/", page.url()).toString() }]);
    await open(newcomer, pathOf(fresh));
    await shoot(newcomer, `set-password-${tag}`);
    await open(customer, "/m365/users");
    await shoot(customer, `customer-users-${tag}`);
    for (const partner of [provider, reseller]) {
      await partner.context().addCookies([{ name: "accord_locale", value: tag, url: new URL("/", partner.url()).toString() }]);
    }
    await open(provider, "/partner/indirect-resellers");
    await shoot(provider, `indirect-resellers-${tag}`);
    await open(reseller, "/partner/indirect-providers");
    await shoot(reseller, `indirect-providers-${tag}`);
    await open(visitor, pathOf(indirectLink));
    await shoot(visitor, `indirect-invitation-${tag}`);
    await open(visitor, "/docs/api");
    await shoot(visitor, `api-docs-${tag}`);
    await pending.context().addCookies([{ name: "accord_locale", value: tag, url: new URL("/", pending.url()).toString() }]);
    await open(pending, "/partner/customers");
    await shoot(pending, `approval-pending-${tag}`);
    await open(page, "/partner/customers/request/email?dap=true");
    await shoot(page, `draft-email-${tag}`);
  }
  hooks.close();
});
