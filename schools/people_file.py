"""Reading the people file a school uploads to invite its staff in bulk.

Schools export their staff from whatever administration system they use (ParnasSys, Magister,
Somtoday) or keep them in an Excel sheet, and each of those writes the file its own way: Excel on
Windows saves CSV in cp1252 with semicolons, other tools write UTF-8 (with or without a BOM) with
commas or tabs, and everyone names the columns differently. Asking schools to rework their export
first is where bulk invitations fail, so this module accepts what they have:

- XLSX (the first worksheet) or CSV separated by semicolons, commas or tabs, in UTF-8, cp1252 or
  UTF-16 with a BOM (Excel's "Unicode text");
- the first non-empty row as the header, recognised case-, space-, dash- and accent-insensitively
  in Dutch and English: e-mail, first name, last name (required), tussenvoegsel, role and team
  (optional); other columns are ignored;
- several roles or teams in one cell, split by `split_words`.

It only reads: whether an e-mail address is valid, a role exists or a team is known is for the
caller to judge row by row. What it refuses, it refuses for the whole file, with a Dutch message
for the person who uploaded it (`PeopleFileError`).
"""

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

__all__ = ["FileRow", "PeopleFileError", "read_people_file", "split_words"]


@dataclass(frozen=True)
class FileRow:
    """One person as the file lists them; `line` is the row number a spreadsheet shows."""

    line: int
    email: str
    first_name: str
    last_name: str
    roles: tuple[str, ...]
    teams: tuple[str, ...]


class PeopleFileError(ValueError):
    """The whole file is refused; str(error) is the Dutch message for the person who uploaded it."""


# Header spellings per field, compared after `_header_key`. "naam" is only a last name when no
# other last-name column is there: next to "voornaam" it is the family name, but it must not beat
# an explicit "achternaam".
HEADERS = {
    "email": (
        "e-mail",
        "email",
        "e-mailadres",
        "emailadres",
        "mail",
        "e-mail adres",
        "email address",
        "e-mail address",
        "werkmail",
    ),
    "first_name": ("voornaam", "roepnaam", "first name", "firstname", "given name"),
    "infix": ("tussenvoegsel", "tussenvoegsels", "voorvoegsel", "prefix"),
    "last_name": ("achternaam", "last name", "lastname", "surname", "family name"),
    "role": ("rol", "rollen", "functie", "role", "roles", "function"),
    "team": ("team", "teams", "bouw", "afdeling", "sectie", "team(s)", "department"),
}
LAST_NAME_FALLBACK = "naam"

# A workbook's parts unpack to far less than this for any staff list; a larger declared size is a
# zip bomb or not a people file, and is refused before openpyxl inflates it.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
# Columns read per XLSX row: a stray cell in column XFD must not make every row 16,384 wide.
MAX_COLUMNS = 200
# Sheets formatted down to row 1,048,576 yield a million empty rows; past this many blank rows in
# a row nothing more is read, so a hostile or over-formatted file cannot keep us looping.
MAX_BLANK_RUN = 1000

# What a file is, by its first bytes. Some of the others would decode as text and be refused for
# their missing columns, which would send the uploader looking in the wrong place.
SIGNATURES = {
    b"PK\x03\x04": "zip",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": "xls",  # the OLE container of Excel 97-2003
    b"%PDF": "other",
    b"\x89PNG": "other",
    b"\xff\xd8\xff": "other",  # JPEG
    b"GIF8": "other",
    b"\x1f\x8b": "other",  # gzip
    b"{\\rtf": "other",
}

_HEADER_NOISE = re.compile(r"[\s\-_.:*]+")
_SEPARATORS = re.compile(r"[,;|\r\n]+")
_SEPARATORS_ROLES = re.compile(r"[,;/|\r\n]+|\s+en\s+", re.IGNORECASE)
# Text files hold no control characters but tab and line breaks; anything else means binary.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _header_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _HEADER_NOISE.sub("", bare.casefold())


