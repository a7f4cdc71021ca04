"""The desk's camera: a badge held up to a tablet's camera checks its owner in.

Chromium's fake camera plays a video file; the test writes one showing the
badge's QR code, so the whole path runs for real: getUserMedia, the
barcode-detector package from npm with its ZXing WebAssembly served by the
app, and the scan sent to the server.
"""
import os

import pytest
import qrcode
from playwright.sync_api import expect

from tests.browser.test_desk import TABLET, contexts, open_desk, world  # noqa: F401
from tests.conftest import CHROMIUM_ARGS

pytestmark = pytest.mark.browser
WIDTH, HEIGHT = 640, 480


def write_camera_video(path, text: str) -> None:
    """A few frames of YUV4MPEG2 video (what Chromium's fake camera reads): a black-on-white QR of `text`."""
    code = qrcode.QRCode(border=4)
    code.add_data(text)
    matrix = code.get_matrix()
    scale = min(WIDTH, HEIGHT) * 8 // 10 // len(matrix)
    left, top = (WIDTH - scale * len(matrix)) // 2, (HEIGHT - scale * len(matrix)) // 2
    luma = bytearray(b"\xff" * WIDTH * HEIGHT)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                for line in range(top + y * scale, top + (y + 1) * scale):
                    start = line * WIDTH + left + x * scale
                    luma[start:start + scale] = b"\x00" * scale
    chroma = b"\x80" * (WIDTH * HEIGHT // 4)  # no colour
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(5):
            video.write(b"FRAME\n" + bytes(luma) + chroma + chroma)


@pytest.fixture(scope="module")
def camera_video(tmp_path_factory):
    return tmp_path_factory.mktemp("camera") / "badge.y4m"


@pytest.fixture(scope="module")
def chromium(camera_video):
    """Chromium with a fake camera playing `camera_video`, and camera access granted without asking."""
    from playwright.sync_api import sync_playwright

    write_camera_video(camera_video, "nothing yet")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            args=CHROMIUM_ARGS + ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                                  f"--use-file-for-fake-video-capture={camera_video}"])
        yield browser
        browser.close()


def test_a_badge_held_up_to_the_camera_checks_its_owner_in(live_server, browser, world, contexts, camera_video):
    write_camera_video(camera_video, world["tokens"][2])  # Lee Park's badge, in front of the camera
    context, page = open_desk(contexts, browser, live_server, world, TABLET)
    context.grant_permissions(["camera"])
    page.get_by_role("button", name="Use the camera").click()
    expect(page.locator("#camera")).to_be_visible()
    expect(page.locator("#result .who")).to_have_text("Lee Park", timeout=15_000)
    expect(page.locator("#result")).to_have_class("result checked_in")
    expect(page.locator("#checked-in")).to_have_text("1")
    page.get_by_role("button", name="Stop the camera").click()
    expect(page.locator("#camera")).to_be_hidden()
    expect(page.get_by_role("button", name="Use the camera")).to_be_visible()
