"""A school runs its own people: inviting one person, the invitation's link (accept, resend,
withdraw, expire), importing many from a file (preview, run, re-run, a killed worker), the people
log, and who may do any of it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from leerkracht.roles import Role
from schools.access import compute_access, roles_grantable
from schools.models import (
    ImportStatus,
    InvitationStatus,
    PeopleImport,
    PeopleLogAction,
    PeopleLogEntry,
    SchoolMembership,
    StaffInvitation,
    Team,
    TeamMembership,
    User,
)
from schools.services import people as people_services
from schools.services import people_import as import_services
from schools.tests.factories import SchoolMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = "e-mailadres;voornaam;achternaam;rol;team\n"


def main_of(response) -> str:
    """The page's own content (the rest carries per-response nonces and tokens)."""
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def link_in(message) -> str:
    """The invitation link in an e-mail, as a path."""
    match = re.search(r"https?://[^/\s]+(/uitnodiging/[0-9a-f]{64}/)", message.body)
    assert match, message.body
    return match.group(1)


def invite(world, *, email="nieuw@school.test", roles=(Role.LERAAR,), teams=None, by=None):
    return people_services.staff_invite(
        school=world.home,
        email=email,
        first_name="Noor",
        last_name="de Wit",
        roles=list(roles),
        teams=[world.home_team] if teams is None else teams,
        invited_by=by or world.users[Role.SCHOOLLEIDER],
    )


# --- Inviting one person --------------------------------------------------------------------------


def test_inviting_a_new_person_places_them_and_mails_a_link_that_lets_them_in(world, client, run):
    placement = run(invite, world=world, email="  Noor.de.Wit@School.TEST ")
    user = placement.user
    assert placement.new_account and user.email == "noor.de.wit@school.test"
    assert not user.has_usable_password()
    assert set(SchoolMembership.unscoped.filter(user=user).values_list("school_id", "role")) == {
        (world.home.pk, Role.LERAAR)
    }
    assert list(TeamMembership.unscoped.filter(user=user).values_list("team_id", flat=True)) == [world.home_team.pk]
    invitation = StaffInvitation.unscoped.get(user=user)
    assert invitation.status == InvitationStatus.PENDING
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=14)
    [message] = mail.outbox
    assert message.to == ["noor.de.wit@school.test"] and world.home.name in message.subject
    path = link_in(message)
    # The outbox keeps the placeholder: the database never holds a working link.
    assert people_services.LINK_PLACEHOLDER in invitation.message.body

    page = client.get(path)
    assert page.status_code == 200 and "Welkom, Noor" in page.content.decode()
    response = client.post(path, {"new_password1": "zonnebloem-Akker-17", "new_password2": "zonnebloem-Akker-17"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "instruments:team_board_open", kwargs={"school_id": world.home.pk, "team_id": world.home_team.pk}
    )
    user.refresh_from_db()
    assert user.check_password("zonnebloem-Akker-17")
    assert client.get(response["Location"]).status_code in (200, 302)  # logged in, on their team's board
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.token_digest is None
    # Used once: the same link now answers like an unknown one.
    again = client.get(path)
    assert again.status_code == 404 and "Deze link werkt niet" in again.content.decode()


def test_a_person_with_an_account_elsewhere_gets_the_membership_and_a_notice_not_a_link(world, run):
    other = UserFactory(email="al.binnen@school.test")
    SchoolMembershipFactory(user=other, school=world.schools[7], role=Role.LERAAR)
    placement = run(invite, world=world, email="AL.binnen@school.test")
    assert placement.user == other and not placement.new_account
    assert SchoolMembership.unscoped.filter(user=other, school=world.home).exists()
    invitation = StaffInvitation.unscoped.get(user=other, school=world.home)
    assert invitation.status == InvitationStatus.ACCEPTED and invitation.token_digest is None
    [message] = mail.outbox
    assert "toegevoegd" in message.subject and "/uitnodiging/" not in message.body


def test_inviting_an_address_already_invited_is_refused_with_the_reason(world):
    invite(world)
    with pytest.raises(Exception) as refused:
        invite(world, email="NIEUW@school.test")
    assert "al uitgenodigd" in str(refused.value)
    assert StaffInvitation.unscoped.filter(school=world.home).count() == 1


def test_inviting_someone_already_here_with_these_roles_is_refused(world):
    teacher = world.users[Role.LERAAR]
    with pytest.raises(Exception) as refused:
        invite(world, email=teacher.email, teams=[world.home_team])
    assert "werkt al in deze school" in str(refused.value)


@pytest.mark.parametrize("email", ["geen-adres", "a@", "@school.test", "a b@school.test", ""])
def test_a_malformed_address_is_refused(world, email):
    with pytest.raises(Exception) as refused:
        invite(world, email=email)
    assert "e-mailadres" in str(refused.value)
    assert not StaffInvitation.unscoped.exists()


def test_a_team_of_another_school_is_refused(world):
    with pytest.raises(Exception) as refused:
        invite(world, teams=[world.teams[world.foreign.pk][0]])
    assert "teams van deze school" in str(refused.value)
    assert not User.objects.filter(email="nieuw@school.test").exists()


# --- The form ------------------------------------------------------------------------------------


def invite_url(world, school=None):
    return reverse("schools:staff_invite", kwargs={"school_id": (school or world.home).pk})


def form_data(world, **changes):
    data = {
        "email": "sam@school.test",
        "first_name": "Sam",
        "last_name": "Yilmaz",
        "roles": ["leraar"],
        "teams": [str(world.home_team.pk)],
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "sam@"}, "geen geldig e-mailadres"),
        ({"roles": ["directeur"]}, "Die rol bestaat niet of je kunt hem niet geven"),
        ({"roles": []}, "Kies minstens één rol."),
        ({"first_name": ""}, "Vul een voornaam in."),
    ],
)
def test_the_form_refuses_bad_input_and_keeps_what_was_typed(world, client, changes, message):
    client.force_login(world.users[Role.SCHOOLCOACH])
    response = client.post(invite_url(world), form_data(world, **changes))
    assert response.status_code == 422
    body = response.content.decode()
    assert message in body
    assert 'value="Yilmaz"' in body
    assert not User.objects.filter(email="sam@school.test").exists()


