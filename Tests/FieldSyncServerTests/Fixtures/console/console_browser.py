"""Drives the manager's console in headless Chromium (Debian's chromium and chromedriver) with Selenium.

Usage: console_browser.py MODE URL USER PASSWORD OUTPUT.json [options]

  manager  logs in, reads every page (a screenshot of each into --shots), reads the pipeline tables, merges a likely
           duplicate into the card --keep names, resolves the
           first conflict with --new-value through its form, and reads the page that follows.
  rep      logs in and follows every link under /console from every page, recording each page's text and links;
           then opens each --probe path directly.
  csrf     logs in, removes the hidden CSRF field from the first conflict form and from the log-out form, sends
           each, and reads what came back; then checks the conflict is still open and the session still valid.

Every mode records the resources each page loaded (nothing may come from outside the server). The Swift test
(ConsoleBrowserTests) decides what is right; this script only reports what the browser saw, as JSON.
"""

import argparse
import json
import sys
from urllib.parse import urljoin, urlparse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900", "--lang=zh-CN"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    return driver


class Console:
    def __init__(self, driver, base):
        self.driver = driver
        self.base = base.rstrip("/")
        self.resources = {}

    def open(self, path):
        self.driver.get(self.base + path)
        return self.page()

    def page(self):
        """What the current page shows: its path, heading, visible text, links and the resources it loaded."""
        driver = self.driver
        path = urlparse(driver.current_url).path
        query = urlparse(driver.current_url).query
        loaded = driver.execute_script(
            "return performance.getEntriesByType('resource').map(function (e) { return e.name; });")
        self.resources[path] = loaded
        heading = driver.find_elements(By.TAG_NAME, "h1")
        return {
            "path": path + ("?" + query if query else ""),
            "h1": heading[0].text if heading else "",
            "text": driver.find_element(By.TAG_NAME, "body").text,
            "source": driver.page_source,
            "links": [a.get_attribute("href") for a in driver.find_elements(By.TAG_NAME, "a")],
            "cjkFont": driver.execute_script("return document.fonts.check('16px \"Noto Sans CJK SC\"', '温州');"),
        }

    def login(self, user, password):
        self.open("/console/login")
        self.driver.find_element(By.NAME, "user").send_keys(user)
        self.driver.find_element(By.NAME, "password").send_keys(password)
        self.driver.find_element(By.CSS_SELECTOR, "form#login button[type=submit]").click()
        return self.page()

    def screenshot(self, shots, name):
        if not shots:
            return
        height = self.driver.execute_script("return document.documentElement.scrollHeight;")
        self.driver.set_window_size(1280, max(700, min(height + 40, 4000)))
        self.driver.save_screenshot(f"{shots}/{name}.png")
        self.driver.set_window_size(1280, 900)

    def table(self, table_id):
        rows = self.driver.find_elements(By.CSS_SELECTOR, f"table#{table_id} tbody tr")
        return [
            {key: row.get_attribute(f"data-{key}") for key in ("key", "count", "amount", "weighted")} for row in rows
        ]

    def cookies(self):
        return [
            {
                "name": c["name"],
                "httpOnly": c.get("httpOnly", False),
                "sameSite": c.get("sameSite"),
                "secure": c.get("secure", False),
                "path": c.get("path"),
                "expiry": c.get("expiry"),
            }
            for c in self.driver.get_cookies()
        ]

    def same_origin(self, link):
        return link and urlparse(link).netloc == urlparse(self.base).netloc


