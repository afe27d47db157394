// Drives the admin web console in headless Chromium (Debian's `chromium`, puppeteer-core from
// npm). tests/integration/test_web_console.py runs it against a live node under load:
//   node web_console.js <console url> <root password> <screenshot.png> <statement to kill>
// It checks that the page loads without JS errors, that every chart draws a real series,
// that the members table shows the leader, that a wrong password is refused, that signing
// in shows the running sessions and the slow-query log, and that the KILL button ends the
// session running <statement to kill>. It prints one JSON line of findings and exits 0, or
// prints the failure and exits 1.
"use strict";

const puppeteer = require("puppeteer-core");

const [url, password, screenshot, victimStatement] = process.argv.slice(2);
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const WAIT_MS = Number(process.env.CONSOLE_WAIT_MS || 60000);

async function main() {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1200"],
    defaultViewport: { width: 1400, height: 1200 },
  });
  const jsErrors = [];
  try {
    const page = await browser.newPage();
    page.on("pageerror", e => jsErrors.push(`pageerror: ${e.message}`));
    // The wrong-password step below answers 401 on purpose; Chromium logs that as an error.
    page.on("console", m => {
      if (m.type() === "error" && !m.text().includes("status of 401")) jsErrors.push(`console.error: ${m.text()}`);
    });
    // A fetch the page aborts itself (its own timeouts, a slow sanitizer build) is not an error.
    page.on("requestfailed", r => {
      const why = r.failure() && r.failure().errorText;
      if (why !== "net::ERR_ABORTED") jsErrors.push(`request failed: ${r.url()} ${why}`);
    });
    const response = await page.goto(url, { waitUntil: "load" });
    if (response.status() !== 200) throw new Error(`GET ${url}: HTTP ${response.status()}`);

    // Every chart draws at least one line of 10+ points, and the QPS chart shows traffic.
    await page.waitForFunction(() => {
      const svgs = [...document.querySelectorAll("svg[data-chart]")];
      return svgs.length === 6 && svgs.every(s => Number(s.dataset.lines) > 0 && Number(s.dataset.points) >= 10) &&
             Number(document.querySelector('svg[data-chart="qps"]').dataset.max) > 0;
    }, { timeout: WAIT_MS, polling: 250 });
    const charts = await page.$$eval("svg[data-chart]", svgs => svgs.map(s => ({
      chart: s.dataset.chart, points: Number(s.dataset.points), lines: Number(s.dataset.lines),
      series: [...new Set([...s.querySelectorAll("polyline")].map(p => p.dataset.series))],
    })));

    const members = await page.$$eval("#members tbody tr", rows => rows.map(r => [...r.cells].map(c => c.textContent)));
    if (!members.some(cells => cells[2] === "leader")) throw new Error(`no leader in the members table: ${JSON.stringify(members)}`);

    // A wrong password is refused and shows no sessions.
    await page.type("#password", password + "-wrong");
    await page.click("#login button[type=submit]");
    await page.waitForFunction(() => !document.getElementById("login-error").hidden, { timeout: WAIT_MS });
    const refusal = await page.$eval("#login-error", e => e.textContent);
    if (!(await page.$eval("#signed-in", e => e.hidden))) throw new Error("signed in with a wrong password");

    // The right one shows the sessions and the slow-query log.
    await page.$eval("#password", e => { e.value = ""; });
    await page.type("#password", password);
    await page.click("#login button[type=submit]");
    await page.waitForFunction(stmt => [...document.querySelectorAll("#sessions tbody tr")]
                                 .some(r => r.cells[7].textContent === stmt),
                               { timeout: WAIT_MS, polling: 250 }, victimStatement);
    await page.waitForFunction(() => document.querySelectorAll("#slow-queries tbody tr").length > 0,
                               { timeout: WAIT_MS, polling: 250 });
    const slowQueries = await page.$$eval("#slow-queries tbody tr", rows => rows.map(r => r.cells[7].textContent));
    await page.screenshot({ path: screenshot, fullPage: true });

    // KILL the victim's connection; its row goes away.
    const victimId = await page.$$eval("#sessions tbody tr", (rows, stmt) =>
      rows.find(r => r.cells[7].textContent === stmt).dataset.id, victimStatement);
    // The sessions table re-renders on every refresh, so a button found by one round trip can be
    // detached by the next (puppeteer's click is several): find and click it in one page task.
    await page.waitForFunction(id => {
      const button = document.querySelector(`#sessions tbody tr[data-id="${id}"] button[data-scope="connection"]`);
      if (button) button.click();
      return button !== null;
    }, { timeout: WAIT_MS, polling: 250 }, victimId);
    await page.waitForFunction(id => !document.querySelector(`#sessions tbody tr[data-id="${id}"]`),
                               { timeout: WAIT_MS, polling: 250 }, victimId);

    if (jsErrors.length) throw new Error(`JS errors: ${jsErrors.join("; ")}`);
    console.log(JSON.stringify({ ok: true, charts, members, refusal, slowQueries, killed: Number(victimId) }));
  } finally {
    await browser.close();
  }
}

main().catch(e => {
  console.log(JSON.stringify({ ok: false, error: String(e && e.stack || e) }));
  process.exit(1);
});
