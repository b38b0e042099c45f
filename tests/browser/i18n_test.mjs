// English and Simplified Chinese (issue 19): the language from the browser (navigator.languages),
// the switch in the header, remembered per user; the main flows in zh-CN (sign-in, the agent
// desktop's offer and accept, the supervisor view, the admin connector with 状态同步 and
// 显示用户详细信息, 停用 / 重新激活); a server error mapped from its code; dates through Intl. Every
// screen in both languages at 1440x900 and 768 px wide, each with the accessibility check
// (labels, names, tab order, contrast) in screens_en_test.mjs and screens_zh_test.mjs. Its own
// `ccteams demo`.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Demo } from './demo.mjs';
import { answerEntra, Browser, eventually, kBinary, kWait } from './support.mjs';

const demo = new Demo(kBinary);
const browser = new Browser();
let adminToken;

before(async () => {
  await browser.launch();
  await demo.start();
  adminToken = await demo.token('admin');
  assert.equal(await demo.setUpConnector(adminToken), 200);
});

after(async () => {
  await browser.close();
  await demo.stop();
  browser.assertClean();
});

// A page in a fresh context whose browser speaks locale (navigator.languages follows it).
async function pageIn(locale, { width = 1440, height = 900 } = {}) {
  const context = await browser.browser.newContext({ locale, viewport: { width, height }, ignoreHTTPSErrors: true });
  context.on('page', (p) => browser.watch(p));
  return context.newPage();
}

async function signInAs(page, username, { user = '用户名', password = '密码', submit = '登录' } = {}) {
  await page.goto(demo.base + '/sign-in.html');
  await page.getByLabel(user, { exact: true }).fill(username);
  await page.getByLabel(password, { exact: true }).fill('pw');
  await page.getByRole('button', { name: submit, exact: true }).click();
}

test('the language follows the browser: zh-CN sign-in, its errors from the code, html lang', async () => {
  const page = await pageIn('zh-CN');
  await page.goto(demo.base + '/');
  await page.getByRole('button', { name: '登录', exact: true }).waitFor({ timeout: kWait });
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  assert.equal(await page.title(), '登录 — ccteams');
  await page.getByLabel('用户名', { exact: true }).fill('agent1');
  await page.getByLabel('密码', { exact: true }).fill('wrong');
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.getByRole('alert').filter({ hasText: '用户名或密码错误。' }).waitFor({ timeout: kWait });
  await page.context().close();

  const en = await pageIn('en-GB');
  await en.goto(demo.base + '/');
  await en.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: kWait });
  assert.equal(await en.evaluate(() => document.documentElement.lang), 'en');
  await en.context().close();
});

test('the switch in the header is remembered per user', async () => {
  const page = await pageIn('en-US');
  await signInAs(page, 'agent2', { user: 'Username', password: 'Password', submit: 'Sign in' });
  await page.waitForURL(/\/desktop\.html/, { timeout: kWait });
  await page.getByRole('heading', { name: 'Agent desktop' }).waitFor({ timeout: kWait });
  // agent2 switches to Chinese: the page reloads in it.
  await page.getByLabel('Language').selectOption('zh-CN');
  await page.getByRole('heading', { name: '座席桌面' }).waitFor({ timeout: kWait });
  await page.getByRole('button', { name: '退出登录' }).click();
  await page.waitForURL(/\/sign-in\.html/, { timeout: kWait });
  // The sign-in page keeps this browser's last choice; the supervisor switches it back.
  await page.getByRole('button', { name: '登录', exact: true }).waitFor({ timeout: kWait });
  await page.getByLabel('语言').selectOption('en');
  await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor({ timeout: kWait });
  await signInAs(page, 'supervisor', { user: 'Username', password: 'Password', submit: 'Sign in' });
  await page.waitForURL(/\/supervisor\.html/, { timeout: kWait });
  await page.getByRole('heading', { name: 'Supervisor', exact: true }).waitFor({ timeout: kWait });
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/sign-in\.html/, { timeout: kWait });
  // agent2 again, in the same browser now in English: agent2's own choice wins.
  await signInAs(page, 'agent2', { user: 'Username', password: 'Password', submit: 'Sign in' });
  await page.getByRole('heading', { name: '座席桌面' }).waitFor({ timeout: kWait });
  await page.context().close();
});