def manager(console, arguments):
    report = {"login": console.open("/console/login")}
    console.screenshot(arguments.shots, "login")
    report["afterLogin"] = console.login(arguments.user, arguments.password)
    report["cookies"] = console.cookies()
    pages = {}
    for name, path in (("pipeline", "/console/pipeline"), ("team", "/console/team"),
                       ("customers", "/console/customers"), ("complaints", "/console/complaints"),
                       ("duplicates", "/console/duplicates"), ("conflicts", "/console/conflicts")):
        pages[name] = console.open(path)
        console.screenshot(arguments.shots, name)
        if name == "pipeline":
            report["pipeline"] = {t: console.table(t) for t in ("by-stage", "outcomes", "closing", "by-rep")}
    console.open("/console/customers")
    first = console.driver.find_elements(By.CSS_SELECTOR, "table#customers tbody a")
    if arguments.customer:
        console.driver.find_element(By.NAME, "q").send_keys(arguments.customer)
        console.driver.find_element(By.CSS_SELECTOR, "form.inline button").click()
        pages["search"] = console.page()
        first = console.driver.find_elements(By.CSS_SELECTOR, "table#customers tbody a")
    if first:
        first[0].click()
        pages["customer"] = console.page()
        console.screenshot(arguments.shots, "customer")
    console.open("/console/conflicts")
    forms = console.driver.find_elements(By.CSS_SELECTOR, "section.conflict form")
    if forms:
        form = forms[0]
        report["resolving"] = form.find_element(By.NAME, "record").get_attribute("value")
        form.find_element(By.CSS_SELECTOR, "input[name=choice][value=new]").click()
        form.find_element(By.NAME, "value").send_keys(arguments.new_value)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        pages["resolved"] = console.page()
        console.screenshot(arguments.shots, "conflict-resolved")
    if arguments.keep:
        console.open("/console/duplicates")
        for form in console.driver.find_elements(By.CSS_SELECTOR, "form.merge"):
            if form.find_element(By.NAME, "keep").get_attribute("value") == arguments.keep:
                report["merging"] = form.find_element(By.NAME, "duplicate").get_attribute("value")
                form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
                pages["merged"] = console.page()
                break
    pages["pipelineAgain"] = console.open("/console/pipeline")
    report["pages"] = pages
    return report


def rep(console, arguments):
    report = {"afterLogin": console.login(arguments.user, arguments.password)}
    seen, queue, pages = set(), ["/console/pipeline"], []
    while queue and len(pages) < 200:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        page = console.open(path)
        pages.append(page)
        for link in page["links"]:
            if not console.same_origin(link):
                pages.append({"path": path, "foreignLink": link})
                continue
            target = urlparse(link)
            target_path = target.path + ("?" + target.query if target.query else "")
            if target.path.startswith("/console") and target_path not in seen:
                queue.append(target_path)
    report["pages"] = pages
    report["probes"] = [console.open(path) for path in arguments.probe]
    return report


def csrf(console, arguments):
    report = {"afterLogin": console.login(arguments.user, arguments.password)}
    attempts = []
    for selector in ("section.conflict form", "form.logout"):
        console.open("/console/conflicts")
        forms = console.driver.find_elements(By.CSS_SELECTOR, selector)
        if not forms:
            attempts.append({"form": selector, "missing": True})
            continue
        form = forms[0]
        removed = console.driver.execute_script(
            "var f = arguments[0]; var i = f.querySelector('input[name=csrf]'); if (!i) return false;"
            " i.remove(); return true;", form)
        if selector.startswith("section"):
            form.find_element(By.CSS_SELECTOR, "input[name=choice][value=new]").click()
            form.find_element(By.NAME, "value").send_keys(arguments.new_value)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        attempts.append({"form": selector, "removed": removed, "answer": console.page()})
    report["attempts"] = attempts
    report["after"] = console.open("/console/conflicts")
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=("manager", "rep", "csrf"))
    parser.add_argument("url")
    parser.add_argument("user")
    parser.add_argument("password")
    parser.add_argument("output")
    parser.add_argument("--shots", help="folder for one PNG per page")
    parser.add_argument("--new-value", default="", help="the value typed into a conflict form")
    parser.add_argument("--customer", default="", help="a customer to search for and open")
    parser.add_argument("--keep", default="", help="on the duplicates page, keep this card of its pair (manager)")
    parser.add_argument("--probe", action="append", default=[], help="a path to open directly (repeatable)")
    arguments = parser.parse_args()
    driver = browser()
    try:
        console = Console(driver, arguments.url)
        report = {"manager": manager, "rep": rep, "csrf": csrf}[arguments.mode](console, arguments)
        report["resources"] = console.resources
    finally:
        driver.quit()
    with open(arguments.output, "w", encoding="utf-8") as output:
        json.dump(report, output, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
