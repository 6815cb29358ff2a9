"""The personal-data page of a participant: what is held, a JSON download, and erasure.

The project team and coordinators see the page and download the data (each download logged);
only coordinators erase, with a reason and the word ERASE typed to confirm. The work is in
``privacy.services``.
"""

import json

from django import forms
from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.roles import COORDINATOR, PROJECT_TEAM, has_role
from certificates.models import CertificateStatus
from core.errors import DomainError
from participants.models import EnrolmentStatus, Gender, Participant

from . import selectors, services

CONFIRMATION_WORD = "ERASE"


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=services.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Who asked, when, on what ground. Kept in the audit log."),
    )
    confirm = forms.CharField(
        label=gettext_lazy("Type ERASE to confirm"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip()
        if value != CONFIRMATION_WORD:
            raise forms.ValidationError(
                _("Type the word %(word)s in capitals to confirm.") % {"word": CONFIRMATION_WORD}
            )
        return value


def _fields(data: dict, participant: Participant) -> list[tuple[str, object]]:
    """The held fields as a person reads them: labels, not codes; dates in words, not ISO."""
    person = data["participant"]
    return [
        (_("Given name(s)"), person["first_name"]),
        (_("Family name"), person["last_name"]),
        (_("Name in native script"), person["native_name"]),
        (_("Gender"), Gender(person["gender"]).label if person["gender"] else ""),
        (_("E-mail"), person["email"]),
        (_("Phone"), person["phone"]),
        (_("Position"), person["position"]),
        (_("Nationality"), person["nationality"]),
        (_("Consents to data processing"), _("yes") if person["consent_given"] else _("no")),
        (
            _("Consent date"),
            date_format(participant.consent_date) if participant.consent_date else "",
        ),
        (_("Notes"), person["notes"]),
        (_("Registered"), date_format(localtime(participant.created_at), "DATETIME_FORMAT")),
    ]


def _page(request: HttpRequest, participant: Participant, form=None, status: int = 200):
    data = selectors.participant_data(participant)
    for enrolment in data["enrolments"]:
        enrolment["days_present"] = sum(1 for mark in enrolment["attendance"] if mark["present"])
        enrolment["status_label"] = EnrolmentStatus(enrolment["status"]).label
        for certificate in enrolment["certificates"]:
            certificate["status_label"] = CertificateStatus(certificate["status"]).label
    may_erase = has_role(request.user, COORDINATOR)
    context = {
        "participant": participant,
        "data": data,
        "fields": _fields(data, participant),
        "audit_entries": selectors.participant_audit_entries(participant),
        "erased": participant.is_erased,
        "may_erase": may_erase,
        "form": form if form is not None else (ErasureForm() if may_erase else None),
    }
    return render(request, "privacy/personal_data.html", context, status=status)


@role_required(PROJECT_TEAM, COORDINATOR)
def personal_data(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, get_object_or_404(Participant, pk=pk))


@role_required(PROJECT_TEAM, COORDINATOR)
def personal_data_download(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_object_or_404(Participant, pk=pk)
    data = services.participant_data_export(participant=participant, by=request.user)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body.encode(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, services.export_filename(participant)
    )
    return response


@role_required(COORDINATOR)
@require_POST
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_object_or_404(Participant, pk=pk)
    form = ErasureForm(request.POST)
    if not form.is_valid():
        return _page(request, participant, form=form, status=400)
    try:
        result = services.participant_erase(
            participant=participant, reason=form.cleaned_data["reason"], by=request.user
        )
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _page(request, participant, form=form, status=400)
    (messages.success if result.erased else messages.info)(request, result.message)
    return redirect("participant-personal-data", pk=participant.pk)
