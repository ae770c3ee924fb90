import { expect, test } from '@playwright/test';
import { Wallet, getBytes } from 'ethers';
import { S5Identity, bytesToHex, generateSeedPhrase } from '@s5chat/s5';
import { openConnected, portalUrl } from './helpers';

// A fixed test key (never used anywhere else).
const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';

test('an injected EIP-1193 wallet and the development wallet with the same key derive the same S5 identity', async ({ browser }) => {
  const wallet = new Wallet(KEY);

  // Browser 1: a minimal injected wallet (window.ethereum) whose signatures come from the test process.
  const injected = await browser.newContext();
  const page1 = await injected.newPage();
  let signatures = 0;
  await page1.exposeFunction('__testWalletSign', async (hex: string) => {
    signatures++;
    return wallet.signMessage(getBytes(hex));
  });
  await page1.addInitScript((address: string) => {
    const w = window as unknown as { ethereum: unknown; __testWalletSign: (hex: string) => Promise<string> };
    w.ethereum = {
      async request({ method, params }: { method: string; params?: unknown[] }) {
        if (method === 'eth_requestAccounts' || method === 'eth_accounts') return [address];
        if (method === 'eth_chainId') return '0x1';
        if (method === 'net_version') return '1';
        if (method === 'personal_sign') return w.__testWalletSign(String(params?.[0]));
        throw Object.assign(new Error(`unsupported ${method}`), { code: 4200 });
      },
    };
  }, wallet.address);
  await page1.goto('/');
  await expect(page1.getByTestId('portal-url')).toHaveText(portalUrl());
  await page1.getByTestId('connect-injected').click();
  await expect(page1.getByTestId('identity-ready')).toHaveAttribute('data-kind', 'injected');
  await expect(page1.getByTestId('identity-ready')).toContainText(wallet.address);
  const fromInjected = await page1.getByTestId('identity-public-key').getAttribute('data-key');
  expect(signatures).toBe(1);

  // Browser 2: no injected wallet; the development wallet holds the same key.
  const local = await browser.newContext();
  const page2 = await local.newPage();
  await page2.addInitScript((key: string) => localStorage.setItem('s5chat.harness.devWallet', key), KEY);
  await page2.goto('/');
  await expect(page2.getByTestId('connect-injected')).toHaveCount(0);
  await page2.getByTestId('connect-dev-wallet').click();
  await expect(page2.getByTestId('identity-ready')).toHaveAttribute('data-kind', 'dev-wallet');
  const fromDevWallet = await page2.getByTestId('identity-public-key').getAttribute('data-key');

  expect(fromInjected).toMatch(/^ed[0-9a-f]{64}$/);
  expect(fromDevWallet).toBe(fromInjected);
  await injected.close();
  await local.close();
});

test('a seed phrase connects; a bad one shows INVALID_SEED_PHRASE on the page', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('toggle-seed').click();
  const words = generateSeedPhrase().split(' ');
  // Swap two words: the checksum no longer matches.
  const bad = [words[1], words[0], ...words.slice(2)].join(' ');
  await page.getByTestId('seed-input').fill(bad);
  await page.getByTestId('seed-input').press('Enter');
  await expect(page.locator('[data-testid=error][data-code=INVALID_SEED_PHRASE]')).toBeVisible();
  await expect(page.getByTestId('identity-ready')).toHaveCount(0);

  await page.getByTestId('seed-input').fill(words.join(' '));
  await page.getByTestId('seed-input').press('Enter');
  await expect(page.getByTestId('identity-ready')).toHaveAttribute('data-kind', 'seed');
  expect(await page.getByTestId('identity-public-key').getAttribute('data-key')).toBe(
    bytesToHex(S5Identity.fromSeedPhrase(words.join(' ')).signingKeyPair.publicKey),
  );
});

test('generate a seed phrase: 15 words shown once, connect with them, no secret word in the header', async ({ page }) => {
  await page.goto('/');
  // Words the header shows for any identity (labels, the portal URL): a phrase word that happens to be
  // one of them ("local", "key") proves nothing, so only the others are checked below.
  const chrome = new Set(((await page.locator('header').textContent()) ?? '').toLowerCase().split(/[^a-z]+/));
  for (const w of ['identity', 'seed', 'phrase', 'key', 'disconnect', 'connected', 'dart', 'devnode', 'profile', 'local', 'started', 'with', 'the', 'harness']) chrome.add(w);
  await page.getByTestId('toggle-seed').click();
  await page.getByTestId('generate-seed').click();
  const phrase = ((await page.getByTestId('generated-seed').textContent()) ?? '').trim();
  const words = phrase.split(/\s+/);
  expect(words).toHaveLength(15);
  // Connecting needs the "I wrote them down" confirmation.
  await expect(page.getByTestId('connect-generated-seed')).toBeDisabled();
  await page.getByTestId('seed-saved').check();
  await page.getByTestId('connect-generated-seed').click();
  await expect(page.getByTestId('identity-ready')).toHaveAttribute('data-kind', 'seed', { timeout: 30_000 });
  expect(await page.getByTestId('identity-public-key').getAttribute('data-key')).toBe(
    bytesToHex(S5Identity.fromSeedPhrase(phrase).signingKeyPair.publicKey),
  );
  await expect(page.getByTestId('generated-seed')).toHaveCount(0);
  const headerText = (await page.locator('header').textContent()) ?? '';
  const shown = headerText.toLowerCase().split(/[^a-z]+/);
  for (const w of words.filter((x) => !chrome.has(x))) expect(shown).not.toContain(w);
  // and never the phrase, or any two of its words in a row
  for (let i = 0; i + 1 < words.length; i++) expect(headerText).not.toContain(`${words[i]} ${words[i + 1]}`);
});

test('a reload with a remembered development wallet never offers the connect buttons (no click can race the reconnect)', async ({ page }) => {
  await openConnected(page);
  // Record, from the first script of the reloaded page on, whether a connect button is ever in the DOM.
  await page.addInitScript(() => {
    const w = window as unknown as { __sawConnectButton?: boolean };
    w.__sawConnectButton = false;
    new MutationObserver(() => {
      if (document.querySelector('[data-testid=connect-dev-wallet],[data-testid=toggle-seed]')) w.__sawConnectButton = true;
    }).observe(document, { childList: true, subtree: true });
  });
  await page.reload();
  await expect(page.getByTestId('identity-ready')).toBeVisible({ timeout: 30_000 });
  expect(await page.evaluate(() => (window as unknown as { __sawConnectButton?: boolean }).__sawConnectButton)).toBe(false);
  // Disconnecting forgets it: the buttons are offered again, and stay after a reload.
  await page.getByTestId('disconnect').click();
  await expect(page.getByTestId('connect-dev-wallet')).toBeEnabled();
  await page.reload();
  await expect(page.getByTestId('connect-dev-wallet')).toBeEnabled({ timeout: 30_000 });
  await expect(page.getByTestId('identity-ready')).toHaveCount(0);
});
