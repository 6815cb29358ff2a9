"""The course page of the admin, composed here because it shows three apps' rows: the schedule
(trainings), the experts assigned to the whole course (experts) and the trainees (participants,
saved through their services)."""

from django.contrib import admin

from experts.admin import CourseExpertInline
from participants.admin import CourseEnrolmentInline, save_enrolment_formset
from participants.models import Enrolment
from trainings import admin as training_admin
from trainings.models import Course

admin.site.unregister(Course)


@admin.register(Course)
class CourseAdmin(training_admin.CourseAdmin):
    inlines = (training_admin.CourseSessionInline, CourseExpertInline, CourseEnrolmentInline)

    def save_formset(self, request, form, formset, change):
        if formset.model is Enrolment:
            save_enrolment_formset(formset, request.user)
        else:
            super().save_formset(request, form, formset, change)
