import { checkPage, expect, newPage, test } from "./fixtures";
import { addUser, open, pathOf, signIn, signUpPartner, uniqueEmail, waitHydrated } from "./helpers";
import * as fs from "node:fs";
import * as path from "node:path";

/** A mail the suite's SMTP server (scripts/smtp-sink) received. */
interface Mail {
  rcpt_to: string[];
  to: string;
  subject: string;
  message_id: string;
  text: string;
  html: string;
}

function received(): Mail[] {
  const dir = process.env.SMTP_SINK_DIR;
  if (!dir) throw new Error("SMTP_SINK_DIR is not set: run the suite with scripts/e2e");
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as Mail);
}

function mailsTo(address: string): Mail[] {
  return received().filter((m) => m.rcpt_to.includes(address));
}

/** Waits until `address` has received a mail whose subject is `subject`; answers it. */
async function mailTo(address: string, subject: string): Promise<Mail> {
  await expect.poll(() => mailsTo(address).filter((m) => m.subject === subject).length, { timeout: 15_000 }).toBeGreaterThan(0);
  return mailsTo(address).filter((m) => m.subject === subject).at(-1)!;
}

function linkIn(mail: Mail): string {
  const found = mail.text.match(/https?:\/\/\S+\/set-password\?token=[A-Za-z0-9_-]+/);
  if (!found) throw new Error(`no set-password link in: ${mail.text}`);
  return found[0];
}

test("Forgot password mails a link that works once, ends the old password and says so by mail", async ({ browser, page }) => {
  const partner = await signUpPartner(page, { adminName: "Ada Admin", approve: false });
  const other = await newPage(browser);
  await open(other, "/signin");
  await other.getByRole("link", { name: "Forgot password?" }).click();
  await expect(other).toHaveURL(/\/forgot-password$/);
  await waitHydrated(other);
  await checkPage(other);
  await other.getByLabel("Email").fill(partner.email.toUpperCase());
  await other.getByRole("button", { name: "Send the link" }).click();
  await expect(other).toHaveURL(/\/forgot-password\?sent=1$/);
  const answer = await other.getByRole("status").textContent();
  expect(answer).toContain("If an account uses this address, we sent it a link.");
  await checkPage(other);

  // An address without an account gets the very same answer, and no mail.
  const nobody = uniqueEmail("nobody");
  await open(other, "/forgot-password");
  await other.getByLabel("Email").fill(nobody);
  await other.getByRole("button", { name: "Send the link" }).click();
  await expect(other).toHaveURL(/\/forgot-password\?sent=1$/);
  expect(await other.getByRole("status").textContent()).toBe(answer);

  const mail = await mailTo(partner.email, "Reset your Accord password");
  expect(mail.to).toBe(`Ada Admin <${partner.email}>`);
  expect(mail.text).toContain("The link works once, for one hour.");
  expect(mail.html).toContain("Choose a new password");
  const link = linkIn(mail);
  await open(other, pathOf(link));
  await expect(other.getByRole("heading", { name: "Set your password" })).toBeVisible();
  await other.getByLabel("New password").fill("a-brand-new-password-7");
  await other.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(other).toHaveURL(/\/partner\/customers$/);
  await waitHydrated(other);

  // Every earlier session ended: the first browser is asked to sign in again.
  await page.reload();
  await expect(page).toHaveURL(/\/signin/);
  // The link is used up.
  await open(other, pathOf(link));
  await expect(other.getByRole("heading", { name: "This link no longer works" })).toBeVisible();
  // The old password no longer works; the new one does.
  await open(page, "/signin");
  await signIn(page, partner.email, partner.password);
  await expect(page.getByText("The email or password is incorrect.", { exact: false })).toBeVisible();
  await signIn(page, partner.email, "a-brand-new-password-7");
  await expect(page).toHaveURL(/\/partner\/customers$/);

  const changed = await mailTo(partner.email, "Your Accord password was changed");
  expect(changed.text).toContain("every earlier session of this account was signed out");
  expect(mailsTo(nobody)).toEqual([]);
});

test("a user added by an admin gets the set-password link by mail, in the admin's language", async ({ browser, page }) => {
  await signUpPartner(page, { orgName: "Fabrikam Partners", approve: false });
  await open(page, "/partner/users");
  const email = uniqueEmail("mei");
  const shown = await addUser(page, "Mei Lin", email, "Admin agent");
  const mail = await mailTo(email, "You were added to Fabrikam Partners in Accord");
  expect(mail.text).toContain("added you to Fabrikam Partners in Accord as Admin agent.");
  expect(linkIn(mail)).toBe(shown);

  // The same, for an admin who reads Accord in Traditional Chinese.
  await page.goto("/locale/zh-TW");
  const email2 = uniqueEmail("hua");
  await open(page, "/partner/users");
  const form = page.getByRole("region", { name: "新增使用者" });
  await form.getByLabel("名稱").fill("王小華");
  await form.getByLabel("電子郵件").fill(email2);
  await form.getByRole("combobox", { name: "角色" }).selectOption({ label: "銷售代理人" });
  await form.getByRole("button", { name: "新增使用者" }).click();
  await expect(page.getByRole("heading", { name: "王小華", level: 1 })).toBeVisible();
  const zh = await mailTo(email2, "您已被新增至 Accord 中的 Fabrikam Partners");
  expect(zh.text).toContain("銷售代理人");
  expect(zh.to).toContain(email2);

  // The new user sets a password through the mailed link (a first password is no change to
  // be told of).
  const user = await newPage(browser);
  await open(user, pathOf(linkIn(mail)));
  await user.getByLabel("New password").fill("mei-password-12345");
  await user.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(user).toHaveURL(/\/partner\/customers$/);
  await page.waitForTimeout(1000);
  expect(mailsTo(email).map((m) => m.subject)).toEqual(["You were added to Fabrikam Partners in Accord"]);
});