_FIELD_BY_KEY = {_header_key(spelling): field for field, spellings in HEADERS.items() for spelling in spellings}


def split_words(text: str, *, on_en: bool) -> tuple[str, ...]:
    """A cell's words, split on , ; | and line breaks, and with `on_en` also on / and " en "."""
    pattern = _SEPARATORS_ROLES if on_en else _SEPARATORS
    return tuple(word for part in pattern.split(text) if (word := _clean(part)))


def read_people_file(*, name: str, data: bytes, max_rows: int) -> list[FileRow]:
    """The people in an uploaded CSV or XLSX file, or PeopleFileError for the whole file."""
    kind = next((kind for signature, kind in SIGNATURES.items() if data.startswith(signature)), None)
    # Some systems save an HTML table under a .xls name: refused as the old format it claims to be.
    if kind == "xls" or (kind is None and name.lower().endswith(".xls")):
        raise PeopleFileError(
            _(
                "Dit is een oud Excelbestand (.xls). Open het in Excel, kies 'Opslaan als' en sla het op "
                "als Excel-werkmap (.xlsx) of als CSV; upload dat bestand opnieuw."
            )
        )
    if kind == "other":
        raise _not_a_people_file()
    if kind == "zip" or name.lower().endswith(".xlsx"):
        return _people(_xlsx_rows(data), max_rows=max_rows)
    return _people(_csv_rows(data), max_rows=max_rows)


def _not_a_people_file() -> PeopleFileError:
    return PeopleFileError(
        _(
            "Dit is geen CSV- of Excelbestand (.csv of .xlsx). Exporteer de medewerkers uit je "
            "administratiesysteem als CSV of Excel, of sla je Excellijst op als .xlsx, en upload het opnieuw."
        )
    )


def _clean(value: object) -> str:
    """A cell as stripped text; Excel hands numbers and dates over as such."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime.datetime) and value.time() == datetime.time():
        value = value.date()
    if isinstance(value, datetime.date | datetime.time):
        value = value.isoformat()
    # Zero-width spaces and stray BOMs come along when a list is pasted from a web page.
    return str(value).strip().strip("\u200b\ufeff").strip()


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    # Imported here: only an XLSX upload pays for loading openpyxl.
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise _not_a_people_file() from error
    if unpacked > MAX_UNPACKED_BYTES:
        raise PeopleFileError(_("Dit Excelbestand is te groot om in te lezen. Bewaar alleen de lijst met mensen."))
    # openpyxl raises whatever its zip and XML layers raise on a damaged or foreign file
    # (BadZipFile, KeyError, InvalidFileException, ParseError, TypeError...): all mean "not a
    # workbook we can read", for the whole file.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:
        raise _not_a_people_file() from error
    try:
        if not workbook.worksheets:
            raise _not_a_people_file()
        sheet = workbook.worksheets[0]
        # Exporters often write a wrong <dimension>; trusting it would cut rows or columns off.
        sheet.reset_dimensions()
        try:
            for values in sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True):
                yield [_clean(value) for value in values]
        except Exception as error:
            raise _not_a_people_file() from error
    finally:
        workbook.close()


def _decode(data: bytes) -> str:
    # Excel's "Unicode text" export is UTF-16 with a BOM; Excel on Windows writes CSV in cp1252.
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    encodings = ("utf-16",) if utf16 else ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _CONTROL.search(text):
            return text
    raise _not_a_people_file()


def _delimiter(text: str) -> str:
    """The separator the header line uses most, outside quotes; a comma when it has none."""
    for line in text.splitlines():
        if line.strip():
            unquoted = re.sub(r'"[^"]*"', "", line)
            counts = {delimiter: unquoted.count(delimiter) for delimiter in (";", "\t", ",")}
            best = max(counts, key=counts.__getitem__)
            return best if counts[best] else ","
    return ","


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        for values in reader:
            yield [_clean(value) for value in values]
    except csv.Error as error:
        raise _not_a_people_file() from error


def _columns(header: list[str]) -> dict[str, int]:
    """The column index of each recognised field; the first column with a field's header wins."""
    columns: dict[str, int] = {}
    for index, text in enumerate(header):
        field = _FIELD_BY_KEY.get(_header_key(text))
        if field is not None:
            columns.setdefault(field, index)
    if "last_name" not in columns:
        fallback = next((i for i, text in enumerate(header) if _header_key(text) == LAST_NAME_FALLBACK), None)
        if fallback is not None:
            columns["last_name"] = fallback
    if {"email", "first_name", "last_name"} - columns.keys():
        labels = {"email": _("e-mailadres"), "first_name": _("voornaam"), "last_name": _("achternaam")}
        missing = [label for field, label in labels.items() if field not in columns]
        found = [f"'{text[:40]}'" for text in header if text][:12]
        raise PeopleFileError(
            ngettext(
                "De kolom %(columns)s ontbreekt. Zet in de eerste rij van het bestand de kolomnamen, "
                "bijvoorbeeld: E-mailadres, Voornaam, Tussenvoegsel, Achternaam, Rol, Team. "
                "Gevonden kolommen: %(found)s.",
                "De kolommen %(columns)s ontbreken. Zet in de eerste rij van het bestand de kolomnamen, "
                "bijvoorbeeld: E-mailadres, Voornaam, Tussenvoegsel, Achternaam, Rol, Team. "
                "Gevonden kolommen: %(found)s.",
                len(missing),
            )
            % {"columns": ", ".join(missing), "found": ", ".join(found)}
        )
    return columns


