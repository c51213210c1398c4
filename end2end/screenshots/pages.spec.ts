import { expect, test } from "@playwright/test";
import { acceptWithAgreement, createCustomerOrg, open, requestLink, signUpPartner, uniqueDomain } from "../tests/helpers";

// Renders the real pages into docs/screenshots for the README (`make screenshots`).
const shot = (name: string) => ({ path: `../docs/screenshots/${name}.png`, fullPage: true });

test("screenshots", async ({ browser, page }) => {
  await page.setViewportSize({ width: 1200, height: 800 });
  await open(page, "/signin");
  await page.screenshot(shot("sign-in"));
  await signUpPartner(page, { orgName: "Contoso Cloud Reseller" });
  await open(page, "/partner/customers/request");
  await page.screenshot(shot("request-relationship"));
  const link = await requestLink(page);
  await page.screenshot(shot("draft-email"));

  const customer = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
  const path = new URL(link).pathname + new URL(link).search;
  await open(customer, path);
  await customer.screenshot(shot("m365-invitation-signed-out"));
  const domain = uniqueDomain("fourthcoffee");
  await createCustomerOrg(customer, "Fourth Coffee", domain);
  await expect(customer.getByRole("group", { name: "Microsoft Customer Agreement" })).toBeVisible();
  await customer.screenshot(shot("m365-accept"));
  await acceptWithAgreement(customer);
  await expect(customer.getByText("is now authorized")).toBeVisible();

  await open(page, "/partner/customers");
  await page.getByRole("button", { name: "Show account details of Fourth Coffee" }).click();
  await page.screenshot(shot("customers"));

  await customer.goto(path.replace("DAP=true", "DAP=false"));
  await customer.screenshot(shot("refused-modified-link"));

  for (const [cloud, country, name] of [["us-gov", "US", "gov"], ["china", "CN", "21v"]]) {
    const p = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
    await signUpPartner(p, { cloud, country, orgName: cloud === "china" ? "Litware Beijing" : "Adatum Federal" });
    const l = await requestLink(p);
    const c = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
    await open(c, new URL(l).pathname + new URL(l).search);
    await c.screenshot(shot(`${name}-invitation`));
  }
});
