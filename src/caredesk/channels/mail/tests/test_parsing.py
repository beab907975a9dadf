"""The pure mail parser: no database, no server."""

from __future__ import annotations

import binascii
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caredesk.channels.mail.parsing import NotAnEmail, parse, reply_text


def build(**headers: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = headers.pop("From", "Anna Smith <Anna@Example.org>")
    msg["To"] = headers.pop("To", "support@desk.example")
    msg["Subject"] = headers.pop("Subject", "Router keeps dropping")
    msg["Message-ID"] = headers.pop("Message_ID", "<m1@example.org>")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content("Hello,\nmy router drops the connection.\n")
    return msg


def test_headers_addresses_and_body() -> None:
    msg = build(Cc="Bob <bob@example.org>, carol@example.org", In_Reply_To="<a@x> <b@x>")
    parsed = parse(msg.as_bytes())
    assert parsed.sender == "anna@example.org"
    assert parsed.sender_name == "Anna Smith"
    assert parsed.cc == ("bob@example.org", "carol@example.org")
    assert parsed.in_reply_to == ("<a@x>", "<b@x>")
    assert parsed.message_id == "<m1@example.org>"
    assert parsed.text.startswith("Hello,")
    assert (parsed.auto_reply, parsed.bulk, parsed.bounce) == (False, False, None)


def test_rfc2047_subject_and_rfc2231_filename() -> None:
    raw = (
        b"From: =?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.de>\r\n"
        b"To: support@desk.example\r\n"
        b"Subject: =?iso-8859-1?q?Gr=FC=DFe_aus_K=F6ln?=\r\n"
        b"Message-ID: <x1@example.de>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\nStra=DFe kaputt\r\n"
        b"--b\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment; filename*=utf-8''Rechnung%20M%C3%A4rz.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"
    )
    parsed = parse(raw)
    assert parsed.subject == "Grüße aus Köln"
    assert parsed.sender_name == "Jürgen Müller"
    assert parsed.text.strip() == "Straße kaputt"
    assert [(a.filename, a.data) for a in parsed.attachments] == [
        ("Rechnung März.pdf", b"%PDF-1.4\n")
    ]


@pytest.mark.parametrize("charset", ["x-unknown-charset", "utf-7-bogus", "klingon"])
def test_an_unknown_charset_is_read_as_utf8_or_latin1_not_an_error(charset: str) -> None:
    raw = (
        b"From: a@example.org\r\nSubject: hi\r\nMessage-ID: <u@x>\r\n"
        b"Content-Type: text/plain; charset=" + charset.encode() + b"\r\n\r\nCaf\xe9 \xff ok\r\n"
    )
    assert parse(raw).text.strip() == "Café ÿ ok"


def raw_mail(headers: bytes, body: bytes) -> bytes:
    return b"From: Anna <anna@example.org>\r\nTo: s@desk.example\r\n" + headers + b"\r\n" + body


def test_a_body_without_charset_is_utf8_when_it_is_and_latin1_otherwise() -> None:
    utf8 = raw_mail(b"Subject: x\r\n", "Grüße, Zoë 😊\r\n".encode())
    assert parse(utf8).text.strip() == "Grüße, Zoë 😊"
    latin = raw_mail(b"Subject: x\r\n", "Grüße\r\n".encode("latin-1"))
    assert parse(latin).text.strip() == "Grüße"
    declared = raw_mail(b"Content-Type: text/plain; charset=us-ascii\r\n",
                        "Grüße\r\n".encode())  # fmt: skip
    assert parse(declared).text.strip() == "Grüße"  # a wrong label does not garble it


def test_8bit_header_bytes_are_read_as_utf8_then_latin1() -> None:
    assert parse(raw_mail("Subject: Größe\r\n".encode(), b"x")).subject == "Größe"
    assert parse(raw_mail("Subject: Größe\r\n".encode("latin-1"), b"x")).subject == "Größe"
    named = parse(("From: Håvard <hw@example.no>\r\nSubject: x\r\n\r\nx").encode("latin-1"))
    assert (named.sender, named.sender_doubt) == ("hw@example.no", "")  # still clear


def test_an_attached_email_is_one_eml_under_its_subject_with_its_own_bytes() -> None:
    inner = build(Subject="Updates to our terms", Message_ID="<inner@x>")
    inner.add_attachment(b"inner file", maintype="text", subtype="plain", filename="inner.txt")
    outer = build(Subject="Look at this")
    outer.add_attachment(inner)
    # a header the serializer would re-fold and choke on is kept as it came
    raw = outer.as_bytes().replace(b"Message-ID: <inner@x>", b"Message-ID:\r\n <inner@x>")
    parsed = parse(raw)
    assert [(a.filename, a.content_type) for a in parsed.attachments] == [
        ("Updates to our terms.eml", "message/rfc822")
    ]
    start = raw.rindex(b"From: Anna Smith", 0, raw.index(b"Subject: Updates to our terms"))
    kept = parsed.attachments[0].data
    assert raw[start:].startswith(kept)  # byte for byte as it came
    assert b"Message-ID:\r\n <inner@x>" in kept  # a header as it came
    assert b"inner.txt" in kept  # whole, its attachment inside it
    assert "inner file" not in parsed.text


def test_a_multipart_whose_boundary_is_wrong_still_shows_its_text() -> None:
    raw = raw_mail(
        b'Subject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="right"\r\n',
        b"--wrong\r\nContent-Type: text/plain\r\n\r\nThe printer is on fire.\r\n--wrong--\r\n",
    )
    parsed = parse(raw)
    assert parsed.text.strip() == "The printer is on fire."
    assert parsed.attachments == []


def test_a_uuencoded_file_in_a_plain_body_is_an_attachment() -> None:
    encoded = binascii.b2a_uu(b"\x89PNG fake image bytes").decode()
    body = f"See the picture.\r\n\r\nbegin 644 photo.png\r\n{encoded}`\r\nend\r\n"
    parsed = parse(raw_mail(b"Subject: x\r\n", body.encode()))
    assert [(a.filename, a.content_type, a.data) for a in parsed.attachments] == [
        ("photo.png", "image/png", b"\x89PNG fake image bytes")
    ]
    assert parsed.text.strip() == "See the picture."


def test_forwarded_mail_is_what_the_customer_wrote() -> None:
    forward = (
        "Please look at this.\n\n-------- Forwarded Message --------\nSubject: Invoice\n"
        "From: Shop <shop@example.com>\n\nYour invoice is attached.\n"
    )
    assert "Your invoice is attached." in reply_text(forward)
    assert reply_text(forward).startswith("Please look at this.")
    original = "See below.\n\n-----Original Message-----\nFrom: GitHub\n\nToken outdated.\n"
    assert "Token outdated." in reply_text(original, first=True)  # opens a ticket
    assert "Token outdated." not in reply_text(original)  # a reply: our history


def test_a_report_whose_boundary_is_missing_is_still_a_bounce() -> None:
    raw = BOUNCE.replace(b'boundary="r"', b'boundary="nothing-matches"')
    parsed = parse(raw)
    assert parsed.bounce is not None
    assert parsed.bounce.recipients == ("gone@example.org",)


def test_too_many_parts_are_left_in_the_original_with_a_note() -> None:
    msg = build(Subject="Many")
    for i in range(510):
        msg.add_attachment(b"x", maintype="application", subtype="octet-stream",
                           filename=f"f{i}.bin")  # fmt: skip
    parsed = parse(msg.as_bytes())
    assert len(parsed.attachments) < 510
    assert "511 parts" in parsed.notes[0]


def test_the_last_received_header_dates_a_message_without_date() -> None:
    raw = (
        b"Received: from b by c; Tue, 2 Jun 2003 10:00:00 +0000\r\n"
        b"Received: from a by b; Mon, 1 Jun 2003 09:00:00 +0000\r\n"
        + raw_mail(b"Subject: x\r\n", b"x")
    )
    parsed = parse(raw)
    assert parsed.date is None
    assert parsed.received is not None
    assert parsed.received.day == 1


def test_alternatives_and_inline_images() -> None:
    msg = build()
    msg.add_alternative('<p>Hello <img src="cid:logo@x"> <b>there</b></p>', subtype="html")
    html_part = list(msg.iter_parts())[1]
    html_part.add_related(b"\x89PNG...", "image", "png", cid="<logo@x>")
    parsed = parse(msg.as_bytes())
    assert "<b>there</b>" in parsed.html
    assert parsed.text.startswith("Hello,")
    inline = [a for a in parsed.attachments if a.inline]
    assert [(a.content_id, a.content_type) for a in inline] == [("logo@x", "image/png")]


def test_html_only_mail_gets_a_text_body() -> None:
    msg = EmailMessage()
    msg["From"], msg["Subject"], msg["Message-ID"] = "a@x.org", "html", "<h@x>"
    msg.set_content(
        "<html><style>p{}</style><p>Line one</p><p>Line&nbsp;two</p></html>", subtype="html"
    )
    assert parse(msg.as_bytes()).text.split() == ["Line", "one", "Line", "two"]


@pytest.mark.parametrize(
    ("headers", "auto", "bulk"),
    [
        ({"Auto_Submitted": "auto-replied"}, True, False),
        ({"Auto_Submitted": "no"}, False, False),
        ({"Auto_Submitted": "auto-generated"}, False, False),  # an alert: a ticket
        ({"X_Autoreply": "yes"}, True, False),
        ({"X_Autorespond": "vacation"}, True, False),
        ({"Precedence": "auto_reply"}, True, False),
        ({"Subject": "Out of Office: back Monday"}, True, False),
        ({"Subject": "Automatische Antwort: Urlaub"}, True, False),
        ({"From": "MAILER-DAEMON@mx.example.org"}, True, False),
        ({"Precedence": "bulk"}, False, True),
        ({"List_Id": "<news.example.org>"}, False, True),
    ],
)
def test_automatic_and_bulk_mail_is_recognised(
    headers: dict[str, str], auto: bool, bulk: bool
) -> None:
    parsed = parse(build(**headers).as_bytes())
    assert (parsed.auto_reply, parsed.bulk) == (auto, bulk)
    no_person = auto or bulk or headers.get("Auto_Submitted") == "auto-generated"
    assert bool(parsed.automatic) == no_person  # never answered automatically


def test_the_null_return_path_is_mail_no_person_sent() -> None:
    parsed = parse(build(Return_Path="<>").as_bytes())
    assert (parsed.auto_reply, parsed.automatic) == (False, "auto_submitted")
    assert parse(build(Return_Path="<anna@example.org>").as_bytes()).automatic == ""


BOUNCE = (
    b"From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n"
    b"To: support@desk.example\r\nSubject: Undelivered Mail Returned to Sender\r\n"
    b"Message-ID: <bounce1@mx.example.org>\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
    b"--r\r\nContent-Type: text/plain\r\n\r\nI'm sorry to have to inform you...\r\n"
    b"--r\r\nContent-Type: message/delivery-status\r\n\r\n"
    b"Reporting-MTA: dns; mx.example.org\r\n\r\n"
    b"Final-Recipient: rfc822; Gone@Example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n"
    b"Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n\r\n"
    b"--r\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <out1@desk.example>\r\n"
    b"--r--\r\n"
)


def test_a_delivery_status_notification_is_a_bounce() -> None:
    parsed = parse(BOUNCE)
    assert parsed.bounce is not None
    assert parsed.bounce.recipients == ("gone@example.org",)
    assert parsed.bounce.permanent
    assert parsed.bounce.status == "5.1.1"
    assert "user unknown" in parsed.bounce.diagnostic
    assert not parsed.auto_reply  # a bounce, not an out-of-office


def test_a_message_without_message_id_gets_one_from_its_content() -> None:
    raw = b"From: a@x.org\r\nSubject: no id\r\n\r\nbody\r\n"
    first, again = parse(raw), parse(raw)
    assert not first.has_message_id
    assert first.message_id == again.message_id
    assert first.message_id != parse(raw + b"more").message_id


@pytest.mark.parametrize(
    "raw", [b"", b"   \n", b"just some text without headers\n", b"\x00\x01\x02"]
)
def test_what_is_not_an_email_is_refused(raw: bytes) -> None:
    with pytest.raises(NotAnEmail):
        parse(raw)


def test_quoted_history_and_signature_are_not_the_visible_text() -> None:
    english = (
        "Thanks, that fixed it!\n\nAnna\n\n"
        "On Mon, 23 Nov 2026 at 10:00, Support <s@x> wrote:\n> Restart it.\n"
    )
    german = "Danke!\n\nAm 23.11.2026 um 10:00 schrieb Support <s@x>:\n> Bitte neu starten.\n"
    outlook = "Yes please.\n\n-----Original Message-----\nFrom: Support\nSent: Monday\n\nOld text\n"
    assert reply_text(english).startswith("Thanks, that fixed it!")
    assert "Restart it" not in reply_text(english)
    assert reply_text(german) == "Danke!"
    assert reply_text(outlook) == "Yes please."


SAMPLE = build(Cc="Bob <bob@example.org>", In_Reply_To="<a@x>").as_bytes()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000), st.integers(min_value=0, max_value=len(SAMPLE)))
def test_hostile_bytes_never_crash_the_parser(noise: bytes, at: int) -> None:
    """Random bytes spliced into a real message: parsed, or refused as not an email."""
    raw = SAMPLE[:at] + noise + SAMPLE[at:]
    try:
        parsed = parse(raw)
    except NotAnEmail:
        return
    assert isinstance(parsed.text, str)
    assert parsed.message_id.startswith("<")
    parsed.visible_text  # noqa: B018  # must not raise either


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300))
def test_any_unicode_in_headers_and_body_is_read(subject: str, body: str) -> None:
    raw = (
        b"From: a@x.org\r\nSubject: " + subject.encode("utf-8", "surrogatepass")
        + b"\r\nMessage-ID: <u@x>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + body.encode("utf-8", "surrogatepass")
    )  # fmt: skip
    parsed = parse(raw)  # the From line comes first, so this is always an email
    assert parsed.sender == "a@x.org"
    assert isinstance(parsed.subject, str)
    assert isinstance(parsed.text, str)
