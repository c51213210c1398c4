import { type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import * as http from "node:http";
import { type AddressInfo } from "node:net";
import * as path from "node:path";
import { checkPage, expect, scriptless } from "./fixtures";

/** Opens a page, waits until it is interactive (its islands hydrated) and checks it (axe, 375 px). */
export async function open(page: Page, path: string) {
  await page.goto(path);
  await waitHydrated(page);
  await checkPage(page);
}

export async function waitHydrated(page: Page) {
  if (scriptless(page)) return;
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
}

/** The path and query of an absolute invitation link, to open on the test server. */
export function pathOf(link: string) {
  const u = new URL(link);
  return u.pathname + u.search;
}

/** A row of the Customers page. */
export function customerRow(page: Page, domain: string) {
  return page.locator(`li[data-customer="${domain}"]`);
}

let counter = 0;
/** A fresh, unique email address for this run. */
export function uniqueEmail(prefix: string) {
  counter += 1;
  return `${prefix}.${Date.now().toString(36)}${counter}@example.com`;
}

export interface Partner {
  orgName: string;
  email: string;
  password: string;
}

/** Signs a new partner organization up through the real form; ends on Customers. */
export async function signUpPartner(
  page: Page,
  opts: { cloud?: string; country?: string; program?: string; partnerId?: string; orgName?: string; adminName?: string; approve?: boolean } = {},
): Promise<Partner> {
  const partner = {
    orgName: opts.orgName ?? `Reseller ${Date.now().toString(36)}`,
    email: uniqueEmail("partner"),
    password: "correct-horse-battery-staple",
  };
  await open(page, "/signup");
  await page.getByLabel("Organization name").fill(partner.orgName);
  await page.getByRole("combobox", { name: "Country or region" }).selectOption(opts.country ?? "US");
  await page.getByRole("combobox", { name: "Cloud", exact: true }).selectOption(opts.cloud ?? "public");
  await page.getByRole("combobox", { name: "Partner program" }).selectOption(opts.program ?? "direct");
  if (opts.partnerId) await page.getByLabel("Partner ID (MPN ID)").fill(opts.partnerId);
  await page.getByLabel("Your name").fill(opts.adminName ?? "Pat Partner");
  await page.getByLabel("Work email").fill(partner.email);
  await page.getByLabel("Password").fill(partner.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/partner\/customers$/);
  await expect(page.getByRole("heading", { name: "Customers", level: 1 })).toBeVisible();
  await waitHydrated(page);
  // Sign-up is by approval: nothing can be sent until the operator approves the tenant
  // shown on the page, with the server's own command.
  await expect(page.getByRole("heading", { name: "Waiting for approval" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Request a reseller relationship" })).toHaveCount(0);
  await checkPage(page);
  if (opts.approve === false) return partner;
  const tenant = (await page.locator("code.tenant-id").textContent())?.trim() ?? "";
  expect(approvePartner(tenant)).toContain(`Approved ${partner.orgName}`);
  await page.reload();
  await waitHydrated(page);
  await expect(page.getByRole("heading", { name: "Waiting for approval" })).toHaveCount(0);
  return partner;
}

/** `accord partners approve <tenant>` on the test server's database, as an operator runs it. */
export function approvePartner(tenant: string): string {
  const binary = path.resolve(__dirname, "../../target/release/accord");
  return execFileSync(binary, ["partners", "approve", tenant], { env: process.env, encoding: "utf8" });
}

export async function signIn(page: Page, email: string, password: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
}

/** Partner: Customers → Request a reseller relationship → Next; returns the invitation link. */
export async function requestLink(page: Page, opts: { dap?: boolean } = {}): Promise<string> {
  await open(page, "/partner/customers");
  await page.getByRole("link", { name: "Request a reseller relationship" }).click();
  await expect(page).toHaveURL(/\/partner\/customers\/request$/);
  await waitHydrated(page);
  const box = page.getByLabel("Include delegated administration privileges for Azure Active Directory and Office 365");
  await expect(box).toBeChecked();
  if (opts.dap === false) await box.uncheck();
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByRole("heading", { name: "Send this email to your customer" })).toBeVisible();
  await waitHydrated(page);
  await checkPage(page);
  const link = await page.getByTestId("invitation-link").inputValue();
  expect(link).toContain("/partner-invitation?invType=ResellerRelationship&partnerId=");
  return link;
}

export function uniqueDomain(prefix: string) {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}.onmicrosoft.com`;
}

/** Customer: from an invitation page, create the organization with its first Global admin. */
export async function createCustomerOrg(page: Page, company: string, domain: string, country = "US", adminName = "Casey Customer") {
  await page.getByRole("link", { name: "Create your organization" }).click();
  await waitHydrated(page);
  await checkPage(page);
  const form = page.getByRole("form", { name: "Create your organization" });
  await form.getByLabel("Company name").fill(company);
  await form.getByLabel("Domain").fill(domain);
  await form.getByRole("combobox", { name: "Country or region" }).selectOption(country);
  await form.getByLabel("Your name").fill(adminName);
  const email = `admin@${domain}`;
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Password").fill("customer-password-123");
  await form.getByRole("button", { name: "Create organization and continue" }).click();
  return { email, password: "customer-password-123" };
}

/** Customer: fill the Microsoft Customer Agreement signer and accept. */
export async function acceptWithAgreement(page: Page, signer = { first: "Casey", last: "Customer" }) {
  await expect(page.getByRole("group", { name: "Microsoft Customer Agreement" })).toBeVisible();
  await page.getByLabel("First name").fill(signer.first);
  await page.getByLabel("Last name").fill(signer.last);
  await page.getByLabel("Phone number (optional)").fill("+1 425 555 0100");
  await page.getByLabel(/I have the authority to accept/).check();
  await page.getByRole("button", { name: "Accept & Authorize" }).click();
}

export interface Delivery {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook endpoint on 127.0.0.1 that answers 204 and keeps what it got (the test server
 * runs with ACCORD_WEBHOOKS_ALLOW_PRIVATE=1). */
export async function webhookReceiver(pathname = "/accord") {
  const got: Delivery[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      got.push({ headers: req.headers, body });
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { got, url: `http://127.0.0.1:${port}${pathname}`, close: () => server.close() };
}

/** Users page → Add a user; ends on the new user's page and answers their one-time link. */
export async function addUser(page: Page, name: string, email: string, role: string) {
  const form = page.getByRole("region", { name: "Add a user" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Email").fill(email);
  await form.getByRole("combobox", { name: "Role" }).selectOption({ label: role });
  await form.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await waitHydrated(page);
  const box = page.getByLabel(`Link for ${name}`);
  await expect(box).toBeVisible();
  await checkPage(page);
  return box.inputValue();
}

/** Opens a set-password link in a new page, sets the password and ends signed in. */
export async function setPassword(page: Page, link: string, password: string) {
  await open(page, pathOf(link));
  await page.getByLabel("New password").fill(password);
  await page.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(page).not.toHaveURL(/\/set-password/);
  await waitHydrated(page);
}
