"""``manage.py seed_demo``: load the demo programme, courses, trainees, experts and logins.

Idempotent: every row is found by a natural key and written only when it is missing or differs
from the fixed data in ``portal.demo_data``, so a second run performs no writes at all. It
must not create certificates: those come from the issuance service (``issue_certificates ERB``).
"""

import datetime as dt
from collections import Counter
from types import SimpleNamespace
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction

from delivery import completion
from experts.models import Expert, ExpertAssignment
from participants import reasons
from participants.models import Attendance, Enrolment, EnrolmentStatus, Organisation, Participant
from participants.services import phone_normalise
from portal.demo_data import curriculum, people
from portal.demo_data.docx import text_docx
from portal.demo_data.pdf import text_pdf
from trainings.models import Course, CourseSession, Manual, Programme, ThematicModule
from trainings.services import manual_create


class Seeder:
    """Writes the demo rows and counts what it created and changed."""

    def __init__(self) -> None:
        self.created: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()

    def upsert(self, model: type[models.Model], lookup: dict, values: dict):
        """The row matching ``lookup``, created or brought up to ``values``, writing only the
        fields that differ."""
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            obj = model._default_manager.create(**lookup, **values)
            self.created[str(model._meta.verbose_name_plural)] += 1
            return obj, True
        changed = [name for name, value in values.items() if not _same(obj, name, value)]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            auto_now = [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", 0)]
            obj.save(update_fields=[*changed, *auto_now])
            self.updated[str(model._meta.verbose_name_plural)] += 1
        return obj, False


def _same(obj: models.Model, name: str, value) -> bool:
    field = cast(models.Field, obj._meta.get_field(name))  # a field of the model, not a reverse one
    if field.is_relation:
        return getattr(obj, field.attname) == (value.pk if value is not None else None)
    return getattr(obj, name) == value


# --- Users, programme and modules ---------------------------------------------------------


def seed_users(seeder: Seeder) -> dict[str, User]:
    users = {}
    for login in people.LOGINS:
        superuser = login.role == "superuser"
        user, created = seeder.upsert(
            User,
            {"username": login.username},
            {
                "first_name": login.first_name,
                "last_name": login.last_name,
                "email": f"{login.username}@tot-demo.example",
                "is_staff": superuser,
                "is_superuser": superuser,
                "is_active": True,
            },
        )
        if created:
            # Only on creation: a second run must not reset a password someone changed.
            user.set_password(people.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.set([] if superuser else [Group.objects.get(name=login.role)])
        users[login.username] = user
    return users


def seed_programme(seeder: Seeder) -> Programme:
    data = dict(curriculum.PROGRAMME)
    programme, _ = seeder.upsert(Programme, {"acronym": data.pop("acronym")}, data)
    return programme


def seed_modules(seeder: Seeder) -> dict[str, ThematicModule]:
    modules = {}
    for module in curriculum.MODULES:
        values = module._asdict()
        code, order = values.pop("code"), values.pop("order")
        values["learning_objectives"] = "\n".join(values.pop("objectives"))
        values["duration_hours"] = values.pop("hours")
        modules[code], _ = seeder.upsert(ThematicModule, {"code": code}, {"order": order, **values})
    return modules


def seed_manuals(seeder: Seeder, modules: dict[str, ThematicModule], uploader: User) -> None:
    for code, latest in curriculum.MANUAL_VERSIONS.items():
        module = modules[code]
        for version in range(1, latest + 1):
            title = f"{module.title_en} — trainer's manual"
            notes = "First edition." if version == 1 else "Revised after the Erbil course."
            same_or_newer = Manual.objects.filter(
                module=module, language="en", version__gte=version
            )
            if Manual.objects.filter(module=module, language="en", version=version).exists():
                lookup = {"module": module, "language": "en", "version": version}
                seeder.upsert(Manual, lookup, {"title": title, "notes": notes})
            elif not same_or_newer.exists():
                # manual_create numbers the version itself. A deleted old version is not
                # re-created: it would come back under a new number on every run.
                pdf = manual_pdf(module, version, title, notes)
                name = f"srp-{module.code}-en-v{version}.pdf"
                manual_create(
                    module=module,
                    language="en",
                    title=title,
                    file=SimpleUploadedFile(name, pdf, "application/pdf"),
                    notes=notes,
                    by=uploader,
                )
                seeder.created["manuals"] += 1


# Russian and Arabic editions of the core manuals, as Word documents (see demo_data/docx.py).
TRANSLATED_MANUALS = {
    "ru": ("Руководство для тренеров: {title}", "Первое издание, перевод английской версии."),
    "ar": ("دليل المدرب: {title}", "الطبعة الأولى، ترجمة النسخة الإنجليزية."),
}
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def seed_translated_manuals(
    seeder: Seeder, modules: dict[str, ThematicModule], uploader: User
) -> None:
    """Version 1 of each core manual in Russian and Arabic. Only ever created, never renumbered:
    a language that has any version already is left as the coordinators keep it."""
    for code in curriculum.MANUAL_VERSIONS:
        module = modules[code]
        for language, (title_pattern, notes) in TRANSLATED_MANUALS.items():
            if Manual.objects.filter(module=module, language=language).exists():
                continue
            localized_title = getattr(module, f"title_{language}") or module.title_en
            title = title_pattern.format(title=localized_title)
            objectives = [f"• {line}" for line in module.objectives]
            data = text_docx(title, [notes, "", *objectives], rtl=language == "ar")
            manual_create(
                module=module,
                language=language,
                title=title[:200],
                file=SimpleUploadedFile(f"srp-{module.code}-{language}-v1.docx", data, DOCX_TYPE),
                notes=notes,
                by=uploader,
            )
            seeder.created["manuals"] += 1


def manual_pdf(module: ThematicModule, version: int, title: str, notes: str) -> bytes:
    lines = [
        f"{curriculum.PROGRAMME['name']} - version {version} ({notes})",
        "",
        "Learning objectives:",
        *(f"- {objective}" for objective in module.objectives),
        "",
        "Contents: facilitation notes for each session, exercises, case studies,",
        "hand-outs and the pre- and post-test questions of the module.",
    ]
    return text_pdf(title, lines)


# --- Organisations, experts ---------------------------------------------------------------


def seed_organisations(seeder: Seeder) -> dict[str, Organisation]:
    organisations: dict[str, Organisation] = {}
    for org in people.ORGANISATIONS:
        parent = organisations[org.parent] if org.parent else None
        organisations[org.key], _ = seeder.upsert(
            Organisation,
            {"name": org.name, "parent": parent},
            {
                "native_name": org.native_name,
                "name_ar": people.TRANSLATED_NAMES[org.key][0],
                "name_ru": people.TRANSLATED_NAMES[org.key][1],
                "acronym": org.acronym,
                "kind": org.kind,
                "country": org.country,
            },
        )
    return organisations


def seed_experts(
    seeder: Seeder, modules: dict[str, ThematicModule], users: dict[str, User]
) -> dict[str, Expert]:
    logins = {login.expert: users[login.username] for login in people.LOGINS if login.expert}
    experts = {}
    for data in people.EXPERTS:
        values = data._asdict()
        lookup = {"first_name": values.pop("first_name"), "last_name": values.pop("last_name")}
        codes, _role = values.pop("modules"), values.pop("role")
        values["user"] = logins.get(data.last_name)
        expert, _ = seeder.upsert(Expert, lookup, values)
        expert.modules.set([modules[code] for code in codes])
        experts[data.last_name] = expert
    return experts


def assign_experts(
    seeder: Seeder, course: Course, sessions: list[CourseSession], experts: dict[str, Expert]
) -> None:
    """Every expert to the whole course, and to each session of a module they teach."""
    for data in people.EXPERTS:
        expert = experts[data.last_name]
        lookup: dict[str, Any] = {"expert": expert, "course": course, "session": None}
        seeder.upsert(ExpertAssignment, lookup, {"role": data.role})
        for session in sessions:
            code = session.module.code if session.module else None
            teaches = code in data.modules or (
                code == curriculum.TEACHBACK_MODULE and data.last_name in people.TEACHBACK_COACHES
            )
            if teaches:
                lookup = {"expert": expert, "course": course, "session": session}
                seeder.upsert(ExpertAssignment, lookup, {"role": data.role})


# --- Courses, schedule, trainees ----------------------------------------------------------


def seed_course(
    seeder: Seeder,
    programme: Programme,
    spec: curriculum.Course,
    modules: dict[str, ThematicModule],
    parent: Course | None,
) -> Course:
    values = spec._asdict()
    del values["code"], values["modules"]
    values["parent"] = parent
    course, _ = seeder.upsert(Course, {"programme": programme, "code": spec.code}, values)
    course.modules.set([modules[code] for code in spec.modules])
    return course


def seed_sessions(
    seeder: Seeder, course: Course, schedule: tuple, modules: dict[str, ThematicModule]
) -> list[CourseSession]:
    sessions = []
    for day, (start, end), code, title in schedule:
        session, _ = seeder.upsert(
            CourseSession,
            {
                "course": course,
                "date": course.start_date + dt.timedelta(days=day - 1),
                "start_time": start,
            },
            {"end_time": end, "module": modules[code] if code else None, "title": title},
        )
        sessions.append(session)
    return sessions


def seed_participant(
    seeder: Seeder, trainee: people.Trainee, organisations: dict, consent_date: dt.date
) -> Participant:
    participant, _ = seeder.upsert(
        Participant,
        {
            "first_name": trainee.first_name,
            "last_name": trainee.last_name,
            "organisation": organisations[trainee.organisation],
        },
        {
            "native_name": trainee.native_name,
            "gender": trainee.gender,
            "email": trainee.email,
            "phone": phone_normalise(trainee.phone),
            "position": trainee.position,
            "country": trainee.country,
            "consent_given": True,
            "consent_date": consent_date,
        },
    )
    return participant


def outcome(
    spec: curriculum.Course, trainee: people.Trainee
) -> tuple[str, str, list[reasons.Reason]]:
    """The enrolment status the course's completion rule gives, with the reason: typed (a
    withdrawal's, as a person wrote it) or the rule's codes (``participants.reasons``)."""
    if spec.status != "completed":
        return EnrolmentStatus.NOMINATED, "", []
    if trainee.withdrawn:
        return EnrolmentStatus.WITHDRAWN, trainee.withdrawn, []
    days = (spec.end_date - spec.start_date).days + 1
    # The completion rule itself gives the verdict and its words, so closing the demo course
    # again changes nothing.
    rule = SimpleNamespace(
        days=days,
        min_attendance_share=spec.min_attendance_share,
        min_post_test_score=spec.min_post_test_score,
        requires_teachback=False,
    )
    scores = SimpleNamespace(pk=None, post_test_score=trainee.post_test)
    # Duck-typed: the rule reads only these attributes of an enrolment and a course.
    verdict = completion.evaluate_enrolment(scores, rule, days - len(trainee.absent_days))  # type: ignore[arg-type]  # see above
    if not verdict.qualifies:
        return EnrolmentStatus.FAILED, "", verdict.codes
    return EnrolmentStatus.COMPLETED, "", [reasons.meets_rule()]


def seed_enrolment(
    seeder: Seeder, course: Course, spec: curriculum.Course, trainee, participant
) -> Enrolment:
    status, reason, codes = outcome(spec, trainee)
    closed = status != EnrolmentStatus.NOMINATED
    enrolment, _ = seeder.upsert(
        Enrolment,
        {"participant": participant, "course": course},
        {
            "status": status,
            "status_reason": reason,
            "status_reason_codes": codes,
            "status_changed_at": (
                dt.datetime.combine(spec.end_date, dt.time(16, 0), tzinfo=dt.UTC)
                if closed
                else None
            ),
            "pre_test_score": trainee.pre_test,
            "post_test_score": trainee.post_test,
        },
    )
    if closed:
        for day in range(1, course.days + 1):
            seeder.upsert(
                Attendance,
                {"enrolment": enrolment, "date": spec.start_date + dt.timedelta(days=day - 1)},
                {"present": day not in trainee.absent_days},
            )
    return enrolment


def seed_trainees(seeder: Seeder, course: Course, spec: curriculum.Course, organisations) -> None:
    for trainee in people.TRAINEES[spec.code]:
        participant = seed_participant(seeder, trainee, organisations, spec.start_date)
        seed_enrolment(seeder, course, spec, trainee, participant)


def set_cascade_trainers(course: Course, sessions: list[CourseSession]) -> None:
    names = {n for pairs in people.CASCADE_TRAINERS.values() for n in pairs}
    trainers = {
        (p.first_name, p.last_name): p
        for p in Participant.objects.filter(
            enrolments__course=course.parent, enrolments__status=EnrolmentStatus.COMPLETED
        )
        if (p.first_name, p.last_name) in names
    }
    for session in sessions:
        code = session.module.code if session.module else None
        session.trainers.set([trainers[name] for name in people.CASCADE_TRAINERS[code]])


# --- The command --------------------------------------------------------------------------


def seed(seeder: Seeder) -> None:
    users = seed_users(seeder)
    programme = seed_programme(seeder)
    modules = seed_modules(seeder)
    seed_manuals(seeder, modules, users["team"])
    seed_translated_manuals(seeder, modules, users["team"])
    organisations = seed_organisations(seeder)
    experts = seed_experts(seeder, modules, users)
    courses: dict[str, Course] = {}
    for spec in curriculum.COURSES:
        parent = courses[spec.parent] if spec.parent else None
        course = seed_course(seeder, programme, spec, modules, parent)
        courses[spec.code] = course
        sessions = seed_sessions(seeder, course, curriculum.SCHEDULES.get(spec.code, ()), modules)
        seed_trainees(seeder, course, spec, organisations)
        if spec.kind == "tot" and sessions:
            assign_experts(seeder, course, sessions, experts)
        if spec.kind == "cascade":
            set_cascade_trainers(course, sessions)


class Command(BaseCommand):
    help = (
        "Load the demo data: the Silk Routes Partnership, its modules and manuals, the Erbil "
        "Training of Trainers with 22 trainees, a cascade course in Baghdad, an open course in "
        "Islamabad, visiting experts and demo logins. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Seed even though DEBUG is off. The demo logins have the password 'demo'.",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            # Demo logins with a known password must never appear on a real installation.
            raise CommandError(
                "DEBUG is off, so this looks like a production database. seed_demo creates "
                "logins whose password is 'demo'; pass --force if this is a demo installation."
            )
        seeder = Seeder()
        with transaction.atomic():
            seed(seeder)
        self.report(seeder)

    def report(self, seeder: Seeder) -> None:
        if not seeder.created and not seeder.updated:
            self.stdout.write("Demo data already up to date: nothing changed.")
        for label, counts in (("Created", seeder.created), ("Updated", seeder.updated)):
            if counts:
                parts = ", ".join(f"{n} {name}" for name, n in sorted(counts.items()))
                self.stdout.write(f"{label}: {parts}.")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo logins"))
        self.stdout.write(f"  {'username':<12} {'password':<9} role")
        for login in people.LOGINS:
            role = login.role + (
                f" (expert {login.first_name} {login.last_name})" * bool(login.expert)
            )
            self.stdout.write(f"  {login.username:<12} {people.DEMO_PASSWORD:<9} {role}")
