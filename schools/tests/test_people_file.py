"""Reading an uploaded people file: the formats and headers schools' administration systems
export, and the files refused as a whole with a Dutch message."""

import io
import random
import zipfile

import pytest
from openpyxl import Workbook

from schools.people_file import FileRow, PeopleFileError, _people, read_people_file, split_words


def read(text: str, *, encoding: str = "utf-8", name: str = "mensen.csv", max_rows: int = 100) -> list[FileRow]:
    return read_people_file(name=name, data=text.encode(encoding), max_rows=max_rows)


def refused(data: bytes, *, name: str = "mensen.csv", max_rows: int = 100) -> str:
    with pytest.raises(PeopleFileError) as caught:
        read_people_file(name=name, data=data, max_rows=max_rows)
    return str(caught.value)


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_semicolon_csv_with_dutch_headers():
    rows = read(
        "E-mailadres;Voornaam;Achternaam;Functie;Bouw\n"
        "a.jansen@school.nl;Anna;Jansen;leraar;Onderbouw\n"
        "b.bakker@school.nl;Bram;Bakker;schoolleider;\n"
    )
    assert rows == [
        FileRow(2, "a.jansen@school.nl", "Anna", "Jansen", ("leraar",), ("Onderbouw",)),
        FileRow(3, "b.bakker@school.nl", "Bram", "Bakker", ("schoolleider",), ()),
    ]


def test_comma_csv_with_english_headers_and_quoted_commas():
    rows = read(
        "Email Address,First Name,Last Name,Roles,Department\r\n"
        'Kim.Visser@School.nl , Kim ,Visser,"teacher, coach","Group 3, Group 4"\r\n'
    )
    assert rows == [FileRow(2, "Kim.Visser@School.nl", "Kim", "Visser", ("teacher", "coach"), ("Group 3", "Group 4"))]


def test_tab_separated_csv():
    rows = read("email\tvoornaam\tachternaam\tteam\nj@school.nl\tJoost\tde Wit\tGroep 5\n")
    assert rows == [FileRow(2, "j@school.nl", "Joost", "de Wit", (), ("Groep 5",))]


def test_cp1252_from_excel_on_windows():
    rows = read("E-mail;Roepnaam;Achternaam\nz@school.nl;Zoë;Hüseyin\n", encoding="cp1252")
    assert rows == [FileRow(2, "z@school.nl", "Zoë", "Hüseyin", (), ())]


def test_utf8_with_bom_does_not_spoil_the_first_header():
    rows = read("E-mail;Voornaam;Achternaam\nz@school.nl;Zoë;Çelik\n", encoding="utf-8-sig")
    assert rows == [FileRow(2, "z@school.nl", "Zoë", "Çelik", (), ())]


def test_utf16_unicode_text_from_excel():
    rows = read("E-mail\tVoornaam\tAchternaam\nz@school.nl\tZoë\tÇelik\n", encoding="utf-16")
    assert rows == [FileRow(2, "z@school.nl", "Zoë", "Çelik", (), ())]


def test_headers_match_ignoring_case_spaces_dashes_dots_and_accents():
    rows = read("E-MAIL ADRES;Voor_naam;Achter-naam;Tussen.voegsel;Rôl\nx@school.nl;Eva;Berg;van der;leraar\n")
    assert rows == [FileRow(2, "x@school.nl", "Eva", "van der Berg", ("leraar",), ())]


def test_tussenvoegsel_is_put_before_the_last_name_once():
    rows = read(
        "Email;Voornaam;Tussenvoegsel;Achternaam\n"
        "a@school.nl;Anna;van der;Berg\n"
        "b@school.nl;Bram;;Bakker\n"
        "c@school.nl;Cor;de;de Vries\n"
    )
    assert [row.last_name for row in rows] == ["van der Berg", "Bakker", "de Vries"]


