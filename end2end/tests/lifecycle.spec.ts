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
  await expect(customer.getByRole("heading", { name: "Partner authorized", level: 1 })).toBeVisible();
  await expect(customer).toHaveTitle("Partner authorized – Microsoft 365 admin center");
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
  // Under the invitation's own summary (the page's h1), the conflict is the next heading.
  await expect(customer.getByRole("heading", { name: /delegated admin/i, level: 2 })).toBeVisible();
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
  // Signed out, the portal's page asks to sign in right there, in the portal's look.
  await expect(noJsCustomer.getByRole("form", { name: "Sign in to your organization" })).toBeVisible();
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

/** RFC 4180 CSV (quoted fields, doubled quotes, CRLF) into rows of cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  if (cell !== "" || row.length) rows.push([...row, cell]);
  return rows;
}

test("activity log: filtered, paged and exported as CSV, with formula cells neutralised", async ({ browser, page }) => {
  const company = '=HYPERLINK("x"),"Inc"';
  const { customer } = await partnerWithCustomer(browser, page, "Ledger Partners", company);

  await open(page, "/partner/activity");
  await expect(page.getByRole("heading", { name: "Activity log", level: 1 })).toBeVisible();
  const rows = page.locator("table.activity tbody tr");
  await expect(rows).toHaveCount(3);
  await expect(rows.first()).toContainText(company);
  // Filtered by action with the plain GET form.
  await page.getByRole("combobox", { name: "Action" }).selectOption("dap.granted");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/action=dap\.granted/);
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Delegated admin privileges granted");
  await checkPage(page);
  // A date that cannot be read is said so.
  await open(page, "/partner/activity?from=2026-02-31");
  await expect(page.getByRole("alert")).toHaveText("Enter dates as YYYY-MM-DD, for example 2026-12-01.");

  // Export CSV of everything.
  await open(page, "/partner/activity");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
  expect(download.suggestedFilename()).toBe("accord-activity.csv");
  const path = await download.path();
  const text = (await import("node:fs")).readFileSync(path, "utf8");
  expect(text.charCodeAt(0)).toBe(0xfeff);
  const csv = parseCsv(text.slice(1));
  expect(csv[0]).toEqual(["Date and time (UTC)", "Organization", "Action", "Detail", "Performed by"]);
  expect(csv).toHaveLength(4);
  for (const row of csv.slice(1)) {
    expect(row).toHaveLength(5);
    expect(row[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(row[1]).toBe(`'${company}`);
  }
  expect(csv.slice(1).map((r) => r[2]).sort()).toEqual(["Customer agreement accepted", "Delegated admin privileges granted", "Relationship established"]);

  // The customer's admin sees the same events from its side, named by partner.
  await open(customer, "/m365/activity");
  await expect(customer.locator("table.activity tbody tr")).toHaveCount(3);
  await expect(customer.locator("table.activity tbody tr").first()).toContainText("Ledger Partners");
  await checkPage(customer);
});

test("a customer outside the partner's country and region is refused with a page naming both regions", async ({ browser, page }) => {
  await signUpPartner(page, { orgName: "Prairie Partners", country: "CA" });
  const link = await requestLink(page);
  const customer = await newPage(browser);
  await open(customer, pathOf(link));
  // Signed out, the page says up front what will be asked.
  await expect(customer.getByText("If your organization has not accepted the Microsoft Customer Agreement yet, you will be asked to accept it.")).toBeVisible();
  // An organization in Germany, made through a German partner's invitation (Prairie
  // Partners' own create-organization form would not create it; see acceptance.spec.ts).
  const berlin = await newPage(browser);
  await signUpPartner(berlin, { orgName: "Berlin Partners", country: "DE" });
  const berlinLink = await requestLink(berlin, { dap: false });
  await open(customer, pathOf(berlinLink));
  await createCustomerOrg(customer, "Munich Motors", uniqueDomain("munich"), "DE");
  await expect(customer.getByText("Signed in as admin@")).toBeVisible();
  await open(customer, pathOf(link));
  await expect(customer.getByRole("heading", { name: "This partner works in another region", level: 1 })).toBeVisible();
  await expect(customer.getByText(
    "Prairie Partners can become the partner of organizations in its own country or in North America. Your organization is in the European Union and EFTA, so it cannot accept this invitation.",
  )).toBeVisible();
  await expect(customer.getByRole("button", { name: "Accept & Authorize" })).toHaveCount(0);
  await checkPage(customer);
});