def test_the_form_refuses_a_team_of_another_school(world, client):
    client.force_login(world.users[Role.SCHOOLCOACH])
    foreign_team = world.teams[world.foreign.pk][0]
    response = client.post(invite_url(world), form_data(world, teams=[str(foreign_team.pk)]))
    assert response.status_code == 422
    assert "Kies teams van deze school." in response.content.decode()


def test_the_form_refuses_an_address_already_invited_and_keeps_it(world, client):
    client.force_login(world.users[Role.SCHOOLCOACH])
    assert client.post(invite_url(world), form_data(world)).status_code == 302
    response = client.post(invite_url(world), form_data(world, email="SAM@school.test", first_name="Samira"))
    assert response.status_code == 422
    body = response.content.decode()
    assert "al uitgenodigd" in body and 'value="Samira"' in body


def test_a_schoolcoach_cannot_make_a_school_leader(world, client):
    coach = world.users[Role.SCHOOLCOACH]
    assert roles_grantable(compute_access(coach), school_id=world.home.pk) == [Role.LERAAR, Role.SCHOOLCOACH]
    client.force_login(coach)
    response = client.post(invite_url(world), form_data(world, roles=["schoolleider"]))
    assert response.status_code == 422
    assert not User.objects.filter(email="sam@school.test").exists()


def test_the_leader_and_those_above_the_school_may_give_every_school_role(world):
    for role in (Role.SCHOOLLEIDER, Role.EXPERTCOACH, Role.VERANDERCOACH, Role.ADMIN):
        access = compute_access(world.users[role])
        assert roles_grantable(access, school_id=world.home.pk) == [
            Role.LERAAR,
            Role.SCHOOLCOACH,
            Role.SCHOOLLEIDER,
        ], role
    for role in (Role.LERAAR, Role.BESTUURDER):
        assert roles_grantable(compute_access(world.users[role]), school_id=world.home.pk) == [], role


# --- Who may ---------------------------------------------------------------------------------------

MANAGE_ROUTES = ["staff_invite", "staff_invitation_list", "people_import_upload"]


