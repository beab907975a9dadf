from caredesk.core.html import html_to_text, sanitize_html


def test_sanitize_removes_scripts_handlers_and_javascript_urls() -> None:
    dirty = (
        '<p onclick="steal()">Hi<script>alert(1)</script></p>'
        '<a href="javascript:alert(2)">x</a><iframe src="https://evil"></iframe>'
    )
    clean = sanitize_html(dirty)
    assert "script" not in clean
    assert "onclick" not in clean
    assert "javascript:" not in clean
    assert "iframe" not in clean
    assert "<p>Hi</p>" in clean


def test_sanitize_blocks_remote_images_but_keeps_inline_ones() -> None:
    clean = sanitize_html('<img src="https://tracker.example/p.gif"><img src="cid:logo@x">')
    assert "tracker.example" not in clean
    assert 'src="cid:logo@x"' in clean


def test_links_get_safe_rel() -> None:
    assert 'rel="noopener noreferrer nofollow"' in sanitize_html('<a href="https://a.b">a</a>')


def test_html_to_text() -> None:
    assert (
        html_to_text("<p>Hello <b>world</b></p><p>again &amp; <br>again</p>")
        == "Hello world\nagain &\nagain"
    )