def test_naam_is_the_last_name_only_without_an_achternaam_column():
    assert read("email;voornaam;naam\na@school.nl;Anna;Jansen\n")[0].last_name == "Jansen"
    assert read("email;naam;voornaam;achternaam\na@school.nl;Anna Jansen;Anna;Jansen\n")[0].last_name == "Jansen"


def test_roles_split_on_separators_and_en():
    rows = read(
        "email;voornaam;achternaam;rol\n"
        'a@school.nl;A;A;"leraar, schoolcoach"\n'
        "b@school.nl;B;B;leraar en schoolcoach\n"
        "c@school.nl;C;C;Leraar / Schoolleider | coach\n"
        "d@school.nl;D;D;leraar EN  coach;\n"
        "e@school.nl;E;E;\n"
    )
    assert [row.roles for row in rows] == [
        ("leraar", "schoolcoach"),
        ("leraar", "schoolcoach"),
        ("Leraar", "Schoolleider", "coach"),
        ("leraar", "coach"),
        (),
    ]


def test_team_names_with_slash_and_en_are_kept_whole():
    rows = read('email,voornaam,achternaam,teams\na@school.nl,A,A,"Groep 1/2; Kunst en cultuur;; "\n')
    assert rows[0].teams == ("Groep 1/2", "Kunst en cultuur")


def test_split_words():
    assert split_words(" leraar ,, schoolcoach en\tcoach ", on_en=True) == ("leraar", "schoolcoach", "coach")
    assert split_words("Groep 1/2 | Kunst en cultuur\nGroep 8", on_en=False) == (
        "Groep 1/2",
        "Kunst en cultuur",
        "Groep 8",
    )
    assert split_words("Bouw en Onderhoud", on_en=False) == ("Bouw en Onderhoud",)
    assert split_words(" ; ", on_en=True) == ()


def test_blank_rows_are_skipped_and_line_numbers_kept():
    rows = read("\n;;\nemail;voornaam;achternaam\na@school.nl;Anna;A\n;  ;\n\nb@school.nl;Bram;B\n", max_rows=2)
    assert [(row.line, row.email) for row in rows] == [(4, "a@school.nl"), (7, "b@school.nl")]


def test_a_quoted_line_break_is_one_spreadsheet_row():
    rows = read('email;voornaam;achternaam;team\na@school.nl;Anna;A;"Groep 3\nGroep 4"\nb@school.nl;Bram;B;\n')
    assert [(row.line, row.teams) for row in rows] == [(2, ("Groep 3", "Groep 4")), (3, ())]


def test_unknown_columns_are_ignored_and_short_rows_padded():
    rows = read("Personeelsnummer;E-mail;Voornaam;Achternaam;Geboortedatum;Team\n17;a@school.nl;Anna;Jansen\n")
    assert rows == [FileRow(2, "a@school.nl", "Anna", "Jansen", (), ())]


def test_a_duplicated_header_takes_the_first_column():
    rows = read("E-mail;Voornaam;Achternaam;Email;Voornaam\nwerk@school.nl;Anna;Jansen;prive@mail.nl;Annie\n")
    assert rows == [FileRow(2, "werk@school.nl", "Anna", "Jansen", (), ())]


def test_xlsx_with_numbers_empty_cells_and_blank_rows():
    data = xlsx(
        [
            ["E-mailadres", "Voornaam", "Tussenvoegsel", "Achternaam", "Rol", "Team", "Nummer"],
            ["a@school.nl ", "Anna", None, "Jansen", "leraar en schoolcoach", 7, 12.0],
            [None, None, None, None, None, None, None],
            ["b@school.nl", "Bram", "van", "Dijk", None, "Groep 1/2; Kunst en cultuur", 3.5],
        ]
    )
    rows = read_people_file(name="export.xlsx", data=data, max_rows=2)
    assert rows == [
        FileRow(2, "a@school.nl", "Anna", "Jansen", ("leraar", "schoolcoach"), ("7",)),
        FileRow(4, "b@school.nl", "Bram", "van Dijk", (), ("Groep 1/2", "Kunst en cultuur")),
    ]


