import { checkPage, expect, newPage, test } from "./fixtures";
import { acceptWithAgreement, approvePartner, createCustomerOrg, customerRow, open, pathOf, requestLink, signUpPartner, uniqueDomain } from "./helpers";

// Every form also works without JavaScript: plain HTML posts to the server functions,
// which redirect back; the page then shows the outcome (or the error) itself.

test("without JavaScript: sign-in errors are shown and sign-in works", async ({ browser, page }) => {
  const partner = await signUpPartner(page);
  const noJs = await newPage(browser, { javaScriptEnabled: false });

  await noJs.goto("/partner/customers");
  await expect(noJs).toHaveURL(/\/signin\?next=/);
  await noJs.getByLabel("Email").fill(partner.email);
  await noJs.getByLabel("Password").fill("not-the-password");
  await noJs.getByRole("button", { name: "Sign in" }).click();
  await expect(noJs.getByRole("alert")).toHaveText("The email or password is incorrect.");
  await checkPage(noJs);

  await noJs.getByLabel("Email").fill(partner.email);
  await noJs.getByLabel("Password").fill(partner.password);
  await noJs.getByRole("button", { name: "Sign in" }).click();
  await expect(noJs).toHaveURL(/\/partner\/customers$/);
  await expect(noJs.getByRole("heading", { name: "Customers", level: 1 })).toBeVisible();

  await noJs.getByRole("button", { name: "Sign out" }).click();
  await expect(noJs).toHaveURL(/\/signin$/);
});

test("without JavaScript: a partner signs up, requests a link, copies the draft and replaces the link", async ({ browser }) => {
  const noJs = await newPage(browser, { javaScriptEnabled: false });
  await noJs.goto("/signup");
  await noJs.getByLabel("Organization name").fill("No Script Partner");
  await noJs.getByRole("combobox", { name: "Country or region" }).selectOption("DE");
  await noJs.getByRole("combobox", { name: "Partner program" }).selectOption("indirect_reseller");
  await noJs.getByLabel("Your name").fill("Nora NoScript");
  await noJs.getByLabel("Work email").fill(`noscript.${Date.now()}@example.com`);
  await noJs.getByLabel("Password").fill("correct-horse-battery-staple");
  await noJs.getByRole("button", { name: "Create account" }).click();
  // An indirect reseller needs its partner ID: the error comes back with the page.
  await expect(noJs.getByRole("alert")).toHaveText("Enter your numeric partner ID (MPN ID), for example 4123456.");
  await checkPage(noJs);
  await noJs.getByLabel("Organization name").fill("No Script Partner");
  await noJs.getByRole("combobox", { name: "Country or region" }).selectOption("DE");
  await noJs.getByLabel("Your name").fill("Nora NoScript");
  await noJs.getByLabel("Work email").fill(`noscript.${Date.now()}@example.com`);
  await noJs.getByLabel("Password").fill("correct-horse-battery-staple");
  await noJs.getByRole("button", { name: "Create account" }).click();
  await expect(noJs.getByRole("heading", { name: "Customers", level: 1 })).toBeVisible();
  // Waiting for the operator, who approves the tenant shown on the page.
  await expect(noJs.getByRole("heading", { name: "Waiting for approval" })).toBeVisible();
  await checkPage(noJs);
  approvePartner((await noJs.locator("code.tenant-id").textContent())!.trim());
  await noJs.reload();

  await noJs.getByRole("link", { name: "Request a reseller relationship" }).click();
  await noJs.getByLabel("Include delegated administration privileges for Azure Active Directory and Office 365").uncheck();
  await noJs.getByRole("button", { name: "Next" }).click();
  await expect(noJs.getByRole("heading", { name: "Send this email to your customer" })).toBeVisible();
  const link = await noJs.getByTestId("invitation-link").inputValue();
  expect(link).toContain("&DAP=false&");
  await expect(noJs.getByLabel("Email message")).toHaveValue(new RegExp(link.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  // Copying needs a script: the button is not offered; the draft can be selected, or opened.
  await expect(noJs.getByRole("button", { name: "Copy to clipboard" })).toBeHidden();
  await expect(noJs.getByText("Select the message and copy it, or open it in your email program.")).toBeVisible();
  expect(await noJs.getByRole("link", { name: "Open in email" }).getAttribute("href")).toContain(encodeURIComponent(link));
  await checkPage(noJs);

  await noJs.goto("/partner/customers/request");
  await noJs.getByLabel("I understand that every invitation link I sent before stops working.").check();
  await noJs.getByRole("button", { name: "Replace invitation link" }).click();
  await expect(noJs.getByText("Your invitation link was replaced. Earlier links no longer work.")).toBeVisible();
  const res = await noJs.goto(pathOf(link));
  expect(res?.status()).toBe(410);
});

test("without JavaScript: a customer creates the organization, fixes an error and accepts; another declines", async ({ browser, page }) => {
  await signUpPartner(page, { orgName: "Plain HTML Partner" });
  const link = await requestLink(page);
  const customer = await newPage(browser, { javaScriptEnabled: false });
  await customer.goto(pathOf(link));
  const domain = uniqueDomain("nojs");
  await createCustomerOrg(customer, "No Script Ltd", domain);
  await expect(customer.getByText(`Signed in as admin@${domain} for No Script Ltd.`)).toBeVisible();

  // The server refuses a bad phone number; the page says why.
  await customer.getByLabel("First name").fill("Casey");
  await customer.getByLabel("Last name").fill("Customer");
  await customer.getByLabel("Phone number (optional)").fill("call me maybe");
  await customer.getByLabel(/I have the authority to accept/).check();
  await customer.getByRole("button", { name: "Accept & Authorize" }).click();
  await expect(customer.getByRole("alert")).toHaveText("Enter the phone number with digits, spaces and + - ( ) only, or leave it empty.");
  await checkPage(customer);
  await acceptWithAgreement(customer);
  await expect(customer.getByText("Done. Plain HTML Partner is now authorized as your partner.")).toBeVisible();
  await checkPage(customer);
  await open(page, "/partner/customers");
  await expect(customerRow(page, domain)).toHaveCount(1);

  // A second organization declines, then signs out: both are plain forms.
  const other = await newPage(browser, { javaScriptEnabled: false });
  await other.goto(pathOf(link));
  const otherDomain = uniqueDomain("nojsdecline");
  await createCustomerOrg(other, "Declining Ltd", otherDomain);
  await other.getByRole("button", { name: "Decline" }).click();
  await expect(other.getByText("You declined the invitation from Plain HTML Partner. Nothing was changed in your organization.")).toBeVisible();
  await checkPage(other);
  await other.getByRole("button", { name: "Sign out" }).click();
  await expect(other.getByRole("form", { name: "Sign in to your organization" })).toBeVisible();
  await open(page, "/partner/customers");
  await expect(customerRow(page, otherDomain)).toHaveCount(0);
});
