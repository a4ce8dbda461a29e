"""Signed statements: a JWS of the statement, sent as its signature attachment."""

import base64
import copy
import datetime
import hashlib
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from jwt.api_jws import PyJWS

from xapi.services.validation import StatementInvalid, signature_checked, statement_checked

from .factories import activity, attachment, group, statement, substatement

SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def other_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _x5c(key, signing_key=None) -> list[str]:
    """A self-signed certificate of `key`'s public half, as a JWS x5c header holds it."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "langportal test signer")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(signing_key or key, hashes.SHA256())
    )
    return [base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()]


def _jws(payload, key, algorithm="RS256", **headers) -> bytes:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return PyJWS().encode(data, key, algorithm=algorithm, headers=headers or None).encode()


def _sent_with(sent, jws, content_type="application/octet-stream", version="2.0.0"):
    """`sent` with `jws` as its signature attachment, checked as the request layer checks it."""
    signature = attachment(
        usageType=SIGNATURE, contentType=content_type, length=len(jws), sha2=hashlib.sha256(jws).hexdigest()
    )
    return statement_checked({**sent, "attachments": [*sent.get("attachments", []), signature]}, version=version)


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
def test_a_statement_signed_with_an_rsa_algorithm_is_accepted(key, algorithm):
    jws = _jws(statement(), key, algorithm)

    assert signature_checked(_sent_with(statement(), jws), jws) is None


def test_a_signature_that_verifies_with_its_x5c_certificate_is_accepted(key):
    jws = _jws(statement(), key, x5c=_x5c(key))

    assert signature_checked(_sent_with(statement(), jws, version="1.0.3"), jws) is None


# The statement as signed, and as sent: differences the standard says a signature ignores.
EQUIVALENT = [
    pytest.param(
        statement(),
        statement(
            id="6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
            timestamp="2024-05-01T12:00:00Z",
            stored="2024-05-01T12:00:01Z",
            version="2.0.0",
            authority={"mbox": "mailto:lms@example.com"},
        ),
        id="properties-the-lrs-sets",
    ),
    pytest.param(statement(attachments=[attachment()]), statement(), id="attachments"),
    pytest.param(
        statement(object=substatement(timestamp="2023-05-04T12:00:00-05:00")),
        statement(object=substatement(timestamp="2023-05-04T17:00:00Z")),
        id="substatement-timestamp-in-another-zone",
    ),
    pytest.param(
        statement(context={"contextActivities": {"parent": activity()}}),
        statement(context={"contextActivities": {"parent": [activity()]}}),
        id="single-context-activity",
    ),
    pytest.param(
        statement(actor=group()),
        statement(actor=group(member=group()["member"][::-1])),
        id="group-members-in-another-order",
    ),
    pytest.param(
        statement(result={"duration": "P1DT12H36M0.12S"}),
        statement(result={"duration": "P1DT12H36M0.1237S"}),
        id="duration-beyond-hundredths",
    ),
    pytest.param(
        statement(result={"duration": "PT59.10S"}), statement(result={"duration": "PT59.1S"}), id="duration-zeros"
    ),
]


@pytest.mark.parametrize(("signed", "sent"), EQUIVALENT)
def test_a_signature_ignores_what_the_standard_exempts_from_comparison(key, signed, sent):
    jws = _jws(signed, key)

    assert signature_checked(_sent_with(sent, jws), jws) is None


DIFFERENT = [
    pytest.param(statement(), statement(verb={"id": "http://adlnet.gov/expapi/verbs/passed"}), id="another-verb"),
    pytest.param(statement(), statement(result={"success": True}), id="a-result-added"),
    pytest.param(
        statement(result={"duration": "PT1.12S"}), statement(result={"duration": "PT1.13S"}), id="hundredths-differ"
    ),
    pytest.param(
        statement(object=substatement(timestamp="2023-05-04T12:00:00Z")),
        statement(object=substatement(timestamp="2023-05-04T12:00:01Z")),
        id="substatement-timestamp-differs",
    ),
    pytest.param(
        statement(result={"extensions": {"http://example.com/lap": {"duration": "PT1.1234S"}}}),
        statement(result={"extensions": {"http://example.com/lap": {"duration": "PT1.12S"}}}),
        id="extensions-compared-as-sent",
    ),
]


@pytest.mark.parametrize(("signed", "sent"), DIFFERENT)
def test_a_signature_of_another_statement_is_rejected(key, signed, sent):
    jws = _jws(signed, key)

    with pytest.raises(
        StatementInvalid, match=r"attachments\[0\]: the JWS payload is not the statement that was signed"
    ):
        signature_checked(_sent_with(sent, jws), jws)


@pytest.mark.parametrize("payload", [[statement()], "statement", 42])
def test_a_payload_that_is_no_statement_is_rejected(key, payload):
    jws = _jws(payload, key)

    with pytest.raises(StatementInvalid, match="the JWS payload is not the statement that was signed"):
        signature_checked(_sent_with(statement(), jws), jws)


def test_a_payload_that_is_not_json_is_rejected(key):
    jws = _jws(json.dumps(statement()).replace('"', "'", 1).encode(), key)

    with pytest.raises(StatementInvalid, match="the JWS payload must be the statement in JSON"):
        signature_checked(_sent_with(statement(), jws), jws)


@pytest.mark.parametrize("content_type", ["text/plain; charset=ascii", "application/json"])
def test_a_signature_attachment_must_be_an_octet_stream(key, content_type):
    jws = _jws(statement(), key)

    with pytest.raises(StatementInvalid, match=r"attachments\[0\]\.contentType: must be application/octet-stream"):
        signature_checked(_sent_with(statement(), jws, content_type=content_type), jws)


def test_a_signature_is_found_among_other_attachments(key):
    jws = _jws(statement(), key)
    sent = _sent_with(statement(attachments=[attachment()]), jws, content_type="application/octet-stream; x=1")

    assert signature_checked(sent, jws) is None


def test_a_jws_the_statement_does_not_list_as_its_signature_is_rejected(key):
    jws = _jws(statement(), key)
    sent = _sent_with(statement(), jws)
    listed_as_an_essay = copy.deepcopy(sent)
    listed_as_an_essay["attachments"][0]["usageType"] = "http://example.com/attachment-usage/essay"

    for unsigned in (statement_checked(statement(), version="2.0.0"), listed_as_an_essay):
        with pytest.raises(StatementInvalid, match=f"attachments: no attachment of usageType {SIGNATURE}"):
            signature_checked(unsigned, jws)
    with pytest.raises(StatementInvalid, match="has this signature's SHA-256"):
        signature_checked(sent, _jws(statement(), key, "RS384"))


@pytest.mark.parametrize(
    "jws",
    [b"not a jws", b"a.b", b"!!.??.**", json.dumps({"payload": "e30", "signatures": []}).encode()],
    ids=["words", "two-parts", "not-base64url", "json-serialization"],
)
def test_a_signature_that_is_not_a_compact_jws_is_rejected(jws):
    with pytest.raises(StatementInvalid, match="the signature must be a JWS in compact serialization"):
        signature_checked(_sent_with(statement(), jws), jws)


def test_a_signature_with_another_algorithm_is_rejected():
    hmac = _jws(statement(), "a shared secret of at least thirty-two bytes", "HS256")
    elliptic = _jws(statement(), ec.generate_private_key(ec.SECP256R1()), "ES256")
    unsigned = _jws(statement(), None, "none")

    for jws, algorithm in [(hmac, "HS256"), (elliptic, "ES256"), (unsigned, "none")]:
        with pytest.raises(StatementInvalid, match=f"must be signed with RS256, RS384, RS512, not '{algorithm}'"):
            signature_checked(_sent_with(statement(), jws), jws)


def test_a_signature_made_with_another_key_than_its_certificate_is_rejected(key, other_key):
    jws = _jws(statement(), other_key, x5c=_x5c(key))

    with pytest.raises(StatementInvalid, match="does not verify with the certificate of its x5c header"):
        signature_checked(_sent_with(statement(), jws), jws)


def test_a_tampered_signature_is_rejected(key):
    header, payload, signature = _jws(statement(), key, x5c=_x5c(key)).split(b".")
    tampered = b".".join([header, payload, signature[:-4] + (b"AAAA" if signature[-4:] != b"AAAA" else b"BBBB")])

    with pytest.raises(StatementInvalid, match="does not verify with the certificate of its x5c header"):
        signature_checked(_sent_with(statement(), tampered), tampered)


@pytest.mark.parametrize(
    ("x5c", "message"),
    [
        ("MIIB", "the JWS x5c header must be an array of base64 DER certificates"),
        ([], "the JWS x5c header must be an array of base64 DER certificates"),
        (["not base64!"], "the first certificate of the JWS x5c header cannot be read"),
        (
            [base64.b64encode(b"not a certificate").decode()],
            "the first certificate of the JWS x5c header cannot be read",
        ),
    ],
)
def test_an_x5c_header_without_a_certificate_is_rejected(key, x5c, message):
    jws = _jws(statement(), key, x5c=x5c)

    with pytest.raises(StatementInvalid, match=message):
        signature_checked(_sent_with(statement(), jws), jws)


def test_a_certificate_without_an_rsa_key_is_rejected(key):
    elliptic = ec.generate_private_key(ec.SECP256R1())
    jws = _jws(statement(), key, x5c=_x5c(elliptic))

    with pytest.raises(StatementInvalid, match="the certificate of the JWS x5c header must hold an RSA key"):
        signature_checked(_sent_with(statement(), jws), jws)
