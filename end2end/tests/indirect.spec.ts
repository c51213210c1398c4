import { checkPage, expect, newPage, test } from "./fixtures";
import { acceptWithAgreement, createCustomerOrg, customerRow, open, pathOf, signUpPartner, uniqueDomain, waitHydrated } from "./helpers";

/** A partner id no other test of this run uses. */
function partnerId() {
  return String(4_000_000 + Math.floor(Math.random() * 5_000_000));
}

test("indirect reseller connects with a provider, and one invitation makes the customer theirs both", async ({ browser, page }) => {
  // The provider and the reseller, each signed up and approved.
  const providerId = partnerId();
  const providerName = `Adventure Works Distribution ${providerId}`;
  await signUpPartner(page, { program: "indirect_provider", partnerId: providerId, orgName: providerName });
  const reseller = await newPage(browser);
  const resellerName = `Lakeshore Resellers ${providerId}`;
  await signUpPartner(reseller, { program: "indirect_reseller", partnerId: partnerId(), orgName: resellerName });

  // The reseller asks to connect.
  await reseller.getByRole("navigation", { name: "Partner" }).getByRole("link", { name: "Indirect providers" }).click();
  await waitHydrated(reseller);
  await expect(reseller.getByText("You are not connected with any indirect provider yet.")).toBeVisible();
  await checkPage(reseller);
  await reseller.getByLabel("Provider's partner ID").fill("12");
  await reseller.getByRole("button", { name: "Send request" }).click();
  await expect(reseller.getByRole("alert")).toContainText("No indirect provider of your cloud has this partner ID.");
  await reseller.getByLabel("Provider's partner ID").fill(providerId);
  await reseller.getByRole("button", { name: "Send request" }).click();
  await expect(reseller.getByText(`Your request was sent to ${providerName}.`)).toBeVisible();
  await expect(reseller.locator(`tr[data-partner="${providerName}"] td.state`)).toHaveText("Requested");
  await expect(reseller.getByRole("link", { name: "Invite new customers" })).toHaveCount(0);
  await checkPage(reseller);

  // The provider accepts.
  await page.getByRole("navigation", { name: "Partner" }).getByRole("link", { name: "Indirect resellers" }).click();
  await waitHydrated(page);
  const row = page.locator(`tr[data-partner="${resellerName}"]`);
  await expect(row.locator("td.state")).toHaveText("Requested");
  await checkPage(page);
  await row.getByRole("button", { name: "Accept" }).click();
  await expect(page.getByText(`${resellerName}: Connected.`)).toBeVisible();
  await expect(row.locator("td.state")).toHaveText("Connected");
  await checkPage(page);

  // The reseller invites with the provider: the same draft page, one combined link.
  await open(reseller, "/partner/indirect-providers");
  await expect(reseller.locator(`tr[data-partner="${providerName}"] td.state`)).toHaveText("Connected");
  await reseller.getByRole("link", { name: "Invite new customers" }).click();
  await waitHydrated(reseller);
  await expect(reseller.getByRole("heading", { level: 1 })).toHaveText(`Invite customers to a reseller relationship with you and ${providerName}`);
  await checkPage(reseller);
  await reseller.getByRole("button", { name: "Next" }).click();
  await expect(reseller.getByRole("heading", { name: "Send this email to your customer" })).toBeVisible();
  await waitHydrated(reseller);
  await expect(reseller.getByText(`The link invites the customer to a reseller relationship with you and ${providerName} at the same time.`)).toBeVisible();
  await checkPage(reseller);
  const link = await reseller.getByTestId("invitation-link").inputValue();
  expect(link).toMatch(/invType=IndirectResellerRelationship&partnerId=[0-9a-f-]{36}&msppId=\d+&indirectCSPId=[0-9a-f-]{36}&DAP=true&sig=/);
  const draftText = await reseller.locator("textarea.draft").inputValue();
  expect(draftText).toContain(link);
  // The email names the second company and what it will be.
  expect(draftText).toContain(`${providerName} is our indirect provider: with the same link, ${resellerName} becomes your indirect reseller and ${providerName} your indirect provider`);

  // The customer sees both partners and what each will do, and accepts once.
  const customer = await newPage(browser);
  await open(customer, pathOf(link));
  await expect(customer.getByText(`${resellerName} invites your organization to a reseller relationship with ${resellerName} as your indirect reseller and ${providerName} as your indirect provider.`)).toBeVisible();
  await expect(customer.getByText(`${providerName} will be able to place orders for subscriptions and services on your behalf.`)).toBeVisible();
  await expect(customer.getByText(`${resellerName} will be your reseller of record.`)).toBeVisible();
  const domain = uniqueDomain("twotier");
  await createCustomerOrg(customer, "Tailwind Traders", domain);
  await acceptWithAgreement(customer);
  await expect(customer.getByRole("heading", { name: "Partner authorized", level: 1 })).toBeVisible();
  await expect(customer.getByText(`Done. ${resellerName} is now your indirect reseller and ${providerName} your indirect provider.`)).toBeVisible();
  await open(customer, "/m365/partners");
  await expect(customer.locator(`li.partner-item[data-partner="${resellerName}"] dd.kind`)).toHaveText("Indirect reseller");
  await expect(customer.locator(`li.partner-item[data-partner="${resellerName}"] dd.dap`)).toHaveText([/^Granted on /, /^Granted on /]);
  await expect(customer.locator(`li.partner-item[data-partner="${providerName}"] dd.kind`)).toHaveText("Indirect provider");
  await expect(customer.locator(`li.partner-item[data-partner="${providerName}"] dd.dap`)).toHaveText(["Not granted", "Not granted"]);

  // Both partners see the customer.
  for (const partner of [page, reseller]) {
    await open(partner, "/partner/customers");
    await expect(customerRow(partner, domain)).toHaveCount(1);
  }

  // The provider ends the connection: the link no longer works, and says why.
  await open(page, "/partner/indirect-resellers");
  await row.getByRole("button", { name: "End connection" }).click();
  await expect(row.locator("td.state")).toHaveText("Ended");
  const late = await newPage(browser);
  await late.goto(pathOf(link));
  await expect(late.getByRole("heading", { name: "This invitation no longer works" })).toBeVisible();
  await expect(late.getByText(`${resellerName} is not connected with ${providerName} as its indirect provider (any more)`)).toBeVisible();
  await checkPage(late);
});

test("a direct partner has no indirect pages and cannot make an indirect link", async ({ page }) => {
  await signUpPartner(page, { orgName: "Direct Only Ltd" });
  await expect(page.getByRole("navigation", { name: "Partner" }).getByRole("link", { name: /Indirect/ })).toHaveCount(0);
  const response = await page.goto("/partner/indirect-providers");
  expect(response?.status()).toBe(403);
  await expect(page.getByText("This is for indirect resellers only.")).toBeVisible();
  await checkPage(page);
  const draft = await page.goto("/partner/customers/request/email?dap=true&provider=9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d");
  expect(draft?.status()).toBe(403);
  await expect(page.getByTestId("invitation-link")).toHaveCount(0);
  await checkPage(page);
});
