import { checkPage, expect, newPage, test } from "./fixtures";
import {
  acceptWithAgreement,
  addUser,
  createCustomerOrg,
  open,
  pathOf,
  requestLink,
  setPassword,
  signUpPartner,
  uniqueDomain,
  uniqueEmail,
} from "./helpers";

test("a Billing admin accepts without DAP: the organization's true state, the success page, and 'already your reseller' on a repeat", async ({ browser, page }) => {
  await signUpPartner(page, { orgName: "Margie's Travel IT" });
  const dapLink = await requestLink(page);

  // The organization's Global admin creates it through another partner's invitation
  // (without DAP) and accepts the customer agreement there.
  const other = await newPage(browser);
  await signUpPartner(other, { orgName: "Earlier Partner" });
  const earlierLink = await requestLink(other, { dap: false });
  const admin = await newPage(browser);
  await open(admin, pathOf(earlierLink));
  const domain = uniqueDomain("margie");
  await createCustomerOrg(admin, "Margie's Travel", domain);
  await acceptWithAgreement(admin);
  await expect(admin.getByText("Done. Earlier Partner is now authorized as your partner.")).toBeVisible();

  // ...and adds a Billing admin.
  await open(admin, "/m365/users");
  const billingEmail = uniqueEmail("bill");
  const setLink = await addUser(admin, "Bill Billing", billingEmail, "Billing admin");
  const billing = await newPage(browser);
  await setPassword(billing, setLink, "billing-password-123");

  // The Billing admin opens the DAP invitation: the invitation, why DAP needs a Global
  // admin, the agreement as accepted (not asked again), and two answers, neither pressed.
  await open(billing, pathOf(dapLink));
  await expect(billing.getByText("Margie's Travel IT is asking to become your organization's partner.")).toBeVisible();
  await expect(billing.getByRole("heading", { name: "You can't accept this invitation" })).toBeVisible();
  await expect(billing.getByText("You can accept Margie's Travel IT as your reseller without delegated admin privileges, or decline the invitation.")).toBeVisible();
  await expect(billing.getByText(/Your organization accepted the Microsoft Customer Agreement \(version 2019-10\) on /)).toBeVisible();
  await expect(billing.getByLabel("First name")).toHaveCount(0);
  const withoutDap = billing.getByRole("button", { name: "Accept without delegated admin privileges" });
  const decline = billing.getByRole("button", { name: "Decline" });
  await expect(withoutDap).not.toHaveClass(/primary/);
  await expect(decline).not.toHaveClass(/primary/);
  await checkPage(billing);

  // Accepting is a success, and said so.
  await withoutDap.click();
  await expect(billing.getByText("Done. Margie's Travel IT is now authorized as your partner.")).toBeVisible();
  await expect(billing.getByText("You can't accept this invitation")).toHaveCount(0);
  await expect(billing).toHaveTitle(/^Partner authorized – /);
  await checkPage(billing);

  // Opening the link again: already the reseller, only a Global admin can add DAP.
  await open(billing, pathOf(dapLink));
  await expect(billing.getByRole("heading", { name: "Margie's Travel IT is already your reseller" })).toBeVisible();
  await expect(billing.getByText("Your role is Billing admin: only a Global admin can grant them.")).toBeVisible();
  await expect(billing.getByRole("button", { name: "Accept without delegated admin privileges" })).toHaveCount(0);
  await checkPage(billing);

  // The partner sees its new customer, without DAP.
  await open(page, "/partner/customers");
  await expect(page.locator(`li[data-customer="${domain}"] .c-dap`)).toHaveText("Delegated admin: No");

  // A made-up page address shows the first page, not an error.
  await open(page, "/partner/customers?page=3&at=made-up");
  await expect(page.locator(`li[data-customer="${domain}"]`)).toHaveCount(1);

  // Search by the start of the domain, filter by DAP: a plain form, the result has an address.
  await page.getByLabel("Name or domain").fill(domain.slice(0, 6).toUpperCase());
  await page.getByLabel("Delegated admin").selectOption("no");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/[?&]dap=no/);
  await expect(page.locator(`li[data-customer="${domain}"]`)).toHaveCount(1);
  await expect(page.locator("#customers-count")).toHaveText("Customers 1–1 of 1");
  await checkPage(page);
  await page.getByLabel("Delegated admin").selectOption("yes");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByText("No customers match this search.")).toBeVisible();
  await page.getByRole("link", { name: "Clear filters" }).click();
  await expect(page.locator(`li[data-customer="${domain}"]`)).toHaveCount(1);
});

