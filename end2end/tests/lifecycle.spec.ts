import { checkPage, expect, newPage, test } from "./fixtures";
import {
  acceptWithAgreement,
  createCustomerOrg,
  customerRow,
  open,
  pathOf,
  requestLink,
  signIn,
  signUpPartner,
  uniqueDomain,
  waitHydrated,
} from "./helpers";
import { type Page } from "@playwright/test";

/** A partner with a customer that accepted its DAP invitation; returns both pages. */
async function partnerWithCustomer(browser: import("@playwright/test").Browser, page: Page, orgName: string, company: string) {
  await signUpPartner(page, { orgName });
  const link = await requestLink(page);
  const customer = await newPage(browser);
  await open(customer, pathOf(link));
  const domain = uniqueDomain(company.toLowerCase().replace(/[^a-z]/g, ""));
  const admin = await createCustomerOrg(customer, company, domain);
  await acceptWithAgreement(customer);
  await expect(customer.getByText(`Done. ${orgName} is now authorized as your partner.`)).toBeVisible();
  return { customer, domain, link, admin };
}

/** The customer's Partner relationships page, reached from the outcome page's link. */
function partnerItem(page: Page, name: string) {
  return page.locator(`li.partner-item[data-partner="${name}"]`);
}

test("partner removes the relationship: the customer leaves Customers, DAP stays on the customer's side, and the customer removes the roles", async ({ browser, page }) => {
  const { customer, domain } = await partnerWithCustomer(browser, page, "Lakeshore Resellers", "Wide World Importers");

  // The outcome page leads to Partner relationships; the customer's home lists the partner too.
  await customer.getByRole("link", { name: "See your partner relationships" }).click();
  await expect(customer).toHaveURL(/\/m365\/partners$/);
  await waitHydrated(customer);
  await expect(customer).toHaveTitle("Partner relationships – Microsoft 365 admin center");
  const item = partnerItem(customer, "Lakeshore Resellers");
  await expect(item.locator("dd.kind")).toHaveText("Reseller");
  await expect(item.locator("dd.dap")).toHaveText([/^Granted on /, /^Granted on /]);
  await checkPage(customer);
  await customer.getByRole("link", { name: "Home" }).click();
  await waitHydrated(customer);
  await expect(customer.getByRole("heading", { name: "Wide World Importers", level: 1 })).toBeVisible();
  await expect(customer.locator('li[data-partner="Lakeshore Resellers"]')).toContainText("Delegated admin: Yes");
  await checkPage(customer);

  // Partner: Customers → the row → Account → Remove customer relationship.
  await open(page, "/partner/customers");
  const row = customerRow(page, domain);
  await row.locator("summary").click();
  await row.getByRole("link", { name: "Account" }).click();
  await waitHydrated(page);
  await expect(page.getByRole("heading", { name: "Wide World Importers", level: 1 })).toBeVisible();
  await expect(page.getByText("Delegated admin privileges already granted stay unchanged: Azure Active Directory and Office 365.")).toBeVisible();
  await expect(page.getByText(/decision to discontinue your relationship with the customer was made in good faith/)).toBeVisible();
  await expect(page.getByText("This tool does not send any notice to the customer or partner.", { exact: false })).toBeVisible();
  await checkPage(page);
  // The attestation must be confirmed: the browser holds the form back until it is.
  await page.getByRole("button", { name: "Remove customer relationship" }).click();
  await expect(page.getByRole("heading", { name: "Relationship removed" })).toHaveCount(0);
  await page.getByLabel("I confirm the statement above.").check();
  await page.getByRole("button", { name: "Remove customer relationship" }).click();
  await expect(page.getByRole("heading", { name: "Relationship removed" })).toBeVisible();
  await expect(page.getByRole("status")).toContainText("Delegated admin privileges already granted stay unchanged");
  await expect(page.getByRole("status")).toBeFocused();
  await checkPage(page);
  await open(page, "/partner/customers");
  await expect(customerRow(page, domain)).toHaveCount(0);

  // Customer: the partner holds admin roles only; the Global admin removes them.
  await open(customer, "/m365/partners");
  await expect(item.locator("dd.kind")).toContainText("Admin roles only");
  await expect(item.locator("dd.dap")).toHaveText([/^Granted on /, /^Granted on /]);
  await item.getByRole("link", { name: "Remove roles" }).click();
  await waitHydrated(customer);
  await expect(customer.getByRole("heading", { name: "Remove the admin roles of Lakeshore Resellers?" })).toBeVisible();
  await checkPage(customer);
  await customer.getByRole("button", { name: "Remove roles" }).click();
  await expect(customer).toHaveURL(/\/m365\/partners\?removed=/);
  await expect(customer.getByRole("status")).toHaveText("The admin roles of Lakeshore Resellers were removed. The reseller relationship stays.");
  await expect(customer.getByRole("status")).toBeFocused();
  // Neither a relationship nor roles: the partner is no longer listed.
  await expect(item).toHaveCount(0);
  await expect(customer.getByText("Your organization has no partners yet.", { exact: false })).toBeVisible();
  await checkPage(customer);
});

