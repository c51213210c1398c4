import { checkPage, expect, newPage, test } from "./fixtures";
import {
  acceptWithAgreement,
  createCustomerOrg,
  customerRow,
  open,
  pathOf,
  requestLink,
  signUpPartner,
  uniqueDomain,
  waitHydrated,
} from "./helpers";

test("public cloud: request with DAP, new customer organization accepts, customer appears with DAP", async ({ browser, page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const partner = await signUpPartner(page, { cloud: "public", orgName: "Contoso Cloud Reseller" });
  const link = await requestLink(page);
  expect(link).toContain("/m365/partner-invitation?");
  expect(link).toMatch(/&msppId=0&DAP=true&sig=[A-Za-z0-9_-]{43}$/);

  // The draft email holds the link; copying puts it on the clipboard.
  const draft = page.getByLabel("Email message");
  await expect(draft).toHaveValue(new RegExp(link.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  await expect(draft).toHaveValue(/Contoso Cloud Reseller\n$/);
  await page.getByRole("button", { name: "Copy to clipboard" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Copied to clipboard" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain(link);
  const mailto = await page.getByRole("link", { name: "Open in email" }).getAttribute("href");
  expect(mailto).toMatch(/^mailto:\?subject=Contoso%20Cloud%20Reseller%20would%20like/);
  expect(mailto).toContain(encodeURIComponent(link));

  // Editing the link away warns before copying; the link can be put back.
  await draft.fill("Hello, please accept our invitation.");
  await page.getByRole("button", { name: "Copy to clipboard" }).click();
  await expect(page.getByRole("alert")).toContainText("no longer contains your invitation link");
  await expect(page.getByRole("alert")).toBeFocused();
  await checkPage(page);
  await page.getByRole("link", { name: "Open in email" }).click();
  await expect(page).toHaveURL(/\/partner\/customers\/request\/email/);
  await expect(page.getByRole("button", { name: "Open anyway" })).toBeVisible();
  await page.getByRole("button", { name: "Put the link back" }).click();
  await expect(draft).toHaveValue(new RegExp(`${link.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\n$`));
  await page.getByRole("link", { name: "Done" }).click();
  await expect(page).toHaveURL(/\/partner\/customers$/);

  // The customer's admin opens the link in the Microsoft 365 admin center.
  const customer = await newPage(browser);
  await open(customer, pathOf(link));
  await expect(customer).toHaveTitle("Microsoft 365 admin center");
  await expect(customer.locator(".portal-name")).toHaveText("Microsoft 365 admin center");
  await expect(customer.getByText("Contoso Cloud Reseller is asking to become your organization's partner.")).toBeVisible();
  await expect(customer.getByText("Contoso Cloud Reseller's Admin agents will act as Global admins in your organization.")).toBeVisible();
  const domain = uniqueDomain("fourthcoffee");
  await createCustomerOrg(customer, "Fourth Coffee", domain);
  await expect(customer.getByText(`Signed in as admin@${domain} for Fourth Coffee.`)).toBeVisible();
  await expect(customer).toHaveURL(/\/m365\/partner-invitation\?invType=ResellerRelationship/);
  await acceptWithAgreement(customer);
  await expect(customer.getByText("Done. Contoso Cloud Reseller is now authorized as your partner.")).toBeVisible();

  // Back on the partner side the customer appears, with delegated admin privileges.
  await open(page, "/partner/customers");
  const row = customerRow(page, domain);
  await expect(row.locator(".c-name")).toHaveText("Fourth Coffee");
  await expect(row.locator(".c-kind")).toHaveText("Relationship: Reseller");
  await expect(row.locator(".c-dap")).toHaveText("Delegated admin: Yes");
  const details = row.locator("details dl");
  await expect(details).toBeHidden();
  await row.locator("summary").click();
  await expect(row.locator("details")).toHaveAttribute("open", "");
  await expect(details).toContainText("Delegated admin: Azure Active Directory");
  await expect(details).toContainText("Delegated admin: Office 365");
  await expect(details).not.toContainText("Not granted");
  await expect(details).toContainText("Microsoft Customer Agreement (version 2019-10) accepted by Casey Customer");
  await checkPage(page);
  expect(partner.orgName).toBe("Contoso Cloud Reseller");
});

test("second accept is harmless and an accepted agreement is not asked again", async ({ browser, page }) => {
  await signUpPartner(page, { orgName: "First Partner" });
  const firstLink = await requestLink(page);
  const customer = await newPage(browser);
  await open(customer, pathOf(firstLink));
  const domain = uniqueDomain("tailspin");
  await createCustomerOrg(customer, "Tailspin Toys", domain);
  await acceptWithAgreement(customer);
  await expect(customer.getByText("Done. First Partner is now authorized as your partner.")).toBeVisible();

  // Sign out and back in on the invitation page itself: the way back is the same link.
  await open(customer, pathOf(firstLink));
  await customer.getByRole("button", { name: "Sign out" }).click();
  const signInForm = customer.getByRole("form", { name: "Sign in to your organization" });
  await expect(signInForm).toBeVisible();
  await expect(customer).toHaveURL(/\/m365\/partner-invitation\?invType=/);
  await signInForm.getByLabel("Email").fill(`admin@${domain}`);
  await signInForm.getByLabel("Password").fill("customer-password-123");
  await signInForm.getByRole("button", { name: "Sign in" }).click();

  // Opening the same link again: already authorized, nothing to do.
  await expect(customer.getByText("First Partner is already authorized as your partner. Nothing more is needed.")).toBeVisible();
  await expect(customer.getByRole("button", { name: "Accept & Authorize" })).toHaveCount(0);
  await open(page, "/partner/customers");
  await expect(customerRow(page, domain)).toHaveCount(1);

  // A second partner without DAP: the organization already accepted the agreement.
  const second = await newPage(browser);
  await signUpPartner(second, { orgName: "Second Partner" });
  const secondLink = await requestLink(second, { dap: false });
  expect(secondLink).toContain("&DAP=false&");
  await open(customer, pathOf(secondLink));
  await expect(customer.getByText("The invitation does not include delegated administration privileges")).toBeVisible();
  await expect(customer.getByText(/Your organization accepted the Microsoft Customer Agreement \(version 2019-10\) on [A-Z][a-z]+ \d{1,2}, \d{4}\./)).toBeVisible();
  await expect(customer.getByLabel("First name")).toHaveCount(0);
  await customer.getByRole("button", { name: "Accept & Authorize" }).click();
  await expect(customer.getByText("Done. Second Partner is now authorized as your partner.")).toBeVisible();
  await open(second, "/partner/customers");
  const row = customerRow(second, domain);
  await expect(row.locator(".c-dap")).toHaveText("Delegated admin: No");
});

test("a partner holding DAP blocks another partner's DAP request, which can be accepted without DAP", async ({ browser, page }) => {
  await signUpPartner(page, { orgName: "Holder Partner" });
  const holderLink = await requestLink(page);
  const customer = await newPage(browser);
  await open(customer, pathOf(holderLink));
  const domain = uniqueDomain("wideworld");
  await createCustomerOrg(customer, "Wide World Importers", domain);
  await acceptWithAgreement(customer);
  await expect(customer.getByText("Done. Holder Partner is now authorized")).toBeVisible();

  const other = await newPage(browser);
  await signUpPartner(other, { orgName: "Challenger Partner" });
  const otherLink = await requestLink(other);
  const response = await customer.goto(pathOf(otherLink));
  expect(response?.status()).toBe(409);
  await waitHydrated(customer);
  await expect(customer.getByRole("heading", { name: "Another partner already has delegated admin privileges" })).toBeVisible();
  // The holder once, with all its services; the invitation itself stays in view.
  await expect(customer.getByText("Holder Partner holds delegated admin privileges for Azure Active Directory and Office 365.")).toBeVisible();
  await expect(customer.getByText("Holder Partner holds")).toHaveCount(1);
  await expect(customer.getByText("Challenger Partner is asking to become your organization's partner.")).toBeVisible();
  await expect(customer.getByText("Challenger Partner's Admin agents will act as Global admins in your organization.")).toBeVisible();
  // Two answers, neither pressed on the reader.
  await expect(customer.getByRole("button", { name: "Decline" })).not.toHaveClass(/primary/);
  await expect(customer.getByRole("button", { name: "Accept without delegated admin privileges" })).not.toHaveClass(/primary/);
  await checkPage(customer);
  await customer.getByRole("button", { name: "Accept without delegated admin privileges" }).click();
  await expect(customer.getByText("Done. Challenger Partner is now authorized as your partner.")).toBeVisible();
  await open(other, "/partner/customers");
  await expect(customerRow(other, domain).locator(".c-dap")).toHaveText("Delegated admin: No");
});

test("declining changes nothing but is confirmed to the customer", async ({ browser, page }) => {
  await signUpPartner(page, { orgName: "Hopeful Partner" });
  const link = await requestLink(page);
  const customer = await newPage(browser);
  await open(customer, pathOf(link));
  const domain = uniqueDomain("alpineski");
  await createCustomerOrg(customer, "Alpine Ski House", domain);
  // A failed accept keeps what was typed.
  await customer.getByLabel("First name").fill("Alex");
  await customer.getByLabel("Last name").fill("");
  await customer.getByLabel(/I have the authority to accept/).check();
  await customer.getByLabel("Last name").evaluate((el) => el.removeAttribute("required"));
  await customer.getByRole("button", { name: "Accept & Authorize" }).click();
  await expect(customer.getByRole("alert")).toHaveText("Enter the signer's last name.");
  await expect(customer.getByLabel("First name")).toHaveValue("Alex");
  await customer.getByRole("button", { name: "Decline" }).click();
  await expect(customer.getByText("You declined the invitation from Hopeful Partner. Nothing was changed in your organization.")).toBeVisible();
  await open(page, "/partner/customers");
  await expect(page.getByText("No customers yet")).toBeVisible();
});

test("us-gov: DAP cannot be cleared and the customer accepts in the Microsoft Office Admin Portal", async ({ browser, page }) => {
  await signUpPartner(page, { cloud: "us-gov", orgName: "Adatum Federal" });
  await open(page, "/partner/customers/request");
  const box = page.getByLabel("Include delegated administration privileges for Azure Active Directory and Office 365");
  await expect(box).toBeChecked();
  await expect(box).toBeDisabled();
  await expect(page.getByText("always includes delegated administration privileges")).toBeVisible();
  // A forged "no DAP" request is refused by the server.
  await open(page, "/partner/customers/request/email");
  await expect(page.getByRole("alert")).toContainText("always includes delegated administration privileges");
  const link = await requestLink(page);
  expect(link).toContain("/gov/partner-invitation?");
  expect(link).toContain("&DAP=true&");

  const customer = await newPage(browser);
  await open(customer, pathOf(link));
  await expect(customer).toHaveTitle("Microsoft Office Admin Portal");
  await expect(customer.locator(".portal.portal-us-gov .portal-name")).toHaveText("Microsoft Office Admin Portal");
  await expect(customer.getByText("Your organization is created in Microsoft Cloud for US Government")).toBeVisible();
  const domain = uniqueDomain("treyresearch");
  await createCustomerOrg(customer, "Trey Research", domain);
  await acceptWithAgreement(customer);
  await expect(customer.getByText("Done. Adatum Federal is now authorized as your partner.")).toBeVisible();
  await open(page, "/partner/customers");
  await expect(customerRow(page, domain).locator(".c-dap")).toHaveText("Delegated admin: Yes");
});

test("china: the invitation opens in the Office 365 admin center operated by 21Vianet", async ({ browser, page }) => {
  await signUpPartner(page, { cloud: "china", country: "CN", orgName: "Litware Beijing" });
  const link = await requestLink(page);
  expect(link).toContain("/21v/partner-invitation?");
  const customer = await newPage(browser);
  await open(customer, pathOf(link));
  await expect(customer).toHaveTitle("Office 365 admin center operated by 21Vianet");
  // The browser asks for English, so the 21Vianet portal speaks English (see i18n.spec.ts).
  await expect(customer.locator("html")).toHaveAttribute("lang", "en");
  const domain = uniqueDomain("litwarecn");
  await createCustomerOrg(customer, "Litware Shanghai", domain, "CN");
  await acceptWithAgreement(customer);
  await expect(customer.getByText("Done. Litware Beijing is now authorized as your partner.")).toBeVisible();

  // A public-cloud link opened by this China organization is refused.
  const publicPartner = await newPage(browser);
  await signUpPartner(publicPartner, { cloud: "public", orgName: "Public Partner" });
  const publicLink = await requestLink(publicPartner);
  const response = await customer.goto(pathOf(publicLink));
  expect(response?.status()).toBe(403);
  await expect(customer.getByRole("heading", { name: "This invitation is for another cloud" })).toBeVisible();
  // A modified link: the refusal page still lets the signed-in admin switch accounts.
  expect((await customer.goto(pathOf(publicLink.replace("DAP=true", "DAP=false"))))?.status()).toBe(400);
  await expect(customer.getByRole("button", { name: "Sign out" })).toBeVisible();
});

test("tampered and replaced links are refused with a clear page", async ({ browser, page }) => {
  await signUpPartner(page, { orgName: "Careful Partner" });
  const link = await requestLink(page);
  const visitor = await newPage(browser);

  for (const tampered of [link.replace("DAP=true", "DAP=false"), link.replace(/sig=.*/, "sig=AAAA"), link.replace(/&sig=.*/, "")]) {
    const res = await visitor.goto(pathOf(tampered));
    expect(res?.status()).toBe(400);
    await expect(visitor.getByRole("heading", { name: "This invitation link isn't valid" })).toBeVisible();
    await expect(visitor.getByText("Nothing has been changed in your organization.")).toBeVisible();
  }
  const unknown = link.replace(/partnerId=[0-9a-f-]{36}/, "partnerId=00000000-0000-4000-8000-000000000000");
  expect((await visitor.goto(pathOf(unknown)))?.status()).toBe(404);
  await expect(visitor.getByRole("heading", { name: "We can't find this partner" })).toBeVisible();

  // The Global admin replaces the link: the old one stops working, the new one works.
  await open(page, "/partner/customers/request");
  // Without the confirmation the browser holds the form back.
  await page.getByRole("button", { name: "Replace invitation link" }).click();
  await expect(page.getByText("Your invitation link was replaced.", { exact: false })).toHaveCount(0);
  await page.getByLabel("I understand that every invitation link I sent before stops working.").check();
  await page.getByRole("button", { name: "Replace invitation link" }).click();
  await expect(page.getByText("Your invitation link was replaced. Earlier links no longer work.")).toBeVisible();
  const res = await visitor.goto(pathOf(link));
  expect(res?.status()).toBe(410);
  await expect(visitor.getByText("Careful Partner has replaced its invitation links with new ones.")).toBeVisible();
  const fresh = await requestLink(page);
  expect(fresh).not.toBe(link);
  expect((await visitor.goto(pathOf(fresh)))?.status()).toBe(200);
});
