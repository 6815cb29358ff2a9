"""Admin for attendance: its own list, and the attendance of an enrolment inline on the
enrolment's page (``participants.admin.EnrolmentAdmin`` extended here, because recording
attendance is ``delivery``'s service). Writes go through ``delivery.services``."""

from django.contrib import admin

from accounts.admin import ServiceErrorsAdminMixin, adopt
from participants import admin as participant_admin
from participants.models import Attendance, Enrolment

from .services import attendance_record, attendance_update


def attendance_save_from_form(form, user) -> None:
    attendance, data = form.instance, form.cleaned_data
    if attendance.pk is None:
        saved, _created = attendance_record(
            enrolment=attendance.enrolment, date=data["date"], present=data["present"], by=user
        )
    else:
        current = Attendance.objects.select_related("enrolment__course").get(pk=attendance.pk)
        saved = attendance_update(
            attendance=current, date=data["date"], present=data["present"], by=user
        )
    adopt(attendance, saved)


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fields = ("date", "present", "recorded_by", "recorded_at")
    readonly_fields = ("recorded_by", "recorded_at")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by")


admin.site.unregister(Enrolment)


@admin.register(Enrolment)
class EnrolmentAdmin(participant_admin.EnrolmentAdmin):
    inlines = (AttendanceInline,)

    def save_formset(self, request, form, formset, change):
        if formset.model is Attendance:
            participant_admin.save_formset_through(formset, attendance_save_from_form, request.user)


@admin.register(Attendance)
class AttendanceAdmin(ServiceErrorsAdminMixin, admin.ModelAdmin):
    list_display = ("enrolment", "date", "present", "recorded_by", "recorded_at")
    list_filter = ("present", "enrolment__course", "date")
    search_fields = (
        "enrolment__participant__first_name",
        "enrolment__participant__last_name",
        "enrolment__participant__native_name",
        "enrolment__course__code",
    )
    list_select_related = ("enrolment__participant", "enrolment__course", "recorded_by")
    autocomplete_fields = ("enrolment",)
    readonly_fields = ("recorded_by", "recorded_at")
    date_hierarchy = "date"

    def get_readonly_fields(self, request, obj=None):
        fixed = ("enrolment",) if obj is not None else ()
        return (*fixed, *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        attendance_save_from_form(form, request.user)
