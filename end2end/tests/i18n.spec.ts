import { checkPage, expect, newPage, test } from "./fixtures";
import { open, pathOf, requestLink, signUpPartner, uniqueDomain, waitHydrated } from "./helpers";

// Three languages: the switcher (kept in a cookie), then Accept-Language, then the cloud's
// default (21Vianet: Simplified Chinese).

test("zh-CN: a 21Vianet customer accepts in Simplified Chinese, the portal's default", async ({ browser, page }) => {
  await signUpPartner(page, { cloud: "china", country: "CN", orgName: "Litware 北京" });
  const link = await requestLink(page);
  // A browser asking for a language Accord does not have gets the cloud's default.
  const customer = await newPage(browser, { locale: "fr-FR" });
  await open(customer, pathOf(link));
  await expect(customer.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(customer).toHaveTitle("由世纪互联运营的 Office 365 管理中心");
  await expect(customer.getByRole("heading", { name: "接受合作伙伴邀请" })).toBeVisible();
  await expect(customer.getByText("Litware 北京 请求成为你的组织的合作伙伴。")).toBeVisible();

  const domain = uniqueDomain("zhcn");
  await customer.getByRole("link", { name: "创建你的组织" }).click();
  await waitHydrated(customer);
  await checkPage(customer);
  const form = customer.getByRole("form", { name: "创建你的组织" });
  // The 21Vianet portal shows its own tenant domains.
  await expect(form.locator("#domain-hint")).toContainText("contoso.partner.onmschina.cn");
  await expect(form.getByLabel("域", { exact: true })).toHaveAttribute("placeholder", "contoso.partner.onmschina.cn");
  await form.getByLabel("公司名称").fill("上海咖啡");
  await form.getByLabel("域", { exact: true }).fill(domain);
  await form.getByRole("combobox", { name: "国家/地区" }).selectOption("CN");
  await form.getByLabel("你的姓名").fill("王 芳");
  await form.getByLabel("电子邮件").fill(`admin@${domain}`);
  await form.getByLabel("密码").fill("customer-password-123");
  await form.getByRole("button", { name: "创建组织并继续" }).click();
  await expect(customer.getByText(`已以 admin@${domain} 的身份登录到 上海咖啡。`)).toBeVisible();
  await waitHydrated(customer);
  await checkPage(customer);

  // A refusal is in Chinese too, inline, and keeps what was typed.
  await expect(customer.getByRole("group", { name: "Microsoft 客户协议" })).toBeVisible();
  await customer.getByLabel("电话号码（可选）").fill("not a phone <b>");
  await customer.getByLabel(/我有权代表我的组织接受/).check();
  await customer.getByRole("button", { name: "接受并授权" }).click();
  await expect(customer.getByRole("alert")).toContainText("电话号码");
  await expect(customer.getByRole("alert")).toBeFocused();
  // The name written 王 芳 fills 姓氏 王 and 名字 芳, family name first.
  await expect(customer.getByLabel("姓氏")).toHaveValue("王");
  await expect(customer.getByLabel("名字")).toHaveValue("芳");
  await expect(customer.locator("fieldset.agreement .field-label").first()).toHaveText("姓氏");
  await customer.getByLabel("电话号码（可选）").fill("+86 10 5555 0100");
  await customer.getByRole("button", { name: "接受并授权" }).click();
  await expect(customer.getByText("已完成。Litware 北京 现已获得授权，成为你的合作伙伴。")).toBeVisible();
  await expect(customer.getByText("已完成。Litware 北京 现已获得授权，成为你的合作伙伴。")).toBeFocused();

  // The signer is recorded as written: 王芳, not 芳 王.
  await open(page, `/partner/customers`);
  const row = page.locator(`li[data-customer="${domain}"]`);
  await row.locator("summary").click();
  await expect(row.locator("details dl")).toContainText("accepted by 王芳 <");
});

test("zh-TW: Accept-Language and the switcher choose Traditional Chinese, the choice is kept", async ({ browser, page }) => {
  await signUpPartner(page, { orgName: "Contoso 台北", country: "TW" });
  const link = await requestLink(page);

  // The browser asks for Traditional Chinese.
  const customer = await newPage(browser, { locale: "zh-TW" });
  await open(customer, pathOf(link));
  await expect(customer.locator("html")).toHaveAttribute("lang", "zh-TW");
  await expect(customer).toHaveTitle("Microsoft 365 系統管理中心");
  await expect(customer.getByText("Contoso 台北 要求成為您組織的合作夥伴。")).toBeVisible();
  const domain = uniqueDomain("zhtw");
  await customer.getByRole("link", { name: "建立您的組織" }).click();
  await waitHydrated(customer);
  await checkPage(customer);
  const form = customer.getByRole("form", { name: "建立您的組織" });
  await form.getByLabel("公司名稱").fill("台北咖啡");
  await form.getByLabel("網域").fill(domain);
  await form.getByRole("combobox", { name: "國家/地區" }).selectOption("TW");
  await form.getByLabel("您的姓名").fill("陳 大文");
  await form.getByLabel("電子郵件").fill(`admin@${domain}`);
  await form.getByLabel("密碼").fill("customer-password-123");
  await form.getByRole("button", { name: "建立組織並繼續" }).click();
  await expect(customer.getByRole("group", { name: "Microsoft 客戶合約" })).toBeVisible();
  await waitHydrated(customer);
  await customer.getByLabel(/我有權代表我的組織接受/).check();
  await customer.getByRole("button", { name: "接受並授權" }).click();
  await expect(customer.getByText("完成。Contoso 台北 現在已獲授權成為您的合作夥伴。")).toBeVisible();

  // The partner, whose browser speaks English, switches to Traditional Chinese; the choice
  // is remembered on the next pages.
  await open(page, "/partner/customers");
  await page.getByText("Language: English").click();
  await page.getByRole("navigation", { name: "Language" }).getByRole("link", { name: "繁體中文" }).click();
  await expect(page).toHaveURL(/\/partner\/customers$/);
  await waitHydrated(page);
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-TW");
  await expect(page.getByRole("heading", { name: "客戶", level: 1 })).toBeVisible();
  await expect(page.locator(`li[data-customer="${domain}"] .c-name`)).toHaveText("台北咖啡");
  await checkPage(page);
  await page.getByRole("link", { name: "要求建立經銷商關係" }).click();
  await waitHydrated(page);
  await expect(page.getByLabel("包含 Azure Active Directory 和 Office 365 的委派系統管理權限")).toBeChecked();
  await page.getByRole("button", { name: "下一步" }).click();
  await expect(page.getByRole("heading", { name: "將這封電子郵件傳送給您的客戶" })).toBeVisible();
  await expect(page.getByRole("textbox", { name: "電子郵件訊息" })).toHaveValue(/Contoso 台北/);
  await checkPage(page);
  // And back to English.
  await page.getByText("語言: 繁體中文").click();
  await page.getByRole("navigation", { name: "語言" }).getByRole("link", { name: "English" }).click();
  await expect(page.getByRole("heading", { name: "Send this email to your customer" })).toBeVisible();
});

test("zh-CN: a wrong password is refused in Chinese without JavaScript too", async ({ browser, page }) => {
  const partner = await signUpPartner(page);
  const noJs = await newPage(browser, { javaScriptEnabled: false, locale: "zh-CN" });
  await noJs.goto("/signin");
  await expect(noJs.locator("html")).toHaveAttribute("lang", "zh-CN");
  await noJs.getByLabel("电子邮件").fill(partner.email);
  await noJs.getByLabel("密码").fill("not-the-password");
  await noJs.getByRole("button", { name: "登录" }).click();
  await expect(noJs.getByRole("alert")).toHaveText("电子邮件或密码不正确。");
  await checkPage(noJs);
});
