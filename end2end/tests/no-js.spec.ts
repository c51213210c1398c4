import { expect, test } from "@playwright/test";
import { acceptWithAgreement, createCustomerOrg, open, requestLink, signUpPartner, uniqueDomain } from "./helpers";

// Every form also works before (or without) hydration: plain HTML posts to the server
// functions, which redirect back with the result.
test("without JavaScript: sign-in errors are shown and sign-in works", async ({ browser, page }) => {
  const partner = await signUpPartner(page);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const noJs = await context.newPage();

  await noJs.goto("/partner/customers");
  await expect(noJs).toHaveURL(/\/signin\?next=/);
  await noJs.getByLabel("Email").fill(partner.email);
  await noJs.getByLabel("Password").fill("not-the-password");
  await noJs.getByRole("button", { name: "Sign in" }).click();
  await expect(noJs.getByRole("alert")).toHaveText("The email or password is incorrect.");

  await noJs.getByLabel("Email").fill(partner.email);
  await noJs.getByLabel("Password").fill(partner.password);
  await noJs.getByRole("button", { name: "Sign in" }).click();
  await expect(noJs).toHaveURL(/\/partner\/customers$/);
  await expect(noJs.getByRole("heading", { name: "Customers", level: 1 })).toBeVisible();
});

test("without JavaScript: a customer creates the organization and accepts", async ({ browser, page }) => {
  await signUpPartner(page, { orgName: "Plain HTML Partner" });
  const link = await requestLink(page);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const customer = await context.newPage();
  const u = new URL(link);
  await customer.goto(u.pathname + u.search);
  const domain = uniqueDomain("nojs");
  await createCustomerOrg(customer, "No Script Ltd", domain);
  await expect(customer.getByText(`Signed in as admin@${domain} for No Script Ltd.`)).toBeVisible();
  await acceptWithAgreement(customer);
  await expect(customer.getByText("Plain HTML Partner is already authorized as your partner.")).toBeVisible();
  await open(page, "/partner/customers");
  await expect(page.locator(`tbody[data-customer="${domain}"]`)).toHaveCount(1);
});