@pytest.mark.parametrize("name", MANAGE_ROUTES)
def test_a_teacher_is_refused_the_people_pages_of_their_own_school(world, client, name):
    client.force_login(world.users[Role.LERAAR])
    assert client.get(reverse(f"schools:{name}", kwargs={"school_id": world.home.pk})).status_code == 403


@pytest.mark.parametrize("name", [*MANAGE_ROUTES, "people", "people_log"])
def test_the_people_pages_of_another_school_are_not_found(world, client, name):
    for role in (Role.SCHOOLCOACH, Role.SCHOOLLEIDER):
        client.force_login(world.users[role])
        assert client.get(reverse(f"schools:{name}", kwargs={"school_id": world.foreign.pk})).status_code == 404


def test_a_schoolcoach_cannot_invite_into_another_school(world, client):
    client.force_login(world.users[Role.SCHOOLCOACH])
    response = client.post(invite_url(world, world.foreign), form_data(world))
    assert response.status_code == 404
    assert not User.objects.filter(email="sam@school.test").exists()


def test_an_invitation_of_another_school_is_not_found(world, client, run):
    placement = run(invite, world=world)
    client.force_login(world.users[Role.SCHOOLCOACH])
    foreign_school_url = reverse(
        "schools:staff_invitation_withdraw",
        kwargs={"school_id": world.schools[1].pk, "invitation_id": placement.invitation.pk},
    )
    assert client.post(foreign_school_url).status_code == 404
    assert StaffInvitation.unscoped.get().status == InvitationStatus.PENDING


def test_the_log_is_for_the_leader_not_the_schoolcoach(world, client):
    url = reverse("schools:people_log", kwargs={"school_id": world.home.pk})
    client.force_login(world.users[Role.SCHOOLCOACH])
    assert client.get(url).status_code == 403
    client.force_login(world.users[Role.SCHOOLLEIDER])
    assert client.get(url).status_code == 200


# --- The invitation's life ----------------------------------------------------------------------


def test_an_expired_link_answers_like_an_unknown_one(world, client, run):
    run(invite, world=world)
    path = link_in(mail.outbox[0])
    unknown = client.get("/uitnodiging/" + "0" * 64 + "/")
    StaffInvitation.unscoped.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = client.get(path)
    assert expired.status_code == unknown.status_code == 404
    assert main_of(expired) == main_of(unknown)
    posted = client.post(path, {"new_password1": "zonnebloem-Akker-17", "new_password2": "zonnebloem-Akker-17"})
    assert posted.status_code == 404
    assert not User.objects.get(email="nieuw@school.test").has_usable_password()


def test_a_withdrawn_link_answers_like_an_unknown_one_and_the_person_leaves_the_school(world, client, run):
    placement = run(invite, world=world)
    path = link_in(mail.outbox[0])
    client.force_login(world.users[Role.SCHOOLCOACH])
    url = reverse(
        "schools:staff_invitation_withdraw",
        kwargs={"school_id": world.home.pk, "invitation_id": placement.invitation.pk},
    )
    assert client.post(url).status_code == 302
    assert not SchoolMembership.unscoped.filter(user=placement.user).exists()
    assert not TeamMembership.unscoped.filter(user=placement.user).exists()
    client.logout()
    unknown = client.get("/uitnodiging/" + "f" * 64 + "/")
    withdrawn = client.get(path)
    assert withdrawn.status_code == 404 and main_of(withdrawn) == main_of(unknown)


def test_resending_sends_a_new_link_and_the_old_one_stops_working(world, client, run):
    placement = run(invite, world=world)
    old_path = link_in(mail.outbox[0])
    client.force_login(world.users[Role.SCHOOLCOACH])
    url = reverse(
        "schools:staff_invitation_resend",
        kwargs={"school_id": world.home.pk, "invitation_id": placement.invitation.pk},
    )
    with_client = run(lambda: client.post(url))
    assert with_client.status_code == 302
    assert len(mail.outbox) == 2
    new_path = link_in(mail.outbox[1])
    assert new_path != old_path
    client.logout()
    assert client.get(old_path).status_code == 404
    assert client.get(new_path).status_code == 200


