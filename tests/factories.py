"""factory_boy factories for every model; tests build their world from these."""

import datetime as dt

import factory
from django.contrib.auth.models import Group, User

from certificates.models import Certificate, CertificateBatch
from experts.models import Expert, ExpertAssignment
from participants.models import Attendance, Enrolment, Organisation, Participant
from trainings.models import Course, CourseSession, Manual, Programme, ThematicModule


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for name in extracted or ():
            self.groups.add(Group.objects.get_or_create(name=name)[0])


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("acronym",)

    name = factory.Sequence(lambda n: f"Programme {n}")
    acronym = factory.Sequence(lambda n: f"P{n}")
    donor = "European Union"


class ThematicModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThematicModule

    code = factory.Sequence(lambda n: f"module-{n}")
    order = factory.Sequence(int)
    title_en = factory.Sequence(lambda n: f"Module {n}")
    title_ru = factory.Sequence(lambda n: f"Модуль {n}")
    title_ar = factory.Sequence(lambda n: f"الوحدة {n}")


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"C{n}")
    title = factory.Sequence(lambda n: f"Training of Trainers {n}")
    kind = "tot"
    city = "Erbil"
    country = "IQ"
    venue = "Divan Hotel"
    start_date = dt.date(2016, 5, 15)
    end_date = dt.date(2016, 5, 24)
    languages = factory.LazyFunction(lambda: ["en", "ar"])
    status = "running"

    class Params:
        # A course that still takes enrolments: open, starting in a month. The default dates
        # are in 2016, so a default course has ended and takes nobody.
        upcoming = factory.Trait(
            status="open",
            start_date=factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=30)),
            end_date=factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=39)),
        )


class CourseSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CourseSession

    course = factory.SubFactory(CourseFactory)
    date = factory.LazyAttribute(lambda o: o.course.start_date)
    start_time = dt.time(9, 0)
    end_time = dt.time(12, 30)
    module = factory.SubFactory(ThematicModuleFactory)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Ministry {n}")
    acronym = factory.Sequence(lambda n: f"M{n}")
    kind = "ministry"
    country = "IQ"


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    first_name = factory.Sequence(lambda n: f"Ahmed{n}")
    last_name = "Al-Saadi"
    native_name = "أحمد الساعدي"
    gender = "male"
    email = factory.Sequence(lambda n: f"trainee{n}@example.org")
    organisation = factory.SubFactory(OrganisationFactory)
    position = "Officer"
    country = "IQ"
    consent_given = True


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    participant = factory.SubFactory(ParticipantFactory)
    course = factory.SubFactory(CourseFactory)
    status = "confirmed"


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    enrolment = factory.SubFactory(EnrolmentFactory)
    date = factory.LazyAttribute(lambda o: o.enrolment.course.start_date)
    present = True


class ExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expert

    first_name = factory.Sequence(lambda n: f"Expert{n}")
    last_name = "Müller"
    country = "DE"
    organisation = "Federal Office for Migration and Refugees"
    languages = factory.LazyFunction(lambda: ["en", "de"])


class ExpertAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExpertAssignment

    expert = factory.SubFactory(ExpertFactory)
    course = factory.SubFactory(CourseFactory)
    role = "co_trainer"


class ManualFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Manual

    module = factory.SubFactory(ThematicModuleFactory)
    language = "en"
    title = factory.LazyAttribute(lambda o: f"{o.module.title_en} — trainer's manual")
    version = 1
    file = factory.django.FileField(filename="manual.pdf", data=b"%PDF-1.4\n%%EOF\n")
    original_name = "manual.pdf"
    content_type = "application/pdf"
    size = 15


class CertificateBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CertificateBatch

    course = factory.SubFactory(CourseFactory)


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate

    enrolment = factory.SubFactory(EnrolmentFactory)
    serial = factory.Sequence(lambda n: f"SRP-2016-ERB-{n:04d}")
    verification_code = factory.Sequence(lambda n: f"CODE-{n:06d}")
    status = "valid"
    language = "en"


class ManualAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "trainings.ManualAttachment"

    manual = factory.SubFactory(ManualFactory)
    kind = "exercise"
    title = "Role play: a family reunification interview"
    file = factory.django.FileField(filename="exercise.pdf", data=b"%PDF-1.4\n%exercise\n%%EOF\n")
    original_name = "exercise.pdf"
    content_type = "application/pdf"
    size = 25


class ManualBundleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "trainings.ManualBundle"

    course = factory.SubFactory(CourseFactory)
    total = 1