test("declining a request for admin roles from the current reseller is confirmed", async ({ browser, page }) => {
  await signUpPartner(page, { orgName: "Proseware Partners" });
  const plainLink = await requestLink(page, { dap: false });
  const customer = await newPage(browser);
  await open(customer, pathOf(plainLink));
  const domain = uniqueDomain("proseware");
  await createCustomerOrg(customer, "Proseware Customer", domain);
  await acceptWithAgreement(customer);
  await expect(customer.getByText("Done. Proseware Partners is now authorized as your partner.")).toBeVisible();

  const dapLink = await requestLink(page);
  await open(customer, pathOf(dapLink));
  await expect(customer.getByText("Proseware Partners is already your reseller. It now asks only for delegated admin privileges.")).toBeVisible();
  await customer.getByRole("button", { name: "Decline" }).click();
  await expect(customer.getByText("You declined the request for delegated admin privileges from Proseware Partners. Proseware Partners stays your reseller; nothing was changed in your organization.")).toBeVisible();
  await expect(customer).toHaveTitle(/^Invitation declined – /);
  await checkPage(customer);
});

test("the region rule is told before an organization is created, and nothing is created in another region", async ({ browser, page }) => {
  await signUpPartner(page, { orgName: "Lakeshore Retail IT", country: "US" });
  const link = await requestLink(page);
  const customer = await newPage(browser);
  await open(customer, pathOf(link));
  const domain = uniqueDomain("lakeshore");
  await createCustomerOrg(customer, "Lakeshore Europe", domain, "DE");
  const form = customer.getByRole("form", { name: "Create your organization" });
  await expect(customer.getByText("Lakeshore Retail IT works with organizations in North America.")).toBeVisible();
  await expect(form.getByRole("alert")).toHaveText("Lakeshore Retail IT works with organizations in North America only, so it cannot become the partner of an organization in the European Union and EFTA. Nothing was created.");
  await expect(customer.getByRole("button", { name: "Sign out" })).toHaveCount(0);
  await checkPage(customer);

  // Nothing was written: the same domain and address still make an organization in the
  // partner's region.
  await form.getByRole("combobox", { name: "Country or region" }).selectOption("CA");
  await form.getByLabel("Password").fill("customer-password-123");
  await form.getByRole("button", { name: "Create organization and continue" }).click();
  await expect(customer.getByText(`Signed in as admin@${domain} for Lakeshore Europe.`)).toBeVisible();
  await checkPage(customer);
});

test("an unknown address is a styled, titled page with a way back", async ({ page }) => {
  for (const path of ["/nope", "/m365/nope", "/docs/nope"]) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(404);
    await expect(page).toHaveTitle(/^Page not found/);
    await expect(page.getByRole("heading", { name: "Page not found", level: 1 })).toBeVisible();
    // The stylesheet applies (a CSP that blocked it would also fail the test's console check).
    expect(await page.evaluate(() => document.styleSheets.length)).toBeGreaterThan(0);
    await expect(page.getByRole("main").getByRole("link", { name: "Go to the start page" })).toBeVisible();
    await checkPage(page);
  }
});

test("a page someone may not open says so in the frame of where they are, with their menu and a way on", async ({ page }) => {
  await signUpPartner(page, { orgName: "Wrong Door Partners" });
  const response = await page.goto("/m365/partners");
  expect(response?.status()).toBe(403);
  await expect(page).toHaveTitle("This page can't be shown – Microsoft 365 admin center");
  await expect(page.locator(".portal-name")).toHaveText("Microsoft 365 admin center");
  await expect(page.getByRole("heading", { name: "This page can't be shown", level: 1 })).toBeVisible();
  await expect(page.getByRole("alert")).toContainText("customer");
  await expect(page.getByRole("button", { name: "Sign out" })).toBeAttached();
  await page.getByRole("link", { name: "Go to the start page" }).click();
  await expect(page).toHaveURL(/\/partner\/customers$/);
  await checkPage(page);
});

test("a customer who signs out stays in the portal, signs in there and comes back", async ({ browser, page }) => {
  await signUpPartner(page, { orgName: "Portal Stay Partners" });
  const link = await requestLink(page, { dap: false });
  const customer = await newPage(browser);
  await open(customer, pathOf(link));
  const domain = uniqueDomain("portalstay");
  const admin = await createCustomerOrg(customer, "Portal Stay Customer", domain);
  await expect(customer.getByText(`Signed in as admin@${domain}`)).toBeVisible();
  await open(customer, "/m365/home");
  await customer.getByRole("button", { name: "Sign out" }).click();
  await expect(customer).toHaveURL(/\/m365\/home$/);
  await expect(customer.locator(".portal-name")).toHaveText("Microsoft 365 admin center");
  await expect(customer.getByRole("heading", { name: "Signed out", level: 1 })).toBeVisible();
  await expect(customer.getByRole("link", { name: /partner account/ })).toHaveCount(0);
  await checkPage(customer);
  const form = customer.getByRole("form", { name: "Sign in to your organization" });
  await form.getByLabel("Email").fill(admin.email);
  await form.getByLabel("Password").fill(admin.password);
  await form.getByRole("button", { name: "Sign in" }).click();
  await expect(customer).toHaveURL(/\/m365\/home$/);
  await expect(customer.getByRole("button", { name: "Sign out" })).toBeVisible();
  await checkPage(customer);
});