def test_a_weak_password_is_refused_and_the_link_keeps_working(world, client, run):
    run(invite, world=world)
    path = link_in(mail.outbox[0])
    response = client.post(path, {"new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 422
    assert client.get(path).status_code == 200


# --- The people page -----------------------------------------------------------------------------


def test_the_people_page_shows_roles_teams_and_who_is_still_invited(world, client, run):
    run(invite, world=world)
    client.force_login(world.users[Role.SCHOOLLEIDER])
    body = client.get(reverse("schools:people", kwargs={"school_id": world.home.pk})).content.decode()
    assert "Noor de Wit" in body and "uitgenodigd" in body
    assert world.home_team.name in body
    assert reverse("schools:staff_invite", kwargs={"school_id": world.home.pk}) in body
    assert reverse("schools:people_log", kwargs={"school_id": world.home.pk}) in body


def test_the_people_page_offers_no_management_to_who_may_only_read(world, client):
    client.force_login(world.users[Role.SCHOOLCOACH])
    body = client.get(reverse("schools:people", kwargs={"school_id": world.home.pk})).content.decode()
    assert reverse("schools:staff_invite", kwargs={"school_id": world.home.pk}) in body
    assert reverse("schools:people_log", kwargs={"school_id": world.home.pk}) not in body


@pytest.mark.parametrize("extra", [0, 12])
def test_the_people_page_takes_a_fixed_number_of_queries(world, client, django_assert_num_queries, extra):
    for n in range(extra):
        user = UserFactory()
        SchoolMembershipFactory(user=user, school=world.home, role=Role.LERAAR)
        TeamMembership.unscoped.create(user=user, team=world.home_team, school=world.home)
        if n % 3 == 0:
            StaffInvitation.unscoped.create(school=world.home, user=user, email=user.email, expires_at=timezone.now())
    client.force_login(world.users[Role.SCHOOLLEIDER])
    url = reverse("schools:people", kwargs={"school_id": world.home.pk})
    client.get(url)
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200


# --- The log -------------------------------------------------------------------------------------


def test_the_log_records_who_invited_withdrew_and_accepted(world, run):
    leader = world.users[Role.SCHOOLLEIDER]
    placement = run(invite, world=world)
    people_services.staff_invitation_withdraw(invitation=placement.invitation, withdrawn_by=leader)
    actions = list(PeopleLogEntry.unscoped.filter(school=world.home).order_by("id").values_list("action", "actor"))
    assert actions == [
        (PeopleLogAction.INVITED, leader.pk),
        (PeopleLogAction.TEAM_JOINED, leader.pk),
        (PeopleLogAction.WITHDRAWN, leader.pk),
    ]


@pytest.mark.postgresql("the append-only trigger exists on PostgreSQL only")
def test_the_log_cannot_be_changed(world, run):
    from django.db import DatabaseError, transaction

    run(invite, world=world)
    entry = PeopleLogEntry.unscoped.first()
    with pytest.raises(DatabaseError), transaction.atomic():
        PeopleLogEntry.unscoped.filter(pk=entry.pk).update(detail="anders")


# --- Importing a file ----------------------------------------------------------------------------


def upload(world, text: str, *, name="personeel.csv", by=Role.SCHOOLLEIDER) -> PeopleImport:
    user = world.users[by]
    return import_services.people_import_create(
        school=world.home,
        file_name=name,
        data=text.encode("utf-8"),
        created_by=user,
        roles_allowed=roles_grantable(compute_access(user), school_id=world.home.pk),
    )


def run_import(people_import, run):
    people_import = import_services.people_import_start(
        people_import=people_import, started_by=people_import.created_by
    )
    return people_import


FILE = (
    HEADER
    + "anna@school.test;Anna;Jansen;leraar;Team A\n"
    + "bo@school.test;Bo;Bakker;leraar, schoolcoach;Bovenbouw\n"
    + "{teacher};Bestaande;Leraar;leraar;Team A\n"
    + "kees@school.test;Kees;Smit;conciërge;Team A\n"
    + "ANNA@school.test;Anna;Dubbel;leraar;Team B\n"
    + "geen-adres;Piet;Puk;leraar;Team A\n"
)


def test_the_preview_says_per_row_what_happens_and_writes_nothing(world):
    teacher = world.users[Role.LERAAR]
    people_import = upload(world, FILE.format(teacher=teacher.email))
    users_before = User.objects.count()
    preview = import_services.people_import_preview(people_import=people_import)
    kinds = [(row.line, row.kind) for row in preview.rows]
    assert kinds == [(2, "new"), (3, "new"), (4, "same"), (5, "refused"), (6, "refused"), (7, "refused")]
    reasons = {row.line: " ".join(row.reasons) for row in preview.refused}
    assert "Onbekende rol ‘conciërge’" in reasons[5]
    assert "staat ook op regel 2" in reasons[6]
    assert "geen geldig e-mailadres" in reasons[7]
    assert preview.new_team_names == ["Bovenbouw"]
    assert preview.rows[1].roles == [Role.LERAAR, Role.SCHOOLCOACH]
    assert User.objects.count() == users_before
    assert not Team.unscoped.filter(name="Bovenbouw").exists()


def test_the_import_writes_the_rows_sends_the_invitations_and_a_second_run_changes_nothing(world, run):
    teacher = world.users[Role.LERAAR]
    text = FILE.format(teacher=teacher.email)
    first = run(run_import, people_import=upload(world, text), run=run)
    first.refresh_from_db()
    assert first.status == ImportStatus.DONE and first.rows_done == 6
    assert first.outcome == {"new": 2, "same": 1, "refused": 3, "team_created": 1}
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@school.test", "bo@school.test"]
    bo = User.objects.get(email="bo@school.test")
    assert set(SchoolMembership.unscoped.filter(user=bo).values_list("role", flat=True)) == {"leraar", "schoolcoach"}
    assert TeamMembership.unscoped.get(user=bo).team.name == "Bovenbouw"
    assert not User.objects.filter(email="kees@school.test").exists()

    def state():
        return (
            User.objects.count(),
            SchoolMembership.unscoped.count(),
            TeamMembership.unscoped.count(),
            StaffInvitation.unscoped.count(),
            Team.unscoped.count(),
        )

    before = state()
    mail.outbox.clear()
    second = upload(world, text)
    preview = import_services.people_import_preview(people_import=second)
    assert [row.kind for row in preview.rows] == ["same", "same", "same", "refused", "refused", "refused"]
    second = run(run_import, people_import=second, run=run)
    second.refresh_from_db()
    assert second.outcome == {"same": 3, "refused": 3}
    assert state() == before
    assert mail.outbox == []


def test_a_row_with_a_new_team_for_an_existing_person_adds_it_with_a_notice(world, run):
    teacher = world.users[Role.LERAAR]
    people_import = upload(world, HEADER + f"{teacher.email};Bestaande;Leraar;leraar;Team B\n")
    preview = import_services.people_import_preview(people_import=people_import)
    assert [row.kind for row in preview.rows] == ["add"]
    run(run_import, people_import=people_import, run=run)
    assert TeamMembership.unscoped.filter(user=teacher, team=world.other_home_team).exists()
    [message] = mail.outbox
    assert "toegevoegd" in message.subject


def test_a_schoolcoach_importing_a_school_leader_row_is_refused_for_that_row(world):
    people_import = upload(world, HEADER + "baas@school.test;Ria;Baas;schoolleider;\n", by=Role.SCHOOLCOACH)
    [row] = import_services.people_import_preview(people_import=people_import).rows
    assert row.kind == "refused" and "rol Schoolleider" in " ".join(row.reasons)


def test_a_worker_killed_mid_import_resumes_without_duplicates(world, run, monkeypatch):
    rows = "".join(f"p{n}@school.test;P{n};Achter;leraar;Team A\n" for n in range(60))
    people_import = upload(world, HEADER + rows)
    PeopleImport.objects.filter(pk=people_import.pk).update(status=ImportStatus.QUEUED)
    real_place = import_services.staff_place
    calls = {"n": 0}

    def dies_at_the_thirtieth(**kwargs):
        calls["n"] += 1
        if calls["n"] == 30:
            raise SystemExit("worker killed")
        return real_place(**kwargs)

    monkeypatch.setattr(import_services, "staff_place", dies_at_the_thirtieth)
    with pytest.raises(SystemExit):
        run(import_services.people_import_run, import_id=people_import.pk)
    people_import.refresh_from_db()
    # The batch that was under way rolled back whole; the one before it stands.
    assert people_import.rows_done == 25
    assert User.objects.filter(last_name="Achter").count() == 25
    monkeypatch.setattr(import_services, "staff_place", real_place)
    run(import_services.people_import_run, import_id=people_import.pk)
    people_import.refresh_from_db()
    assert people_import.status == ImportStatus.DONE and people_import.rows_done == 60
    assert User.objects.filter(last_name="Achter").count() == 60
    assert StaffInvitation.unscoped.filter(people_import=people_import).count() == 60
    assert len(mail.outbox) == 60
    assert people_import.outcome == {"new": 60}


def test_the_run_reads_the_people_and_teams_once_per_batch_of_rows(world, run):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = "".join(f"p{n}@school.test;P{n};Achter;leraar;Team {n % 3}\n" for n in range(50))
    people_import = upload(world, HEADER + rows)
    PeopleImport.objects.filter(pk=people_import.pk).update(status=ImportStatus.QUEUED)
    with CaptureQueriesContext(connection) as queries:
        run(import_services.people_import_run, import_id=people_import.pk)
    team_reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and 'FROM "schools_team"' in q["sql"]]
    user_reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT") and 'FROM "schools_user"' in q["sql"]]
    # Two batches of 25 rows: the school's teams read twice (plus the get_or_create of each of the
    # three teams the file makes), the batch's people twice (what the run itself made is known
    # from then on, never read back).
    assert len(team_reads) == 2 + 3, team_reads
    assert len(user_reads) == 2, user_reads
    people_import.refresh_from_db()
    assert people_import.outcome == {"new": 50, "team_created": 3}
    assert Team.unscoped.filter(school=world.home, name__startswith="Team ").count() >= 3


def test_a_row_naming_an_archived_team_is_refused_with_the_reason(world):
    Team.unscoped.filter(pk=world.home_team.pk).update(archived_at=timezone.now())
    people_import = upload(world, HEADER + f"a@school.test;Ada;Berg;leraar;{world.home_team.name}\n")
    [row] = import_services.people_import_preview(people_import=people_import).rows
    assert row.kind == "refused"
    assert f"‘{world.home_team.name}’ is gearchiveerd" in " ".join(row.reasons)


def test_the_progress_poll_counts_the_rows_without_reading_them(world, client, run):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    people_import = upload(world, HEADER + "a@school.test;Ada;Berg;leraar;Team A\n" + "b@school.test;Bo;Berg;;\n")
    assert people_import.row_count == 2
    PeopleImport.objects.filter(pk=people_import.pk).update(status=ImportStatus.RUNNING, rows_done=1)
    client.force_login(world.users[Role.SCHOOLLEIDER])
    url = reverse("schools:people_import", kwargs={"school_id": world.home.pk, "import_id": people_import.pk})
    with CaptureQueriesContext(connection) as queries:
        body = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "1 van 2 regels verwerkt" in body
    import_reads = [q["sql"] for q in queries if 'FROM "schools_peopleimport"' in q["sql"]]
    assert import_reads and not any('"schools_peopleimport"."rows"' in sql for sql in import_reads)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("foto.pdf", b"%PDF-1.4 binary", "geen CSV- of Excelbestand"),
        ("leeg.csv", HEADER.encode(), "geen mensen"),
        ("kolommen.csv", b"naam;telefoon\nPiet;06\n", "e-mail"),
    ],
)
def test_a_file_refused_as_a_whole_says_why_and_keeps_nothing(world, client, name, data, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.users[Role.SCHOOLLEIDER])
    url = reverse("schools:people_import_upload", kwargs={"school_id": world.home.pk})
    response = client.post(url, {"file": SimpleUploadedFile(name, data)})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not PeopleImport.unscoped.exists()