test("customer removes roles: the partner sees DAP No, another partner's DAP no longer conflicts, and the first partner's link restores DAP", async ({ browser, page }) => {
  const { customer, domain, link, admin } = await partnerWithCustomer(browser, page, "Harbor Cloud", "Adatum Retail");

  // A second partner asks for DAP: refused while Harbor Cloud holds it, with the way out.
  const other = await newPage(browser);
  await signUpPartner(other, { orgName: "Summit Partners" });
  const otherLink = await requestLink(other);
  await open(customer, pathOf(otherLink));
  await expect(customer.getByRole("heading", { name: /delegated admin/i, level: 1 })).toBeVisible();
  await customer.getByRole("link", { name: "Partner relationships" }).first().click();
  await waitHydrated(customer);

  // Remove the roles of Harbor Cloud; the relationship stays.
  const item = partnerItem(customer, "Harbor Cloud");
  await item.getByRole("link", { name: "Remove roles" }).click();
  await waitHydrated(customer);
  await customer.getByRole("button", { name: "Remove roles" }).click();
  await expect(customer.getByRole("status")).toHaveText("The admin roles of Harbor Cloud were removed. The reseller relationship stays.");
  await expect(item.locator("dd.kind")).toHaveText("Reseller");
  await expect(item.locator("dd.dap")).toHaveText(["Not granted", "Not granted"]);
  await expect(item.getByRole("link", { name: "Remove roles" })).toHaveCount(0);

  // The partner's Customers page shows DAP No.
  await open(page, "/partner/customers");
  await expect(customerRow(page, domain).locator(".c-dap")).toHaveText("Delegated admin: No");

  // Now Summit Partners' DAP request goes through.
  await open(customer, pathOf(otherLink));
  await customer.getByRole("button", { name: "Accept & Authorize" }).click();
  await expect(customer.getByText("Done. Summit Partners is now authorized as your partner.")).toBeVisible();
  await open(customer, "/m365/partners");
  await expect(partnerItem(customer, "Summit Partners").locator("dd.dap")).toHaveText([/^Granted on /, /^Granted on /]);

  // Harbor Cloud's link again: it is already the reseller, so only DAP is asked — and it
  // conflicts with Summit Partners, without a pointless "accept without" offer.
  await open(customer, pathOf(link));
  await expect(customer.getByRole("button", { name: /without/ })).toHaveCount(0);
  // Summit's roles removed, Harbor Cloud's link restores its DAP.
  await open(customer, "/m365/partners");
  await partnerItem(customer, "Summit Partners").getByRole("link", { name: "Remove roles" }).click();
  await waitHydrated(customer);
  await customer.getByRole("button", { name: "Remove roles" }).click();
  await expect(customer.getByRole("status")).toContainText("Summit Partners");
  await open(customer, pathOf(link));
  await expect(customer.getByText("Harbor Cloud is already your reseller. It now asks only for delegated admin privileges.")).toBeVisible();
  await expect(customer.getByText("Harbor Cloud will be your reseller of record", { exact: false })).toHaveCount(0);
  await customer.getByRole("button", { name: "Accept & Authorize" }).click();
  await expect(customer.getByText("Done. Harbor Cloud is now authorized as your partner.")).toBeVisible();
  await open(page, "/partner/customers");
  await expect(customerRow(page, domain).locator(".c-dap")).toHaveText("Delegated admin: Yes");
  expect(admin.email).toContain(domain);
});

test("without JavaScript: removing a relationship and removing roles work as plain forms", async ({ browser, page }) => {
  const partner = await signUpPartner(page, { orgName: "Plain Forms Partner" });
  const link = await requestLink(page);
  const setup = await newPage(browser);
  await open(setup, pathOf(link));
  const domain = uniqueDomain("plainforms");
  const admin = await createCustomerOrg(setup, "Plain Forms Ltd", domain);
  await acceptWithAgreement(setup);
  await expect(setup.getByText("Done. Plain Forms Partner is now authorized as your partner.")).toBeVisible();

  // The partner, without JavaScript.
  const noJs = await newPage(browser, { javaScriptEnabled: false });
  await noJs.goto("/signin");
  await signIn(noJs, partner.email, partner.password);
  await expect(noJs.getByRole("heading", { name: "Customers", level: 1 })).toBeVisible();
  await customerRow(noJs, domain).locator("summary").click();
  await customerRow(noJs, domain).getByRole("link", { name: "Account" }).click();
  // Posted without the attestation (the browser check bypassed): refused, nothing changed.
  await noJs.locator('input[name="attest"]').evaluate((e) => e.removeAttribute("required"));
  await noJs.getByRole("button", { name: "Remove customer relationship" }).click();
  await expect(noJs.getByRole("alert")).toHaveText("To remove the relationship, confirm the statement above.");
  await checkPage(noJs);
  await noJs.getByLabel("I confirm the statement above.").check();
  await noJs.getByRole("button", { name: "Remove customer relationship" }).click();
  await expect(noJs.getByRole("heading", { name: "Relationship removed" })).toBeVisible();
  await checkPage(noJs);

  // The customer admin, without JavaScript.
  const noJsCustomer = await newPage(browser, { javaScriptEnabled: false });
  await noJsCustomer.goto("/m365/partners");
  await noJsCustomer.getByRole("link", { name: "Sign in" }).click();
  await signIn(noJsCustomer, admin.email, admin.password);
  await expect(noJsCustomer).toHaveURL(/\/m365\/partners$/);
  const item = partnerItem(noJsCustomer, "Plain Forms Partner");
  await expect(item.locator("dd.kind")).toContainText("Admin roles only");
  await item.getByRole("link", { name: "Remove roles" }).click();
  await checkPage(noJsCustomer);
  await noJsCustomer.getByRole("button", { name: "Remove roles" }).click();
  await expect(noJsCustomer.getByRole("status")).toHaveText("The admin roles of Plain Forms Partner were removed. The reseller relationship stays.");
  await expect(item).toHaveCount(0);
  await checkPage(noJsCustomer);
});
