"""The string formats xAPI names, one check each, with the values that sit on their edges."""

import pytest

from xapi.services.validation import values

IRIS = [
    "http://www.example.com/meetings/occurances/34534",
    "http://adlnet.gov/expapi/verbs/attended#fragment",
    "https://例え.テスト/パス?クエリ=値",
    "urn:uuid:6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
    "tag:example.com,2024:kanji",
    "mailto:hana@example.com",
    "http://[2001:db8::7]/resource",
    "http://[v1.fe80::a+en1]/",
    "http://user:pw@example.com:8080/a%20b",
    "file:///srv/essay.txt",
]
NOT_IRIS = [
    "",
    "abc",
    "ab=c://should.fail.com",
    "should fail",
    "homePage.com/testUser",
    "http://example.com/a b",
    "http://example.com/%zz",
    "http://ex ample.com",
    "http://[::1%25eth0]/",
    "http://[not-an-address]/",
    "X:\\meetings\\minutes",
    "http://example.com/\u0001",
]


@pytest.mark.parametrize("value", IRIS)
def test_an_iri_has_a_scheme_and_only_allowed_characters(value):
    assert values.is_iri(value)


@pytest.mark.parametrize("value", NOT_IRIS)
def test_a_string_without_a_scheme_or_with_forbidden_characters_is_no_iri(value):
    assert not values.is_iri(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("http://www.example.com", True),
        ("https://example.com/page?x=1", True),
        ("file:///srv/essay.txt", True),
        ("urn:uuid:6690e6c9-3ef0-4ed3-8b37-7f3964730bee", False),
        ("mailto:hana@example.com", False),
        ("www.example.com", False),
    ],
)
def test_an_irl_is_an_iri_with_an_authority_to_locate(value, expected):
    assert values.is_irl(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("http://openid.example.org/12345", True), ("http://openid.example.org/名前", False), ("open.id.com/u", False)],
)
def test_a_uri_is_an_ascii_iri(value, expected):
    assert values.is_uri(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("6690e6c9-3ef0-4ed3-8b37-7f3964730bee", True),
        ("AA97B177-9383-4934-8543-0F91A7A02836", True),
        ("AA97B177-9383-4934-8543-0F91A7A028368", False),
        ("MA97B177-9383-4934-8543-0F91A7A02836", False),
        ("6690e6c93ef04ed38b377f3964730bee", False),
        ("{6690e6c9-3ef0-4ed3-8b37-7f3964730bee}", False),
        ("urn:uuid:6690e6c9-3ef0-4ed3-8b37-7f3964730bee", False),
    ],
)
def test_a_uuid_is_in_standard_string_form_of_either_case(value, expected):
    assert values.is_uuid(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("mailto:xapi@adlnet.gov", True),
        ("mailto:first.last+tag@例え.jp", True),
        ("mailto:should.fail.com", False),
        ("http://should.fail.com", False),
        ("xapi@adlnet.gov", False),
        ("mailto:a@b@c", False),
        ("mailto:a@example.com,b@example.com", False),
        ("mailto:a@example.com?subject=hi", False),
        ("mailto:a b@example.com", False),
        ("mailto:@example.com", False),
    ],
)
def test_an_mbox_is_mailto_and_one_email_address(value, expected):
    assert values.is_mailto_iri(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("cd9b00a5611f94eaa7b1661edab976068e364975", True),
        ("CD9B00A5611F94EAA7B1661EDAB976068E364975", True),
        ("cd9b00a5611f94eaa7b1661edab976068e36497", False),
        ("zd9b00a5611f94eaa7b1661edab976068e364975", False),
    ],
)
def test_a_sha1_is_40_hex_digits(value, expected):
    assert values.is_sha1_hex(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a" * 56, True),
        ("495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a", True),
        ("b" * 96, True),
        ("C" * 128, True),
        ("a" * 40, False),
        ("a" * 63, False),
        ("g" * 64, False),
    ],
)
def test_a_sha2_is_the_hex_digest_of_a_sha2_hash(value, expected):
    assert values.is_sha2_hex(value) is expected