@override_settings(PEOPLE_IMPORT_MAX_BYTES=100)
def test_a_file_over_the_size_limit_is_refused(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.users[Role.SCHOOLLEIDER])
    url = reverse("schools:people_import_upload", kwargs={"school_id": world.home.pk})
    data = (HEADER + "a@school.test;A;B;leraar;Team A\n" * 10).encode()
    response = client.post(url, {"file": SimpleUploadedFile("groot.csv", data)})
    assert response.status_code == 422
    assert "groter dan" in response.content.decode()


def test_an_import_of_another_school_is_not_found(world, client):
    people_import = upload(world, HEADER + "a@school.test;A;B;leraar;Team A\n")
    client.force_login(world.users[Role.SCHOOLCOACH])
    kwargs = {"school_id": world.schools[1].pk, "import_id": people_import.pk}
    assert client.get(reverse("schools:people_import", kwargs=kwargs)).status_code == 404
    assert client.post(reverse("schools:people_import_start", kwargs=kwargs)).status_code == 404
    people_import.refresh_from_db()
    assert people_import.status == ImportStatus.PREVIEW


@pytest.mark.parametrize("rows", [3, 40])
def test_the_preview_takes_a_fixed_number_of_queries(world, client, django_assert_num_queries, rows):
    text = HEADER + "".join(f"p{n}@school.test;P{n};Achter;leraar;Team {n % 5}\n" for n in range(rows))
    people_import = upload(world, text)
    client.force_login(world.users[Role.SCHOOLLEIDER])
    url = reverse("schools:people_import", kwargs={"school_id": world.home.pk, "import_id": people_import.pk})
    client.get(url)
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


