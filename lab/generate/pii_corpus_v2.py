"""An independent corpus for the PII scrubber, written apart from its recognizers.

Values come from Faker (names, streets, cities, companies in eleven locales) and from generators
written here for identifiers; the sentences that carry them are error messages, log lines, local
variable dumps and JSON payloads in the styles of several runtimes. A value counts as caught only
when no piece of it of 4 or more characters survives scrubbing (`leaked`).

Precision is measured on code lines that carry no personal data (frames, statements, SQL,
exception types, module paths, versions, identifiers that contain first names or cities): the
share left byte-for-byte unchanged.

Seed 1 is the development seed; seed 2 is the check (tests/consent/test_pii.py and the benchmark).
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass
from functools import lru_cache

DEV_SEED = 1
CHECK_SEED = 2


@dataclass(frozen=True)
class Sample:
    kind: str
    text: str
    value: str  # the planted value ("" for code lines)


_PIECE = re.compile(r"[^\W_]+", re.UNICODE)
_PLACEHOLDER = re.compile(r"<[A-Z_]+>")


def leaked(sample: Sample, scrubbed: str) -> bool:
    """True when any 4 consecutive characters of an alphanumeric run of the value (runs of 4 or
    more) occur more often in `scrubbed` than in the text with the value taken out, so that
    coincidences with the surrounding template are not counted against the scrubber."""
    baseline = sample.text.replace(sample.value, " ").casefold()
    folded = _PLACEHOLDER.sub(" ", scrubbed).casefold()
    for run in _PIECE.findall(sample.value.casefold()):
        for i in range(len(run) - 3):
            gram = run[i : i + 4]
            if folded.count(gram) > baseline.count(gram):
                return True
    return False


@lru_cache(maxsize=16)
def _faker(locale: str):
    from faker import Faker

    return Faker(locale)


NAME_LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "pl_PL", "pt_BR", "nl_NL",
                "sv_SE", "cs_CZ", "tr_TR", "en_IN", "fi_FI", "ro_RO"]
ADDRESS_LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "en_AU"]


def _fake(rng: random.Random, locales: list[str]):
    faker = _faker(rng.choice(locales))
    faker.seed_instance(rng.getrandbits(32))
    return faker


def _person(rng: random.Random) -> str:
    faker = _fake(rng, NAME_LOCALES)
    style = rng.random()
    if style < 0.6:
        return f"{faker.first_name()} {faker.last_name()}"
    if style < 0.75:
        return f"{faker.first_name()} {faker.first_name()} {faker.last_name()}"
    if style < 0.9:
        return f"{faker.last_name()}, {faker.first_name()}"
    return f"{faker.prefix()} {faker.first_name()} {faker.last_name()}".strip()


def _street(rng: random.Random) -> str:
    return " ".join(_fake(rng, ADDRESS_LOCALES).street_address().split())


def _city(rng: random.Random) -> str:
    return _fake(rng, ADDRESS_LOCALES).city()


def _company(rng: random.Random) -> str:
    return _fake(rng, ADDRESS_LOCALES).company()


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _ssn(rng: random.Random) -> str:
    area = rng.choice([a for a in range(1, 900) if a != 666])
    number = f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"
    return rng.choice(["{}-{}-{}", "{} {} {}", "{}{}{}"]).format(
        number[:3], number[3:5], number[5:]
    )  # noqa: E501


def _nino(rng: random.Random) -> str:
    first = rng.choice("ABCEGHJKLMNOPRSTWXYZ")
    second = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    while first + second in {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}:
        second = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    body = _digits(rng, 6)
    suffix = rng.choice("ABCD")
    if rng.random() < 0.5:
        return f"{first}{second} {body[:2]} {body[2:4]} {body[4:]} {suffix}"
    return f"{first}{second}{body}{suffix}"


def _nhs(rng: random.Random) -> str:
    while True:
        body = [rng.randint(0, 9) for _ in range(9)]
        check = 11 - sum(d * w for d, w in zip(body, range(10, 1, -1), strict=True)) % 11
        if check == 11:
            check = 0
        if check != 10:
            number = "".join(map(str, body)) + str(check)
            break
    return rng.choice([f"{number[:3]} {number[3:6]} {number[6:]}", number,
                       f"{number[:3]}-{number[3:6]}-{number[6:]}"])


def _passport(rng: random.Random) -> str:
    letters = string.ascii_uppercase
    return rng.choice([
        _digits(rng, 9),  # US, UK
        rng.choice("CFGHJK") + "".join(rng.choice("CFGHJKLMNPRTVWXYZ0123456789") for _ in range(8)),
        _digits(rng, 2) + rng.choice(letters) + rng.choice(letters) + _digits(rng, 5),  # FR
        rng.choice(letters) + _digits(rng, 7),  # IN
        rng.choice(letters) + rng.choice(letters) + _digits(rng, 7),  # several
    ])


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def _dob(rng: random.Random) -> str:
    y, m, d = rng.randint(1930, 2008), rng.randint(1, 12), rng.randint(1, 28)
    return rng.choice([f"{y}-{m:02d}-{d:02d}", f"{d:02d}/{m:02d}/{y}", f"{m:02d}/{d:02d}/{y}",
                       f"{d}.{m}.{y}", f"{MONTHS[m - 1]} {d}, {y}", f"{d} {MONTHS[m - 1]} {y}",
                       f"{d:02d}.{m:02d}.{y}"])


def _mac(rng: random.Random) -> str:
    octets = [rng.randint(0, 255) for _ in range(6)]
    style = rng.random()
    if style < 0.4:
        return ":".join(f"{o:02x}" for o in octets)
    if style < 0.7:
        return "-".join(f"{o:02X}" for o in octets)
    if style < 0.85:
        return ":".join(f"{o:02X}" for o in octets)
    words = [f"{octets[i]:02x}{octets[i + 1]:02x}" for i in (0, 2, 4)]
    return ".".join(words)


_ASCII = str.maketrans("", "", " ',.")


def _email_unicode(rng: random.Random) -> str:
    faker = _fake(rng, ["de_DE", "fr_FR", "es_ES", "pl_PL", "cs_CZ", "tr_TR", "sv_SE", "pt_BR"])
    first = faker.first_name().lower().translate(_ASCII)
    last = faker.last_name().lower().translate(_ASCII)
    local = rng.choice([f"{first}.{last}", f"{first}{rng.randint(1, 99)}", f"{first[0]}{last}"])
    if not any(ord(c) > 127 for c in local):
        local = (
            rng.choice(["josé", "zoë", "ñandú", "çağrı", "łucja", "søren", "Ünal"]) + "." + local
        )  # noqa: E501
    domain = rng.choice(["gmail.com", "web.de", "orange.fr", "example.org", "seznam.cz"])
    if rng.random() < 0.15:
        local, domain = rng.choice([("用户", "例子.广告"), ("δοκιμή", "παράδειγμα.δοκιμή"),
                                    ("пользователь", "пример.рф"), ("राम", "उदाहरण.भारत")])  # noqa: E501
    return f"{local}@{domain}"


def _email_idn(rng: random.Random) -> str:
    faker = _fake(rng, ["de_DE", "fr_FR", "sv_SE", "es_ES"])
    local = rng.choice([faker.user_name(), "info", "billing", "kontakt", "support"])
    host = rng.choice(["bücher", "müller-bau", "café-olé", "straße", "kärnten", "ñandú", "øst"])
    domain = f"{host}{rng.randint(1, 999)}.{rng.choice(['de', 'at', 'es', 'fr', 'com', 'dk'])}"
    if rng.random() < 0.3:
        domain = domain.encode("idna").decode("ascii")
    return f"{local}@{domain}"


def _phone_uk(rng: random.Random) -> str:
    return rng.choice([f"+44 20 {rng.randint(3000, 8999)} {_digits(rng, 4)}",
                       f"+44 7{rng.randint(400, 999)} {_digits(rng, 6)}",
                       f"020 {rng.randint(3000, 8999)} {_digits(rng, 4)}",
                       f"07{rng.randint(400, 999)} {_digits(rng, 3)} {_digits(rng, 3)}",
                       f"+44 (0)161 {rng.randint(200, 999)} {_digits(rng, 4)}",
                       f"0113 {rng.randint(200, 999)} {_digits(rng, 4)}"])


def _phone_us(rng: random.Random) -> str:
    area, ex = rng.choice([212, 312, 415, 617, 713, 206, 303, 404, 512, 646]), rng.randint(200, 999)
    line = _digits(rng, 4)
    return rng.choice([f"({area}) {ex}-{line}", f"{area}-{ex}-{line}", f"+1 {area} {ex} {line}",
                       f"{area}.{ex}.{line}", f"+1-{area}-{ex}-{line}"])


# Area codes in service across the country; exchanges never start with 0 or 1 (NANP).
US_AREA_CODES = [201, 206, 212, 213, 214, 303, 305, 312, 404, 415, 503, 512, 602, 617, 646, 702,
                 713, 718, 773, 808, 857, 919, 971]


def _phone_us_national(rng: random.Random) -> str:
    """A US number as people format it without a country code (or with the trunk `1-`)."""
    area, ex, line = rng.choice(US_AREA_CODES), rng.randint(200, 999), _digits(rng, 4)
    return rng.choice([f"({area}) {ex}-{line}", f"({area}){ex}-{line}", f"{area}-{ex}-{line}",
                       f"{area}.{ex}.{line}", f"{area} {ex} {line}", f"1-{area}-{ex}-{line}",
                       f"1 ({area}) {ex}-{line}"])


def _phone_de(rng: random.Random) -> str:
    return rng.choice([f"+49 30 {_digits(rng, 8)}", f"030 {_digits(rng, 7)}",
                       f"+49 89 {_digits(rng, 3)} {_digits(rng, 4)}",
                       f"+49 151 {_digits(rng, 8)}", f"0171 {_digits(rng, 7)}",
                       f"+49 (0)40 {_digits(rng, 7)}"])


def _phone_fr(rng: random.Random) -> str:
    pairs = " ".join(_digits(rng, 2) for _ in range(4))
    return rng.choice(
        [
            f"+33 1 {pairs}",
            f"01 {pairs}",
            f"+33 6 {pairs}",
            f"06 {pairs}",
            f"+33 (0)4 {pairs}",
            f"0{rng.randint(1, 5)}.{pairs.replace(' ', '.')}",
        ]
    )


def _phone_intl(rng: random.Random) -> str:
    return rng.choice([
        f"+91 {rng.randint(70000, 99999)} {_digits(rng, 5)}",  # India mobile
        f"+61 2 {rng.randint(8000, 9999)} {_digits(rng, 4)}",  # Sydney
        f"+61 4{_digits(rng, 2)} {_digits(rng, 3)} {_digits(rng, 3)}",  # AU mobile
        f"+55 11 9{_digits(rng, 4)}-{_digits(rng, 4)}",  # São Paulo mobile
        f"+81 3-{_digits(rng, 4)}-{_digits(rng, 4)}",  # Tokyo
        f"+31 20 {_digits(rng, 3)} {_digits(rng, 4)}",  # Amsterdam
        f"+34 91{_digits(rng, 1)} {_digits(rng, 3)} {_digits(rng, 3)}",  # Madrid
        f"+39 06 {_digits(rng, 4)} {_digits(rng, 4)}",  # Rome
        f"+41 44 {_digits(rng, 3)} {_digits(rng, 2)} {_digits(rng, 2)}",  # Zürich
        f"+48 22 {_digits(rng, 3)} {_digits(rng, 2)} {_digits(rng, 2)}",  # Warsaw
        f"+46 8 {_digits(rng, 3)} {_digits(rng, 3)} {_digits(rng, 2)}",  # Stockholm
        f"+27 21 {_digits(rng, 3)} {_digits(rng, 4)}",  # Cape Town
        f"+65 {rng.choice('689')}{_digits(rng, 3)} {_digits(rng, 4)}",  # Singapore
        f"+52 55 {_digits(rng, 4)} {_digits(rng, 4)}",  # Mexico City
        f"0049 30 {_digits(rng, 8)}",
    ])


def _card(rng: random.Random) -> str:
    prefix = rng.choice(["4", "51", "52", "53", "55", "2221", "6011", "34", "37"])
    length = 15 if prefix in ("34", "37") else 16
    digits = [int(c) for c in prefix] + [rng.randint(0, 9) for _ in range(length - len(prefix) - 1)]
    parity = len(digits) % 2
    total = sum((d * 2 - 9 if d * 2 > 9 else d * 2) if i % 2 != parity else d
                for i, d in enumerate(digits))
    number = "".join(map(str, digits)) + str((10 - total % 10) % 10)
    if rng.random() < 0.5:
        return number
    return "-".join(number[i : i + 4] for i in range(0, len(number), 4))


def _iban(rng: random.Random) -> str:
    country, length = rng.choice([("DE", 18), ("GB", 18), ("FR", 23), ("AT", 16), ("NL", 14),
                                  ("IT", 23), ("CH", 17), ("PL", 24)])
    if country == "GB":
        bban = rng.choice(["NWBK", "BARC", "HBUK"]) + _digits(rng, 14)
    elif country == "NL":
        bban = rng.choice(["ABNA", "INGB", "RABO"]) + _digits(rng, 10)
    elif country == "IT":
        bban = rng.choice(string.ascii_uppercase) + _digits(rng, 22)
    else:
        bban = _digits(rng, length)
    numeric = "".join(str(int(c, 36)) for c in bban + country + "00")
    iban = f"{country}{98 - int(numeric) % 97:02d}{bban}"
    if rng.random() < 0.5:
        return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    return iban


def _ipv4(rng: random.Random) -> str:
    return (
        f"{rng.randint(11, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"  # noqa: E501
    )


def _ipv6(rng: random.Random) -> str:
    groups = [f"{rng.randint(0, 65535):x}" for _ in range(8)]
    if rng.random() < 0.5:
        return ":".join(groups)
    return ":".join(groups[:3]) + "::" + ":".join(groups[6:])


def _aws(rng: random.Random) -> str:
    return rng.choice(["AKIA", "ASIA"]) + "".join(
        rng.choice(string.ascii_uppercase + "234567") for _ in range(16)
    )


def _b64url(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits + "-_") for _ in range(n))


def _jwt(rng: random.Random) -> str:
    return (
        f"eyJhbGciOiJ{_b64url(rng, 20)}.eyJ{_b64url(rng, rng.randint(40, 90))}.{_b64url(rng, 43)}"  # noqa: E501
    )


def _dsn_password(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits + "!*-_~") for _ in range(
        rng.randint(10, 20)))


GENERATORS = {
    "person": _person, "street_address": _street, "city": _city, "organisation": _company,
    "us_ssn": _ssn, "uk_nino": _nino, "nhs_number": _nhs, "passport": _passport,
    "date_of_birth": _dob, "mac_address": _mac, "email_unicode": _email_unicode,
    "email_idn": _email_idn, "phone_uk": _phone_uk, "phone_us": _phone_us, "phone_de": _phone_de,
    "phone_fr": _phone_fr, "phone_intl": _phone_intl, "credit_card": _card, "iban": _iban,
    "ipv4": _ipv4, "ipv6": _ipv6, "aws_key": _aws, "jwt": _jwt, "dsn_password": _dsn_password,
    # added later, after the kinds above (so their samples stay the same for a seed)
    "phone_us_bare": _phone_us_national, "dob_in_code": _dob,
}

# Context-free sentences, used only for kinds recognisable by their form alone.
_ANY = ["lookup failed for {v}", "{{'value': '{v}'}} rejected", "unexpected value '{v}'"]
_FORM_ALONE = {
    "person",
    "email_unicode",
    "email_idn",
    "mac_address",
    "credit_card",
    "iban",
    "ipv4",
    "ipv6",
    "aws_key",
    "jwt",
    "uk_nino",
    "phone_intl",
}
TEMPLATES: dict[str, list[str]] = {
    "person": [
        "billing.errors.ProfileMissing: customer '{v}' has no billing profile",
        "PermissionDenied: {v} may not approve refunds above 500 EUR",
        "[warn] invoice 8812 addressed to {v} bounced",
        '    recipient = {{"name": "{v}", "tier": "gold"}}',
        "AssertionError: expected owner to be {v}, got None",
        "User {v} (id=4411) exceeded the export quota",
        "Could not render greeting 'Dear {v},' for template welcome_v2",
        "TypeError: cannot sign contract for {v}: missing witness",
        "ticket #771 reassigned from {v} to the on-call rotation",
        'logger.info("driver %s accepted ride", "{v}")',
    ],
    "street_address": [
        "GeocodeError: no match for '{v}'",
        "shipment 55-1902 to {v} returned: undeliverable",
        '    address_line1 = "{v}"',
        "ValidationError: {{'street': ['{v} is outside the delivery area']}}",
        "delivery slot unavailable at {v} on Saturday",
    ],
    "city": [
        "TaxRateMissing: no VAT table for {v}",
        "geoip resolved client to {v}; store closed",
        '    "shipping_city": "{v}",',
        "weather widget timed out for {v} after 3000 ms",
    ],
    "organisation": [
        "TenantSuspended: account of {v} suspended for non-payment",
        "invoice PDF for {v} failed to render: font missing",
        '    "employer": "{v}",',
        "SAML assertion from {v} rejected: clock skew",
    ],
    "us_ssn": ["W2Export: SSN {v} failed validation", "    ssn = '{v}'",
               "payroll row 88: social security number {v} duplicated",
               "{{\"taxpayer_ssn\": \"{v}\"}} could not be encrypted"],
    "uk_nino": ["HMRCError: National Insurance number {v} not recognised",
                "    ni_number = \"{v}\"", "P45 upload rejected for NINO {v}"],
    "nhs_number": ["PatientLookupError: NHS number {v} not found in spine",
                   "    nhs_no = '{v}'", "referral for nhs {v} has no GP practice"],
    "passport": ["KYCError: passport number {v} expired", "    passport_no = '{v}'",
                 "travel document {v} failed MRZ check", "Passport: {v} already linked"],
    "date_of_birth": ["AgeGateError: date of birth {v} below the minimum age",
                      "    dob = '{v}'", "patient born {v} has no guardian on file",
                      "{{\"birth_date\": \"{v}\", \"plan\": \"basic\"}} rejected",
                      "DOB: {v} does not match ID document"],
    "mac_address": ["DHCP lease conflict for {v}", "    hw_addr = '{v}'",
                    "device {v} not enrolled in MDM", "wol packet to {v} dropped"],
    "email_unicode": ["SMTPRecipientsRefused: {{'{v}': (550, b'User unknown')}}",
                      "    reply_to = \"{v}\"", "newsletter opt-in for {v} expired",
                      "duplicate key value (email)=({v}) violates unique constraint"],
    "email_idn": ["SMTPRecipientsRefused: {{'{v}': (550, b'User unknown')}}",
                  "    contact_email = '{v}'", "bounce from <{v}>: mailbox full"],
    "phone_uk": ["TwilioRestException: unable to reach {v}", "    mobile = '{v}'",
                 "callback requested on {v} outside office hours", "tel: {v} invalid for SMS"],
    "phone_us": ["TwilioRestException: unable to reach {v}", "    phone = '{v}'",
                 "callback requested on {v} outside office hours", "SMS to {v} throttled"],
    "phone_de": ["TwilioRestException: unable to reach {v}", "    telefon = '{v}'",
                 "Rückruf an {v} fehlgeschlagen", "fax {v} busy after 3 attempts"],
    "phone_fr": ["TwilioRestException: unable to reach {v}", "    telephone = '{v}'",
                 "appel vers {v} échoué", "contact number {v} rejected by carrier"],
    "phone_intl": ["TwilioRestException: unable to reach {v}", "    msisdn = '{v}'",
                   "WhatsApp template to {v} rejected", "OTP to {v} not delivered"],
    "credit_card": ["CardError: card {v} was declined", "    pan = '{v}'",
                    "tokenization failed for {v}"],
    "iban": ["SepaError: IBAN {v} failed checksum at bank", "    iban = '{v}'",
             "payout to {v} pending review"],
    "ipv4": ["ConnectTimeout: {v}:443 timed out", "blocked request from {v}",
             "    remote_addr = '{v}'"],
    "ipv6": ["ConnectTimeout: [{v}]:443 timed out", "blocked request from {v}"],
    "aws_key": ["botocore.exceptions.ClientError: The AWS Access Key Id {v} does not exist",
                "    AWS_ACCESS_KEY_ID = '{v}'"],
    "jwt": ["jose.exceptions.JWTError: Signature verification failed for {v}",
            "Authorization header: {v}"],
    # A formatted US number with no phone word near it: messages, literals, rows.
    "phone_us_bare": ["lookup failed for {v}", "{{'value': '{v}'}} rejected",
                      "unexpected value '{v}'", "no account matches {v}",
                      '    primary = "{v}"', "{{\"id\": 4411, \"alt\": \"{v}\"}} failed schema",
                      "Duplicate entry '{v}' for key 'users.uniq_login'",
                      "    row = ('ACME-17', '{v}', 'gold')",
                      "IntegrityError: value '{v}' already registered to account 8812",
                      'logger.warning("forwarding to %s", "{v}")'],
    # A date next to a birth-date name of some language, in code and in messages.
    "dob_in_code": ['    dob = parse_date("{v}")', "    patient.birth_date = '{v}'",
                    "    geburtsdatum = '{v}'", "Geburtsdatum: {v} liegt in der Zukunft",
                    '{{"date_de_naissance": "{v}", "plan": "basic"}}',
                    "ValidationError: {{'fecha_de_nacimiento': ['{v} no es válida']}}",
                    "    data_di_nascita = datetime.strptime('{v}', fmt)",
                    "geboortedatum {v} ligt in de toekomst", "    'födelsedatum': '{v}',",
                    "data urodzenia {v} jest nieprawidłowa",
                    '    user.setDateOfBirth(LocalDate.parse("{v}"));',
                    "    const birthday = new Date('{v}');",
                    "AgeCheckFailed: applicant born on {v} is under 18",
                    "    self.assertEqual(member.birthdate, '{v}')",
                    "INSERT INTO patients (id, dob) VALUES (17, '{v}')",
                    "    birth = date.fromisoformat('{v}')", "client né le {v}: âge invalide",
                    "nacido el {v}, edad fuera de rango"],
    "dsn_password": ["OperationalError: could not connect to postgresql://report:{v}@10.0.3.7/warehouse",
                     "kombu: amqp://worker:{v}@rabbit.internal:5672// refused",
                     "mysql://root:{v}@localhost:3306/shop unreachable"],
}

# Code lines without personal data: frames, statements, SQL, exception types, versions and
# identifiers that contain first names, cities or company words.
CODE_LINES = [
    "class MariaDBAdapter(BaseAdapter):",
    "from django.db.models import Decimal, F, Q",
    "from decimal import Decimal, InvalidOperation",
    "django.db.models.fields.FieldDoesNotExist: Order has no field named 'amount'",
    "decimal.InvalidOperation: [<class 'decimal.ConversionSyntax'>]",
    "    return Decimal(value).quantize(Decimal('0.01'))",
    "SELECT id, total FROM orders WHERE customer_id = %s ORDER BY created_at DESC LIMIT 20",
    "INSERT INTO audit_log (actor_id, action) VALUES ($1, $2) RETURNING id",
    "UPDATE accounts SET balance = balance - 10 WHERE id = 7",
    "psycopg.errors.UniqueViolation: duplicate key value violates unique constraint \"orders_pkey\"",  # noqa: E501
    '  File "/usr/lib/python3.12/site-packages/django/core/handlers/base.py", line 197, in _get_response',  # noqa: E501
    '  File "/srv/app/billing/adapters/mariadb.py", line 88, in connect',
    "    at Object.<anonymous> (/app/node_modules/express/lib/router/index.js:284:7)",
    "    at processTicksAndRejections (node:internal/process/task_queues:95:5)",
    "\tat org.hibernate.engine.jdbc.spi.SqlExceptionHelper.logExceptions(SqlExceptionHelper.java:142)",  # noqa: E501
    "\tat com.acme.georgia.PaymentService.charge(PaymentService.java:57)",
    "goroutine 17 [running]:",
    "main.(*Server).handleCheckout(0xc0001a2000, {0x7f3e2c, 0xc000120000})",
    "    /go/src/app/cmd/server/main.go:212 +0x1c5",
    "ActiveRecord::RecordNotFound: Couldn't find Invoice with 'id'=4412",
    "/usr/local/bundle/gems/activerecord-7.1.3/lib/active_record/core.rb:253:in `find'",
    "Python 3.12.4, Django 5.2.19, celery 5.4.0, release shop@2.14.1",
    "sentry-sdk==2.20.0 urllib3==2.2.3 certifi==2024.8.30",
    "TypeError: unsupported operand type(s) for +: 'NoneType' and 'Decimal'",
    "KeyError: 'victoria_metrics_url'",
    "ModuleNotFoundError: No module named 'austin_profiler'",
    "AttributeError: 'JordanCurve' object has no attribute 'winding_number'",
    "    florence = FlorenceClient(base_url=settings.FLORENCE_URL, timeout=5.0)",
    "    for georgia_rate in GeorgiaTaxTable.objects.filter(year=2024):",
    "ImportError: cannot import name 'ParisTimezone' from 'app.tz' (/srv/app/tz.py)",
    "    chase_payments.capture(intent_id, amount=Decimal('12.50'))",
    "    return self.madison_queue.put_nowait(job)",
    "sqlalchemy.exc.OperationalError: (MySQLdb.OperationalError) (2006, 'MySQL server has gone away')",  # noqa: E501
    "redis.exceptions.ConnectionError: Error 111 connecting to cache:6379. Connection refused.",
    "celery.exceptions.SoftTimeLimitExceeded: SoftTimeLimitExceeded()",
    "Traceback (most recent call last):",
    "The above exception was the direct cause of the following exception:",
    "During handling of the above exception, another exception occurred:",
    "ZeroDivisionError: division by zero",
    "    total = sum(line.amount for line in cart.lines) / len(cart.lines)",
    "Error: ENOENT: no such file or directory, open '/app/config/production.json'",
    "TypeError: Cannot read properties of undefined (reading 'map')",
    "java.lang.NullPointerException: Cannot invoke \"String.length()\" because \"s\" is null",
    "org.springframework.dao.DataIntegrityViolationException: could not execute statement",
    "2024-05-06T12:31:45.120Z ERROR [worker-3] order 1234 took 12.5 ms",
    "request_id=9f1c2a4e-3b7d-4c2e-9a1b-0c6d5e4f3a21 status=500 duration_ms=842",
    "    raise ValidationError(_('Enter a valid amount.'), code='invalid')",
    "django.core.exceptions.ImproperlyConfigured: Set the DATABASE_URL environment variable",
    "RuntimeError: Event loop is closed",
    "    def test_sydney_rollover(self, london_clock, berlin_fixture):",
    "    CHARLOTTE_BUCKET = os.environ['CHARLOTTE_BUCKET']",
    "    await kafka_producer.send_and_wait('orders.v2', value=payload)",
    "numpy.core._exceptions._ArrayMemoryError: Unable to allocate 3.2 GiB for an array",
    "    at HenryScheduler.tick (webpack:///./src/scheduler/henry.ts:41:13)",
    "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available",  # noqa: E501
    "OSError: [Errno 28] No space left on device: '/var/lib/postgresql/data/base/16384'",
    "CREATE INDEX CONCURRENTLY idx_orders_customer ON orders (customer_id)",
    "    if settings.BROOKLYN_MODE and not request.user.is_staff:",
    "    amount = Decimal(str(row['amount'])) * Decimal('1.19')",
    "WARNING:root:retry 3/5 for task shop.tasks.send_receipt after 2.0s",
    "version 1.4.0-rc.2+build.17 (commit 3f9a2c1)",
    "    return MarcoPolo.resolve(graph, start='A', goal='Z')",
    "panic: runtime error: index out of range [5] with length 5",
    "thread 'main' panicked at src/dallas/parser.rs:88:14:",
    "System.InvalidOperationException: Sequence contains no elements",
    "   at Contoso.Billing.InvoiceService.Generate(Int32 orderId) in C:\\src\\Billing\\InvoiceService.cs:line 42",  # noqa: E501
    "PHP Fatal error:  Uncaught Error: Call to undefined method Lucas\\Cart::total() in /var/www/cart.php:19",  # noqa: E501
    "    @app.route('/api/v1/orders/<int:order_id>', methods=['GET'])",
    "    fields = ('id', 'sku', 'quantity', 'unit_price', 'currency')",
    "    assert response.status_code == 200, response.content",
    "ERROR 1064 (42000): You have an error in your SQL syntax near 'WHERE' at line 1",
    "    BEGIN; SELECT pg_advisory_lock(42); COMMIT;",
    # Numbers and dates that are not personal data: timestamps, dates under other names, line
    # numbers, ports, durations, hex ids, unformatted ids, local-length numbers, versions.
    "2025-03-04 12:14:09,512 INFO [celery.worker] Task orders.tasks.sync[4f2a] succeeded in 0.512s",  # noqa: E501
    "created_at=2024-05-06T12:31:45Z updated_at=2024-05-07 expires=2025-05-06",
    "    valid_from = parse_date('2024-01-01')",
    "    release_date = date(2023, 4, 17)",
    "    if order.shipped_on < datetime.strptime('03/17/2024', '%m/%d/%Y'):",
    "cache miss for key user:4411:profile (ttl 3600 s, port 6379)",
    '  File "/srv/app/shop/views.py", line 2048, in checkout',
    "elapsed 00:04:17.384, rows 1,024,576, batch 212/555",
    "object at 0x7f3e2c1a9d50 (refcount 3), frame 0x415555267100",
    "ERROR 2013 (HY000): Lost connection to MySQL server, system error: 104",
    "Invoice INV-2024-000123 for order 415-7721 is overdue",
    "job 4155552671 finished with exit code 0 after 1500 ms",
    "python 3.12.4 (main, Jun  6 2024, 18:26:44) [GCC 12.2.0] on linux",
    "retrying in 1500 ms (attempt 3 of 5), deadline 2025-01-31T23:59:59Z",
    "2024/05/06 12:31:45 [error] 31#31: *1 connect() failed (111: Connection refused)",
    "Jun 06 18:26:44 web-1 systemd[1]: app.service: Main process exited, status=1/FAILURE",
    "E0606 18:26:44.123456    2049 reflector.go:138] Failed to watch *v1.Pod",
    "upload 3f9a2c1e-0d4b-4e8f-9c7a-212555267100 rejected: checksum 0x9c7a",
    "    at Module._compile (node:internal/modules/cjs/loader:1364:14) 2024-03-17",
    "    TIMEOUTS = (3.05, 27)  # connect, read; backoff 1.5-30.0 s",
    "release 2024.05.06-1842 built from 9f1c2a4e (14.2.0-beta.3)",
]

_FRAME_STYLES = [
    ('  File "/srv/app/{mod}.py", line {n}, in {fn}\n    {stmt}', "Traceback (most recent call last):\n{frames}\n{msg}"),  # noqa: E501
    ("    at {fn} (/app/src/{mod}.js:{n}:{c})", "{msg}\n{frames}"),
    ("\tat com.example.{mod}.{fn}({cls}.java:{n})", "{msg}\n{frames}"),
    ("{ts} ERROR {mod} - {msg}", None),
]
_MODS = ["billing/invoices", "accounts/views", "shop/cart", "orders/tasks", "notify/sms"]
_FNS = ["charge", "handle", "render", "send", "lookup", "validate"]


def _wrap(rng: random.Random, message: str) -> str:
    frame, shape = rng.choice(_FRAME_STYLES)
    if shape is None:
        ts = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:14:09Z"  # noqa: E501
        return frame.format(ts=ts, mod=rng.choice(_MODS).replace("/", "."), msg=message)
    frames = "\n".join(
        frame.format(mod=rng.choice(_MODS), n=rng.randint(5, 900), c=rng.randint(1, 80),
                     fn=rng.choice(_FNS), cls="Handler", stmt="result = handler(request)")
        for _ in range(rng.randint(1, 3))
    )
    return shape.format(frames=frames, msg=message)


def corpus(per_kind: int = 100, seed: int = DEV_SEED) -> list[Sample]:
    """`per_kind` texts for every kind, each with one planted value."""
    rng = random.Random(seed)
    samples = []
    for kind, generate in GENERATORS.items():
        for _ in range(per_kind):
            value = generate(rng)
            sentences = TEMPLATES[kind] + (_ANY if kind in _FORM_ALONE else [])
            message = rng.choice(sentences).format(v=value)
            samples.append(Sample(kind, _wrap(rng, message), value))
    return samples


def code_lines() -> list[Sample]:
    return [Sample("code", line, "") for line in CODE_LINES]
