"""The adapters' shapes, parsed and built without Django."""

from __future__ import annotations

import json

import pytest

from caredesk.channels.messaging.formats import (
    FormatError,
    Inbound,
    StatusUpdate,
    generic_parse,
    provider_id_of,
    sms_form_parse,
    sms_form_signature,
)


def test_a_generic_message_defaults_its_conversation_to_the_sender() -> None:
    body = {"kind": "message", "message_id": 42, "from": {"handle": " @dana "}, "text": "hi"}
    parsed = generic_parse(json.dumps(body).encode())
    assert parsed == Inbound("42", "@dana", "@dana", "social", "", "hi")


def test_a_too_long_text_and_a_bool_id_are_refused() -> None:
    long = {"kind": "message", "message_id": "a", "from": {"handle": "x"}, "text": "x" * 20_001}
    with pytest.raises(FormatError) as too_long:
        generic_parse(json.dumps(long).encode())
    assert (too_long.value.field, too_long.value.problem) == ("text", "too_long")
    with pytest.raises(FormatError) as not_text:
        generic_parse(json.dumps({**long, "text": "ok", "message_id": True}).encode())
    assert (not_text.value.field, not_text.value.problem) == ("message_id", "not_text")


def test_sms_states_that_are_not_news_are_none() -> None:
    assert sms_form_parse({"MessageSid": "SM1", "MessageStatus": "sending"}) is None
    assert sms_form_parse({"MessageSid": "SM1", "MessageStatus": "read"}) == StatusUpdate(
        "SM1", "read"
    )


def test_the_sms_signature_matches_twilios_documented_example() -> None:
    # https://www.twilio.com/docs/usage/security#validating-requests
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    form = {"CallSid": "CA1234567890ABCDE", "Caller": "+12349013030", "Digits": "1234",
            "From": "+12349013030", "To": "+18005551212"}  # fmt: skip
    assert sms_form_signature("12345", url, form) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_the_provider_id_is_read_only_from_a_json_object() -> None:
    assert provider_id_of('{"message_id": "p-1"}', "message_id") == "p-1"
    assert provider_id_of('{"sid": 7}', "sid") == "7"
    assert provider_id_of("ok", "sid") == provider_id_of("[1]", "sid") == ""
    assert provider_id_of('{"sid": ""}', "sid") == ""
