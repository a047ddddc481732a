"""Headless Chromium (Debian's chromium + chromium-driver) driving Superset through Selenium."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROME_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",
)
WINDOW = (1600, 3200)  # tall: every chart of a dashboard is in the viewport and renders

CHART_HOLDER = "[data-test='dashboard-component-chart-holder']"
TITLE = "[data-test='editable-title'], .header-title"
LOADING = "[data-test='loading-indicator'], .loading"
ERROR_MARKERS = (
    "[data-test='chart-error']",
    ".alert-danger",
    "[role='alert'].ant-alert-error",
    ".ant-alert-error",
)
NO_DATA_MARKERS = (".no-results", "[data-test='no-results']", ".ant-empty")


@dataclass(frozen=True)
class ChartState:
    title: str
    text: str
    error: str | None
    has_data: bool


def make_driver(user_data_dir: Path) -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={user_data_dir}")
    options.add_argument(f"--window-size={WINDOW[0]},{WINDOW[1]}")
    service = Service(executable_path=str(CHROMEDRIVER))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(120)
    return driver


def login(driver: WebDriver, base_url: str, username: str, password: str) -> None:
    driver.get(base_url.rstrip("/") + "/login/")
    wait = WebDriverWait(driver, 60)
    user_box = wait.until(ec.visibility_of_element_located((By.ID, "username")))
    user_box.send_keys(username)
    driver.find_element(By.ID, "password").send_keys(password + Keys.ENTER)
    wait.until(lambda d: "/login" not in d.current_url)


def open_dashboard(driver: WebDriver, base_url: str, slug: str) -> None:
    driver.get(f"{base_url.rstrip('/')}/superset/dashboard/{slug}/")
    WebDriverWait(driver, 90).until(ec.presence_of_element_located((By.CSS_SELECTOR, CHART_HOLDER)))


def _first_text(root: WebElement, selectors: tuple[str, ...]) -> str | None:
    for selector in selectors:
        for found in root.find_elements(By.CSS_SELECTOR, selector):
            text = (found.text or found.get_attribute("textContent") or "").strip()
            return text or selector
    return None


def chart_states(driver: WebDriver) -> list[ChartState]:
    states = []
    for holder in driver.find_elements(By.CSS_SELECTOR, CHART_HOLDER):
        title_el = holder.find_elements(By.CSS_SELECTOR, TITLE)
        title = title_el[0].text.strip() if title_el else ""
        text = holder.text.strip()
        error = _first_text(holder, ERROR_MARKERS)
        no_data = _first_text(holder, NO_DATA_MARKERS) is not None or "No results" in text
        rendered = bool(
            holder.find_elements(By.CSS_SELECTOR, "canvas, svg, table, .header-line, .big-number")
        )
        states.append(ChartState(title, text, error, rendered and not no_data))
    return states


def wait_for_charts(driver: WebDriver, expected: int, timeout: float = 180) -> list[ChartState]:
    """Wait until `expected` chart holders exist and none shows a loading indicator."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            holders = driver.find_elements(By.CSS_SELECTOR, CHART_HOLDER)
            loading = [h for h in holders if h.find_elements(By.CSS_SELECTOR, LOADING)]
            if len(holders) >= expected and not loading:
                time.sleep(1.0)  # let the charts paint after their data arrived
                return chart_states(driver)
        except StaleElementReferenceException:
            pass
        if time.monotonic() >= deadline:
            raise TimeoutException(
                f"charts still loading after {timeout} s: "
                f"{len(holders)} holders, {len(loading)} loading"
            )
        time.sleep(0.5)


def screenshot(driver: WebDriver, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(path))
    return path


def choose_filter_value(driver: WebDriver, filter_id: str, value: str, timeout: float = 60) -> None:
    """Pick `value` in the native select filter `filter_id` of the filter bar and apply it."""
    wait = WebDriverWait(driver, timeout)
    select = wait.until(
        ec.presence_of_element_located(
            (
                By.XPATH,
                f"//label[@for='{filter_id}']"
                "/ancestor::div[contains(concat(' ', @class, ' '), ' ant-form-item ')][1]"
                "//div[contains(@class, 'ant-select-selector')]",
            )
        )
    )
    select.click()
    search = select.find_element(By.CSS_SELECTOR, "input.ant-select-selection-search-input")
    search.send_keys(value)
    option = wait.until(
        ec.element_to_be_clickable(
            (By.CSS_SELECTOR, f".ant-select-dropdown .ant-select-item-option[title='{value}']")
        )
    )
    option.click()
    apply = driver.find_element(By.CSS_SELECTOR, "[data-test='filter-bar__apply-button']")
    try:
        WebDriverWait(driver, 5).until(lambda _: apply.is_enabled())
    except TimeoutException:
        # Apply stays disabled when the value picked is the one already applied.
        search.send_keys(Keys.ESCAPE)
    else:
        apply.click()
    # A focused filter dims the charts out of its scope: blur it so screenshots show the page.
    driver.execute_script("document.activeElement && document.activeElement.blur()")


def big_number(states: list[ChartState], title: str) -> str:
    """The headline figure of a Big Number chart: the line after its title and filter badge."""
    for state in states:
        if state.title == title:
            lines = [line for line in state.text.splitlines()[1:] if line.strip()]
            figures = [line for line in lines if any(ch.isdigit() for ch in line) and line != "1"]
            return figures[0] if figures else ""
    raise KeyError(f"no chart titled {title!r} among {[s.title for s in states]}")