@pytest.mark.parametrize(
    "value",
    [
        *("en", "en-US", "tlh", "cmn", "ase", "zh-Hant", "zh-Hans-CN", "sr-Latn-RS", "sr-Cyrl", "es-419"),
        *("de-CH-1901", "en-US-u-ca-gregory", "en-US-x-twain", "x-private", "i-klingon", "zh-min-nan", "EN-us"),
    ],
)
def test_a_registered_rfc5646_tag_is_a_language_tag(value):
    assert values.is_language_tag(value)


@pytest.mark.parametrize(
    "value",
    [
        *("", "something", "a12345678", "s-something", "en-something-AU", "zh-something-ccc"),
        "zh-z-aaa-z-bbb-c-ccc",  # the same extension singleton twice
        "sl-rozaj-rozaj",  # the same variant twice
        *("en_US", "en-", "-en", "en--US", " en", "xx-ZZ", "jp"),
    ],
)
def test_a_malformed_or_unregistered_tag_is_no_language_tag(value):
    assert not values.is_language_tag(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[(value, True) for value in ("PT1H0M0S", "PT16559.14S", "P3Y1M29DT4H35M59.14S", "P3Y", "P4W", "PT1,5S")],
        *[(value, True) for value in ("P1DT12H36M0.12567S", "P3000000Y")],
        ("P4W1D", False),  # weeks stand alone
        ("PA1H0M0S", False),
        ("P", False),
        ("PT", False),
        ("P1DT", False),
        ("PT1.5H30M", False),  # only the last component may have a fraction
        ("-P1D", False),
        ("p1d", False),
        ("P0003-01-29T04:35:59", False),  # the alternative format, which xAPI forbids
        ("P00030129T043559", False),
    ],
)
def test_a_duration_is_iso8601_in_the_designator_format(value, expected):
    assert values.is_duration(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[(value, True) for value in ("2008-09-15T15:53:00.601Z", "2008-09-15T15:53:00.601+05:30", "20080915T155300Z")],
        *[(value, True) for value in ("2008-09-15T15:53Z", "2008-W38-1T15:53:00Z", "2008-09-15T15:53:00")],
        ("2008-09-15T15:53:00.601-00", False),
        ("2008-09-15T15:53:00.601-0000", False),
        ("2008-09-15T15:53:00.601-00:00", False),
        ("2008-09-15 15:53:00Z", False),
        ("2008-09-15", False),
        ("01/011/2015", False),
        ("2008-02-30T00:00:00Z", False),
    ],
)
def test_a_1_0_3_timestamp_is_an_iso8601_date_and_time(value, expected):
    assert values.is_iso8601_timestamp(value) is expected


@pytest.mark.parametrize(
    ("value", "in_utc"),
    [
        ("2008-09-15T15:53:00.601Z", "2008-09-15T15:53:00.601Z"),
        ("2008-09-15T15:53:00.601+00:00", "2008-09-15T15:53:00.601Z"),
        ("2023-05-04T12:00:00-05:00", "2023-05-04T17:00:00Z"),
        ("2024-01-01T08:30:00.123456789+09:00", "2023-12-31T23:30:00.123456789Z"),
        ("2008-09-15t15:53:00z", "2008-09-15T15:53:00Z"),
        ("0001-01-01T09:00:00+09:00", "0001-01-01T00:00:00Z"),
    ],
)
def test_an_rfc3339_timestamp_is_written_in_utc_with_its_fraction_kept(value, in_utc):
    assert values.rfc3339_in_utc(value) == in_utc


@pytest.mark.parametrize(
    "value",
    [
        *("2008-09-15T15:53:00.601-00:00", "2008-09-15T15:53:00.601-00", "2008-09-15T15:53:00.601-0000"),
        *("2008-09-15T15:53:00", "20080915T155300Z", "2008-09-15T15:53Z", "2008-09-15 15:53:00Z"),
        *("2008-02-30T00:00:00Z", "2008-09-15T24:00:00Z", "2008-09-15T15:53:00+24:00", "should fail"),
        "0001-01-01T00:00:00+01:00",  # before the first instant there is
    ],
)
def test_a_timestamp_outside_rfc3339_has_no_utc_form(value):
    assert values.rfc3339_in_utc(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text/plain; charset=ascii", True),
        ("application/octet-stream", True),
        ('multipart/mixed; boundary="a b"', True),
        ("text", False),
        ("text/plain;", False),
        ("text/plain charset", False),
    ],
)
def test_a_content_type_is_an_internet_media_type(value, expected):
    assert values.is_media_type(value) is expected
