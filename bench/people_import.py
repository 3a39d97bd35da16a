"""How long does a school's staff file of 2,000 rows take to import?

Into a database of its own (created and migrated if missing): one school with a leader and
three teams. A CSV of 2,000 rows (every tenth row names a new team, a few rows have two roles) is
read (`people_import_create`), previewed (`people_import_preview`) and run
(`people_import_start` → `people_import_run`, Celery eager, in this process) for a school that
has nobody yet; then the same file again, which must change nothing. The outbox relay's tasks are
counted, not run (no mail server). Printed: seconds per step and rows per second, and the ratio
of the run to the floor measured in the same run: inserting the same 2,000 users with one
`bulk_create` (what the rows cost without memberships, invitations, e-mails and the log).

A benchmark, not a test: run it by hand on a quiet machine (see bench/README.md).

    uv run python -m bench.people_import [--rows 2000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/leerkracht_bench_import"


def staff_csv(rows: int, *, prefix: str) -> bytes:
    lines = ["e-mailadres;voornaam;achternaam;rol;team"]
    for n in range(rows):
        team = f"Team {n % 40}" if n % 10 else f"Bouw {n // 10 % 7}"
        role = "leraar, schoolcoach" if n % 97 == 0 else "leraar"
        lines.append(f"{prefix}{n}@bench.test;Voornaam{n};Achternaam{n};{role};{team}")
    return ("\n".join(lines) + "\n").encode()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.pop("REDIS_URL", None)  # Celery eager: the run happens in this process
    os.environ["DJANGO_SETTINGS_MODULE"] = "leerkracht.settings.dev"
    name = args.database_url.rsplit("/", 1)[1]
    # A database of its own, made if missing (an existing one answers non-zero: fine).
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True)  # noqa: S603,S607
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], check=True)  # noqa: S603

    import django

    django.setup()
    from unittest import mock

    from django.db import transaction

    from leerkracht.roles import Role
    from leerkracht.tenancy import scopes_disabled
    from schools.models import PeopleImport, School, SchoolGroup, StaffInvitation, User
    from schools.services import people_import as imports
    from schools.tests.factories import SchoolFactory, SchoolMembershipFactory, TeamFactory, UserFactory

    with scopes_disabled(), mock.patch("leerkracht.tasks.outbox_relay.delay") as relay:
        school = SchoolFactory(name=f"Benchschool {time.time_ns()}")
        leader = UserFactory()
        SchoolMembershipFactory(user=leader, school=school, role=Role.SCHOOLLEIDER)
        for n in range(3):
            TeamFactory(school=school, name=f"Team {n}")
        prefix = f"s{school.pk}-"
        data = staff_csv(args.rows, prefix=prefix)
        roles = [Role.LERAAR, Role.SCHOOLCOACH, Role.SCHOOLLEIDER]

        def one_import(label: str) -> None:
            started = time.perf_counter()
            people_import = imports.people_import_create(
                school=school, file_name="personeel.csv", data=data, created_by=leader, roles_allowed=roles
            )
            read = time.perf_counter()
            preview = imports.people_import_preview(people_import=people_import)
            previewed = time.perf_counter()
            imports.people_import_start(people_import=people_import, started_by=leader)
            ran = time.perf_counter()
            people_import.refresh_from_db()
            assert people_import.rows_done == args.rows, people_import.rows_done
            print(
                f"{label}: read {read - started:.2f} s · preview {previewed - read:.2f} s "
                f"({dict(preview.counts)}) · run {ran - previewed:.2f} s "
                f"({args.rows / (ran - previewed):.0f} rows/s) · outcome {people_import.outcome}"
            )
            return ran - previewed

        first = one_import("first import")
        invitations = StaffInvitation.unscoped.filter(school=school).count()
        second = one_import("same file again")
        assert StaffInvitation.unscoped.filter(school=school).count() == invitations
        print(f"invitations {invitations}, relay tasks enqueued {relay.call_count}")

        # The floor: the same users in one INSERT, rolled back.
        started = time.perf_counter()
        with transaction.atomic():
            User.objects.bulk_create(
                [User(email=f"floor{n}@bench.test", first_name="F", last_name="L") for n in range(args.rows)]
            )
            transaction.set_rollback(True)
        floor = time.perf_counter() - started
        print(f"floor (bulk_create of {args.rows} users): {floor:.2f} s")
        print(f"run / floor: first {first / floor:.0f}×, again {second / floor:.0f}×")
        PeopleImport.unscoped.filter(school=school).delete()
        School.unscoped.filter(pk=school.pk).delete()
        # The factories number besturen from the same start in every process: leave none behind.
        SchoolGroup.objects.filter(pk=school.school_group_id).delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