def test_xlsx_is_recognised_by_its_bytes_whatever_the_name():
    data = xlsx([[None], ["email", "voornaam", "achternaam"], ["a@school.nl", "Anna", 1234]])
    assert read_people_file(name="upload", data=data, max_rows=1) == [FileRow(3, "a@school.nl", "Anna", "1234", (), ())]


def test_xlsx_over_max_rows_is_refused():
    data = xlsx([["email", "voornaam", "achternaam"]] + [[f"p{i}@school.nl", "P", "Q"] for i in range(5)])
    assert "meer dan 4 mensen" in refused(data, name="x.xlsx", max_rows=4)
    assert len(read_people_file(name="x.xlsx", data=data, max_rows=5)) == 5


def test_reading_stops_after_one_row_past_the_maximum():
    consumed = []

    def rows():
        yield ["email", "voornaam", "achternaam"]
        for i in range(1_000):
            consumed.append(i)
            yield [f"p{i}@school.nl", "P", "Q"]

    with pytest.raises(PeopleFileError):
        _people(rows(), max_rows=3)
    assert consumed == [0, 1, 2, 3]


def test_missing_email_column_is_refused_naming_the_columns():
    message = refused(b"Naam;Voornaam;Achternaam\nJansen;Anna;Jansen\n")
    assert message.startswith("De kolom e-mailadres ontbreekt.")
    assert "E-mailadres, Voornaam, Tussenvoegsel, Achternaam" in message
    assert "'Naam', 'Voornaam', 'Achternaam'" in message


def test_missing_name_columns_are_refused():
    message = refused(b"E-mail;Functie\na@school.nl;leraar\n")
    assert message.startswith("De kolommen voornaam, achternaam ontbreken.")
    assert refused(b"E-mail;Voornaam\na@school.nl;Anna\n").startswith("De kolom achternaam ontbreekt.")


NOT_A_FILE = "Dit is geen CSV- of Excelbestand (.csv of .xlsx)."


def test_pdf_is_refused():
    assert refused(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", name="lijst.pdf").startswith(NOT_A_FILE)


def test_random_binary_is_refused():
    data = random.Random(4).randbytes(2048)  # noqa: S311 (fixed test data, not a secret)
    assert refused(data, name="lijst.csv").startswith(NOT_A_FILE)
    assert refused(b"email;voornaam\x00;achternaam\n").startswith(NOT_A_FILE)


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mensen.csv", "email;voornaam;achternaam\na@school.nl;A;B\n")
    assert refused(buffer.getvalue(), name="mensen.zip").startswith(NOT_A_FILE)
    assert refused(b"email;voornaam;achternaam\n", name="mensen.xlsx").startswith(NOT_A_FILE)


def test_a_zip_bomb_is_refused_before_unpacking():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"\x00" * (51 * 1024 * 1024))
    assert refused(buffer.getvalue(), name="x.xlsx").startswith("Dit Excelbestand is te groot")


def test_old_excel_is_refused_with_how_to_save_it():
    assert refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, name="x.xls").startswith(
        "Dit is een oud Excelbestand (.xls)."
    )
    assert refused(b"<html><table><tr><td>email</td></tr></table></html>", name="export.xls").startswith(
        "Dit is een oud Excelbestand (.xls)."
    )


def test_more_rows_than_the_maximum_is_refused():
    text = "email;voornaam;achternaam\n" + "".join(f"p{i}@school.nl;P;Q\n" for i in range(3))
    assert refused(text.encode(), max_rows=2).startswith("Het bestand bevat meer dan 2 mensen.")
    assert len(read(text, max_rows=3)) == 3


def test_a_header_without_people_is_refused():
    assert refused(b"email;voornaam;achternaam\n;;\n\n").startswith("Het bestand bevat geen mensen")


def test_an_empty_file_is_refused():
    assert refused(b"").startswith("Het bestand is leeg.")
    assert refused(b"\r\n ; ;\r\n").startswith("Het bestand is leeg.")