def _people(rows: Iterable[list[str]], *, max_rows: int) -> list[FileRow]:
    columns: dict[str, int] | None = None
    people: list[FileRow] = []
    blank_run = 0
    for line, values in enumerate(rows, start=1):
        if not any(values):
            blank_run += 1
            if blank_run > MAX_BLANK_RUN:
                break
            continue
        blank_run = 0
        if columns is None:
            columns = _columns(values)
            continue
        if len(people) == max_rows:
            # Stops reading here: a file with a million rows costs no more than one with max_rows.
            raise PeopleFileError(
                ngettext(
                    "Het bestand bevat meer dan %(max)d persoon. Je kunt er %(max)d tegelijk uitnodigen; "
                    "verdeel de lijst over meer bestanden.",
                    "Het bestand bevat meer dan %(max)d mensen. Je kunt er %(max)d tegelijk uitnodigen; "
                    "verdeel de lijst over meer bestanden.",
                    max_rows,
                )
                % {"max": max_rows}
            )
        people.append(_row(line, values, columns))
    if columns is None:
        raise PeopleFileError(_("Het bestand is leeg. Zet de kolomnamen in de eerste rij en daaronder de mensen."))
    if not people:
        raise PeopleFileError(
            _(
                "Het bestand bevat geen mensen: onder de kolomnamen staan geen rijen. "
                "Vul de lijst aan en probeer het opnieuw."
            )
        )
    return people


def _row(line: int, values: list[str], columns: dict[str, int]) -> FileRow:
    def cell(field: str) -> str:
        index = columns.get(field)
        return values[index] if index is not None and index < len(values) else ""

    last_name, infix = cell("last_name"), cell("infix")
    # Some systems export the tussenvoegsel separately and also leave it in the last name.
    if infix and not last_name.casefold().startswith(infix.casefold() + " "):
        last_name = f"{infix} {last_name}".strip()
    return FileRow(
        line=line,
        email=cell("email"),
        first_name=cell("first_name"),
        last_name=last_name,
        roles=split_words(cell("role"), on_en=True),
        # Teams are not split on "/" or " en ": "Groep 1/2" and "Kunst en cultuur" are one team each.
        teams=split_words(cell("team"), on_en=False),
    )
