"""Parsing and building SIP messages, SDP and digest credentials."""

from __future__ import annotations

import pytest

from phongdich.lib.telephony import digest, sdp
from phongdich.lib.telephony.sip_message import (
    SipMessage,
    SipParseError,
    dtmf_from_info,
    parse,
    response_to,
    tag_of,
    uri_of,
)

INVITE = (
    b"INVITE sip:0912345678@trunk.test SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bKabc;rport\r\n"
    b'f: "Robot" <sip:robot@trunk.test>;tag=77aa\r\n'
    b"t: <sip:0912345678@trunk.test>\r\n"
    b"i: call-1@10.0.0.5\r\n"
    b"CSeq: 7 INVITE\r\n"
    b"Subject: first line\r\n"
    b"  continued\r\n"
    b"Content-Type: application/sdp\r\n"
    b"l: 5\r\n"
    b"\r\n"
    b"v=0\r\nextra"
)


def test_it_parses_a_request_with_compact_and_folded_headers():
    message = parse(INVITE)
    assert message.is_request
    assert (message.method, message.uri) == ("INVITE", "sip:0912345678@trunk.test")
    assert message.call_id == "call-1@10.0.0.5"
    assert message.header("From") == '"Robot" <sip:robot@trunk.test>;tag=77aa'
    assert message.header("subject") == "first line continued"
    assert message.cseq() == (7, "INVITE")
    assert message.body == b"v=0\r\n"  # Content-Length wins over trailing bytes


def test_it_parses_a_response():
    message = parse(
        b"SIP/2.0 486 Busy Here\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
    )
    assert not message.is_request
    assert (message.status, message.reason) == (486, "Busy Here")


@pytest.mark.parametrize(
    "data",
    [
        b"HELLO\r\n\r\n",
        b"SIP/2.0 OK fine\r\n\r\n",
        b"INVITE sip:x SIP/3.0\r\n\r\n",
        b"INVITE sip:x SIP/2.0\r\nno colon here\r\n\r\n",
        b"INVITE sip:x SIP/2.0\r\nContent-Length: 10\r\n\r\nshort",
        b"INVITE sip:x SIP/2.0\r\nContent-Length: ten\r\n\r\n",
        b"\xff\xfe\r\n\r\n",
    ],
)
def test_it_refuses_what_is_not_sip(data):
    with pytest.raises(SipParseError):
        parse(data)


def test_a_bad_cseq_is_an_error():
    with pytest.raises(SipParseError, match="CSeq"):
        parse(b"SIP/2.0 200 OK\r\nCSeq: INVITE\r\n\r\n").cseq()


def test_built_messages_parse_back_with_their_content_length():
    message = SipMessage(
        method="INFO",
        uri="sip:a@b",
        headers=[("Call-ID", "c"), ("Content-Length", "99")],
        body=b"Signal=5",
    )
    data = message.to_bytes()
    assert data.startswith(b"INFO sip:a@b SIP/2.0\r\n")
    assert data.count(b"Content-Length") == 1
    again = parse(data)
    assert again.body == b"Signal=5"
    assert again.header("content-length") == "8"


def test_a_response_copies_the_dialog_headers_and_adds_a_to_tag():
    response = response_to(parse(INVITE), 180, "Ringing", to_tag="far")
    assert response.status == 180
    assert tag_of(response.header("To")) == "far"
    assert response.header("Via") == "SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bKabc;rport"
    assert response.header("CSeq") == "7 INVITE"
    assert response.header("Content-Type") is None


def test_tags_and_uris_are_read_from_name_addr_and_addr_spec():
    assert tag_of('"A;tag=fake" <sip:a@b;tag=uri>;tag=real') == "real"
    assert tag_of("<sip:a@b>") is None
    assert tag_of("sip:a@b;tag=bare") == "bare"
    assert (
        uri_of('"A" <sip:robot@10.0.0.5:5070;transport=udp>;tag=1')
        == "sip:robot@10.0.0.5:5070;transport=udp"
    )
    assert uri_of("sip:a@b;tag=1") == "sip:a@b"
    assert uri_of(None) is None


