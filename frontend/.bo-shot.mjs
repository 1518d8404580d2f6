import { chromium } from "@playwright/test";
const port = process.argv[2];
const chain = process.argv[3] ?? "aurora";
const base = `http://${chain}.localhost:${port}`;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--host-resolver-rules=MAP *.localhost 127.0.0.1"] });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
page.on("console", (m) => console.log("console:", m.type(), m.text()));
page.on("response", (r) => { if (r.status() >= 400) console.log("http", r.status(), r.url()); });
page.on("pageerror", (e) => console.log("pageerror:", e.message));
await page.goto(`${base}/dashboard/login/?next=/dashboard/box-office/`);
await page.fill("#id_username", `boxoffice@${chain}.test`);
await page.fill("#id_password", "ticketing-demo");
await page.click("input[type=submit]");
await page.waitForURL(/box-office/);
await page.waitForTimeout(2500);
await page.screenshot({ path: "e2e/artifacts/bo-1-shows.png" });
const steps = process.argv.slice(4);
let n = 2;
for (const step of steps) {
  if (step.startsWith("key:")) await page.keyboard.press(step.slice(4));
  else if (step.startsWith("type:")) await page.keyboard.type(step.slice(5));
  else if (step.startsWith("wait:")) await page.waitForTimeout(Number(step.slice(5)));
  else if (step === "shot") { await page.screenshot({ path: `e2e/artifacts/bo-${n}.png` }); n++; }
}
console.log("focus:", await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 200)));
await browser.close();