test('zh-CN: the agent desktop offer and accept, seen live by the supervisor', async () => {
  const agent = await pageIn('zh-CN');
  await signInAs(agent, 'agent1');
  await agent.waitForURL(/\/desktop\.html/, { timeout: kWait });
  const supervisor = await pageIn('zh-CN');
  await signInAs(supervisor, 'supervisor');
  await supervisor.waitForURL(/\/supervisor\.html/, { timeout: kWait });
  await supervisor.getByRole('heading', { name: '主管', exact: true }).waitFor({ timeout: kWait });
  const row = supervisor.locator('#agents tr[data-agent="agent1"]');
  await row.waitFor({ timeout: kWait });

  await agent.getByRole('button', { name: '登录桌面' }).click();
  const badge = agent.locator('#state-text');
  await badge.filter({ hasText: '可用' }).waitFor({ timeout: kWait });
  await row.locator('td[data-label="状态"]').filter({ hasText: '可用' }).waitFor({ timeout: kWait });

  const queues = (await demo.call('GET', '/api/v1/queues', { token: adminToken })).body.items;
  const sales = queues.find((q) => q.name === 'Sales') || queues[0];
  const created = await demo.call('POST', '/api/v1/demo/contacts',
    { token: adminToken, body: { queueId: sales.id, caller: '+14255550177' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const offer = agent.getByRole('region', { name: '呼入联络' });
  await offer.waitFor({ timeout: kWait });
  assert.match(await offer.textContent(), new RegExp(`\\+14255550177 来电（${sales.name}）`));
  assert.match(await agent.locator('#offer-countdown').textContent(), /^\d+ 秒$/);
  await badge.filter({ hasText: '振铃中' }).waitFor({ timeout: kWait });
  await row.locator('td[data-label="状态"]').filter({ hasText: '振铃中' }).waitFor({ timeout: kWait });
  await agent.getByRole('button', { name: '接受' }).click();
  const active = agent.getByRole('region', { name: '当前联络' });
  await active.waitFor({ timeout: kWait });
  await active.getByText('+14255550177: 已接通').waitFor({ timeout: kWait });
  await badge.filter({ hasText: '正在联络' }).waitFor({ timeout: kWait });
  await row.locator('td[data-label="状态"]').filter({ hasText: '正在联络' }).waitFor({ timeout: kWait });
  // The supervisor's filters and the charts speak Chinese too; numbers and times through Intl.
  assert.ok((await supervisor.locator('#filter-origin option').allTextContents()).includes('因 Teams 而空闲'));
  assert.match(await supervisor.locator('#states-chart svg title').textContent(), /当前：/);
  await agent.getByRole('button', { name: '结束联络' }).click();
  await badge.filter({ hasText: /话后处理|可用/ }).waitFor({ timeout: kWait });
  if ((await badge.textContent()).includes('话后处理')) {
    await agent.getByRole('button', { name: '完成话后处理' }).click();
    await badge.filter({ hasText: '可用' }).waitFor({ timeout: kWait });
  }
  await agent.getByRole('button', { name: '注销桌面' }).click();
  await badge.filter({ hasText: '已注销' }).waitFor({ timeout: kWait });
  await agent.context().close();
  await supervisor.context().close();
});

test('zh-CN: the admin connector — 状态同步, 显示用户详细信息, 停用 and 重新激活; an error from its code; Intl dates', async () => {
  const page = await pageIn('zh-CN');
  await signInAs(page, 'admin');
  await page.waitForURL(/\/admin\.html/, { timeout: kWait });
  const card = page.getByRole('region', { name: 'Microsoft Teams' });
  await card.locator('[data-status="Active"]').filter({ hasText: '活动' }).waitFor({ timeout: kWait });
  await card.getByText(`由 ${demo.globalAdmin} 在 Microsoft Entra 中授予同意`).waitFor({ timeout: kWait });
  await card.getByRole('link', { name: '查看/编辑详细信息' }).click();
  const sync = page.getByRole('checkbox', { name: '状态同步' });
  const details = page.getByRole('checkbox', { name: '显示用户详细信息' });
  await sync.waitFor({ timeout: kWait });
  assert.ok(await details.isChecked(), 'the demo turns Show user details on');
  await sync.uncheck();
  await page.getByRole('status').filter({ hasText: '状态同步已关闭。' }).waitFor({ timeout: kWait });
  assert.equal((await demo.call('GET', '/api/v1/connectors/msteams', { token: adminToken })).body.presenceSync, false);
  await sync.check();
  await eventually(async () => (await demo.call('GET', '/api/v1/connectors/msteams', { token: adminToken })).body.presenceSync,
    { what: 'presence sync on' });
  await page.locator('#sync-health').filter({ hasText: /正在进行首次同步|正常|正在运行/ }).waitFor({ timeout: kWait });

  const status = page.getByRole('region', { name: '连接器', exact: true });
  await status.getByRole('button', { name: '停用' }).click();
  const ask = page.getByRole('dialog', { name: '停用 Microsoft Teams？' });
  await ask.getByRole('button', { name: '停用' }).click();
  await status.locator('[data-status="Inactive"]').filter({ hasText: '已停用' }).waitFor({ timeout: kWait });
  await status.getByRole('button', { name: '重新激活' }).click();
  await status.locator('[data-status="Active"]').waitFor({ timeout: kWait });

  // A refusal (409) in Chinese from its code, beside the control, the server's words after it.
  await page.locator('#admin-nav').getByRole('link', { name: '空闲代码' }).click();
  const region = page.getByRole('region', { name: '空闲代码' });
  await region.getByRole('textbox', { name: '名称', exact: true }).fill('RONA');
  await region.getByRole('button', { name: '创建空闲代码' }).click();
  await region.locator('form.create .feedback.error').filter({ hasText: /^当前状态不允许此操作。（服务器：.*RONA/ })
    .waitFor({ timeout: kWait });

  // The audit log: plain words and dates in Chinese (Intl: "2026年12月7日 …").
  await page.locator('#admin-nav').getByRole('link', { name: '审核日志' }).click();
  const first = page.locator('#audit tbody tr').first();
  await first.waitFor({ timeout: kWait });
  assert.match(await first.locator('th').textContent(), /\d{4}年\d{1,2}月\d{1,2}日/);
  const said = await page.locator('#audit tbody td:nth-child(3)').allTextContents();
  assert.ok(said.includes('admin 重新激活了连接器。'), said.join('\n'));
  assert.ok(said.includes('admin 停用了连接器。'), said.join('\n'));
  // The server's own sentences (details) by their message codes: "Active -> Inactive".
  const detailTexts = await page.locator('#audit tbody td.detail').allTextContents();
  assert.ok(detailTexts.includes('活动 → 已停用'), detailTexts.join('\n'));

  // The connector's last error in Chinese: consent revoked in Entra, so reactivating is refused
  // (beside the button) and the connector shows why it is in AuthorizationError.
  assert.equal((await demo.call('POST', '/api/v1/connectors/msteams/deactivate', { token: adminToken })).status, 200);
  assert.ok([200, 204].includes((await demo.emulator('POST', '/_emulator/consent/revoke', {})).status));
  await page.goto(demo.base + '/admin.html#connectors/msteams');
  await status.getByRole('button', { name: '重新激活' }).click();
  await status.locator('.feedback.error').filter({ hasText: /管理员必须重新授权连接器（设置）。$/ }).waitFor({ timeout: kWait });
  await page.reload();
  await status.locator('[data-status="AuthorizationError"]').waitFor({ timeout: kWait });
  assert.match(await status.locator('p.error').textContent(), /^Microsoft Entra ID .*租户.*管理员必须重新授权连接器（设置）。$/);
  // The audit log says it too, the detail included.
  await page.locator('#admin-nav').getByRole('link', { name: '审核日志' }).click();
  await page.locator('#audit tbody tr[data-action="authorization error"] td.detail')
    .filter({ hasText: /^已停用 → 授权错误：Microsoft Entra ID .*管理员必须重新授权连接器/ }).first().waitFor({ timeout: kWait });

  // A sign-in refused in the Set up popup, in Chinese: an ordinary member is no administrator.
  await page.goto(demo.base + '/admin.html#connectors/msteams');
  await status.getByRole('button', { name: '重新设置' }).click();
  const dialog = page.getByRole('dialog', { name: '设置 Microsoft Teams' });
  const popupOpened = page.waitForEvent('popup');
  await dialog.getByRole('button', { name: '授权' }).click();
  const popup = await popupOpened;
  await answerEntra(popup, `member@${demo.tenantDomain}`);
  await dialog.locator('.error').filter({ hasText: /不是.*全局管理员或特权角色管理员/ }).waitFor({ timeout: kWait });
  await popup.close();
  await dialog.getByRole('button', { name: '取消' }).click();
  // Set up again by the Global Administrator (consent given anew), as the tests after expect.
  assert.equal(await demo.setUpConnector(adminToken), 200);

  // The server's refusal to delete an idle code still in use, in Chinese with its holders.
  await page.locator('#admin-nav').getByRole('link', { name: '空闲代码' }).click();
  await region.getByRole('button', { name: '删除空闲代码 Teams - Presenting' }).click();
  const ask2 = page.getByRole('dialog', { name: '删除空闲代码 Teams - Presenting？' });
  await ask2.getByRole('button', { name: '删除' }).click();
  await ask2.getByRole('alert').filter({ hasText: /^空闲代码 Teams - Presenting 正在被 .*Microsoft Teams 状态映射：请勿打扰 \/ 正在演示 使用；请先更改/ })
    .waitFor({ timeout: kWait });
  await ask2.getByRole('button', { name: '取消' }).click();
  await page.context().close();
});