def test_the_page_follows_the_import_from_preview_to_done(world, client, run):
    people_import = upload(world, HEADER + "a@school.test;Ada;Berg;leraar;Team A\n")
    client.force_login(world.users[Role.SCHOOLLEIDER])
    url = reverse("schools:people_import", kwargs={"school_id": world.home.pk, "import_id": people_import.pk})
    assert "Wat er gaat gebeuren" in client.get(url).content.decode()
    start = reverse("schools:people_import_start", kwargs={"school_id": world.home.pk, "import_id": people_import.pk})
    assert run(lambda: client.post(start)).status_code == 302
    body = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "1 van 1 regels verwerkt" in body and "hx-trigger" not in body
    # A second start (another tab) starts nothing twice.
    assert client.post(start).status_code == 302
    assert User.objects.filter(email="a@school.test").count() == 1
    assert len(mail.outbox) == 1


# --- Query counts of the operations ------------------------------------------------------------


@pytest.mark.pins_queries("schools:staff_invitation_resend", "schools:staff_invitation_withdraw")
def test_resending_and_withdrawing_take_a_fixed_number_of_queries(world, client, run, django_assert_num_queries):
    placement = run(invite, world=world)
    client.force_login(world.users[Role.SCHOOLCOACH])
    kwargs = {"school_id": world.home.pk, "invitation_id": placement.invitation.pk}
    client.get(reverse("schools:people", kwargs={"school_id": world.home.pk}))
    with django_assert_num_queries(10):
        assert client.post(reverse("schools:staff_invitation_resend", kwargs=kwargs)).status_code == 302
    with django_assert_num_queries(11):
        assert client.post(reverse("schools:staff_invitation_withdraw", kwargs=kwargs)).status_code == 302


@pytest.mark.pins_queries("schools:people_import_start")
@pytest.mark.parametrize("rows", [1, 30])
def test_starting_an_import_takes_a_fixed_number_of_queries(world, client, django_assert_num_queries, rows):
    text = HEADER + "".join(f"p{n}@school.test;P{n};Achter;leraar;Team A\n" for n in range(rows))
    people_import = upload(world, text)
    client.force_login(world.users[Role.SCHOOLLEIDER])
    url = reverse("schools:people_import_start", kwargs={"school_id": world.home.pk, "import_id": people_import.pk})
    with django_assert_num_queries(8):
        assert client.post(url).status_code == 302


@pytest.mark.pins_queries("staff_invitation_accept")
def test_the_invitation_page_takes_a_fixed_number_of_queries(world, client, run, django_assert_num_queries):
    run(invite, world=world)
    path = link_in(mail.outbox[0])
    with django_assert_num_queries(1):
        assert client.get(path).status_code == 200
    # Most of it is the login: the session, the login throttle's records, last_login.
    with django_assert_num_queries(19):
        response = client.post(path, {"new_password1": "zonnebloem-Akker-17", "new_password2": "zonnebloem-Akker-17"})
        assert response.status_code == 302