@pytest.mark.parametrize(
    ("content_type", "body", "key"),
    [
        ("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n", "5"),
        ("application/dtmf-relay", "Signal= #\r\nDuration=160", "#"),
        ("application/dtmf-relay", "Signal=11\r\n", "#"),
        ("Application/DTMF-Relay; charset=x", "signal=*", "*"),
        ("application/dtmf", "7", "7"),
        ("application/dtmf-relay", "Duration=160", None),
        ("application/dtmf-relay", "Signal=99", None),
        ("text/plain", "Signal=5", None),
    ],
)
def test_it_reads_keys_from_sip_info(content_type, body, key):
    info = SipMessage(
        method="INFO", uri="sip:a@b", headers=[("Content-Type", content_type)], body=body.encode()
    )
    assert dtmf_from_info(info) == key


ANSWER = b"""v=0\r
o=- 1 1 IN IP4 192.0.2.1\r
s=-\r
c=IN IP4 192.0.2.1\r
t=0 0\r
m=audio 40000 RTP/AVP 8 0 96\r
c=IN IP4 192.0.2.9\r
a=rtpmap:8 PCMA/8000\r
a=rtpmap:96 telephone-event/8000\r
m=video 40002 RTP/AVP 31\r
"""


def test_the_answer_gives_media_address_codec_and_event_type():
    media = sdp.parse_answer(ANSWER)
    assert media == sdp.MediaDescription("192.0.2.9", 40000, sdp.PCMA, 96)


def test_session_level_address_is_used_without_a_media_one():
    media = sdp.parse_answer(b"v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 5000 RTP/AVP 0\r\n")
    assert media == sdp.MediaDescription("192.0.2.1", 5000, sdp.PCMU, None)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"v=0\r\nc=IN IP4 192.0.2.1\r\n", "no audio"),
        (b"v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 0 RTP/AVP 0\r\n", "port 0"),
        (
            b"v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 5000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n",
            "no G.711",
        ),
        (b"v=0\r\nc=IN IP6 ::1\r\nm=audio 5000 RTP/AVP 0\r\n", "IP4"),
    ],
)
def test_unusable_answers_are_refused(body, message):
    with pytest.raises(sdp.SdpError, match=message):
        sdp.parse_answer(body)


def test_the_offer_lists_both_laws_and_telephone_events():
    offer = sdp.build_offer("10.0.0.5", 40000, 42).decode()
    assert "m=audio 40000 RTP/AVP 0 8 101\r\n" in offer
    assert "c=IN IP4 10.0.0.5\r\n" in offer
    assert "a=rtpmap:101 telephone-event/8000\r\n" in offer
    assert sdp.parse_answer(offer.encode()) == sdp.MediaDescription(
        "10.0.0.5", 40000, sdp.PCMU, 101
    )


def test_digest_matches_the_rfc_2617_example():
    # RFC 2617 §3.5: the response for user Mufasa with qop=auth.
    challenge = (
        'Digest realm="testrealm@host.com", qop="auth,auth-int", '
        'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"'
    )
    value = digest.authorization(
        challenge, "GET", "/dir/index.html", "Mufasa", "Circle Of Life", cnonce="0a4f113b"
    )
    assert 'response="6629fae49393a05397450978507c4ef1"' in value
    assert "nc=00000001" in value
    assert 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in value


def test_digest_without_qop_uses_the_rfc_2069_response():
    value = digest.authorization('Digest realm="r", nonce="n"', "INVITE", "sip:1@r", "u", "p")
    # MD5(MD5("u:r:p") ":n:" MD5("INVITE:sip:1@r")), worked out by hand once.
    assert 'response="c2679f5d30b7bf27faf47e60ae14b5cf"' in value
    assert "qop" not in value


@pytest.mark.parametrize(
    "challenge",
    ['Basic realm="r"', 'Digest realm="r"', 'Digest realm="r", nonce="n", algorithm=SHA-256'],
)
def test_challenges_we_cannot_answer_are_errors(challenge):
    with pytest.raises(digest.DigestError):
        digest.authorization(challenge, "INVITE", "sip:1@r", "u", "p")
