import { expect, type Page } from "@playwright/test";

/** Opens a page and waits until it is interactive (hydrated). */
export async function open(page: Page, path: string) {
  await page.goto(path);
  await waitHydrated(page);
}

export async function waitHydrated(page: Page) {
  await expect(page.locator("body[data-hydrated]")).toHaveCount(1);
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
  opts: { cloud?: string; country?: string; program?: string; partnerId?: string; orgName?: string } = {},
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
  await page.getByLabel("Your name").fill("Pat Partner");
  await page.getByLabel("Work email").fill(partner.email);
  await page.getByLabel("Password").fill(partner.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/partner\/customers$/);
  await expect(page.getByRole("heading", { name: "Customers", level: 1 })).toBeVisible();
  return partner;
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
